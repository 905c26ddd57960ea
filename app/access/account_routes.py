"""HTTP routes for officers' accounts (administrators) and API keys (an agency's
analysts for their agency, administrators for all)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from app.access import service, users
from app.access.auth_schemas import KeyCreated, KeyIn, KeyListed, UserIn, UserOut
from app.access.deps import PartnerDep
from app.deps import SessionDep
from app.responses import PARTNER, problems

router = APIRouter()

Username = Annotated[str, Path(max_length=128, description="An account's name")]
KeyPrefix = Annotated[str, Path(max_length=64, description="A key's prefix (or the key)")]


@router.get("/users", tags=["accounts"], response_model=list[UserOut], responses=PARTNER)
def list_users(session: SessionDep, viewer: PartnerDep) -> list[dict[str, Any]]:
    """Every officer's account (administrators)."""
    return users.list_users(session, viewer)


@router.post(
    "/users",
    tags=["accounts"],
    status_code=201,
    response_model=UserOut,
    responses={**PARTNER, **problems(404, 409)},
)
def create_user(body: UserIn, session: SessionDep, viewer: PartnerDep) -> dict[str, Any]:
    """Make a local account (administrators). The password needs 12 characters or more
    and must not be a common one."""
    users.create_local_user(
        session, viewer, body.username, body.password, body.role, body.agency,
        body.display_name, body.email,
    )  # fmt: skip
    return users.describe_user(session, viewer, body.username)


@router.post(
    "/users/{username}/disable",
    tags=["accounts"],
    response_model=UserOut,
    responses={**PARTNER, **problems(404, 409)},
)
def disable_user(username: Username, session: SessionDep, viewer: PartnerDep) -> dict[str, Any]:
    """Disable an account: its sessions end at once (administrators)."""
    users.set_disabled(session, viewer, username, True)
    return users.describe_user(session, viewer, username)


@router.post(
    "/users/{username}/enable",
    tags=["accounts"],
    response_model=UserOut,
    responses={**PARTNER, **problems(404, 409)},
)
def enable_user(username: Username, session: SessionDep, viewer: PartnerDep) -> dict[str, Any]:
    """Enable a disabled account again (administrators)."""
    users.set_disabled(session, viewer, username, False)
    return users.describe_user(session, viewer, username)


@router.get("/keys", tags=["keys"], response_model=list[KeyListed], responses=PARTNER)
def list_keys(session: SessionDep, viewer: PartnerDep) -> list[dict[str, Any]]:
    """The keys of the analyst's agency, or every key (administrators). Never a key
    itself: only its prefix."""
    return service.keys_for(session, viewer)


@router.post(
    "/keys",
    tags=["keys"],
    status_code=201,
    response_model=KeyCreated,
    responses={**PARTNER, **problems(404)},
)
def create_key(body: KeyIn, session: SessionDep, viewer: PartnerDep) -> dict[str, Any]:
    """Make a key for the analyst's agency (or, for administrators, any agency, or an
    administrator's key). ``upload`` keys upload and read; ``read`` keys only read. The
    key is in this answer only: store it now."""
    return service.create_key_as(
        session, viewer, body.agency, admin=body.admin, label=body.label, scope=body.scope,
        expires_in_days=body.expires_in_days,
    )  # fmt: skip


@router.delete(
    "/keys/{prefix}",
    tags=["keys"],
    status_code=204,
    response_class=Response,
    responses={**PARTNER, **problems(404, 409)},
)
def revoke_key(prefix: KeyPrefix, session: SessionDep, viewer: PartnerDep) -> Response:
    """Revoke a key: it stops working at once."""
    service.revoke_key_as(session, viewer, prefix)
    return Response(status_code=204)
