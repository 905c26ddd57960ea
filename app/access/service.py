"""Agencies, their keys, and knowing a viewer by the key sent."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.access import policy
from app.access import repository as repo
from app.access.keys import KEY_PREFIX, generate_key, hash_key
from app.access.viewer import Role, Viewer
from app.audit import service as audit
from app.errors import (
    AuthenticationError,
    ConflictError,
    InvalidParameterError,
    NotFoundError,
)

_NAME = re.compile(r"[a-z][a-z0-9_-]{0,62}")


def create_agency(session: Session, name: str, title: str | None = None) -> int:
    name = name.strip().lower()
    if not _NAME.fullmatch(name):
        raise InvalidParameterError(
            f"Agency name {name!r} must be a short identifier such as police or fire "
            "(lower-case letters, digits, - and _); use --title for the full name"
        )
    if repo.agency_by_name(session, name) is not None:
        raise ConflictError(f"Agency {name!r} already exists")
    return repo.insert_agency(session, name, title)


def ensure_agency(session: Session, name: str) -> int:
    row = repo.agency_by_name(session, name)
    return int(row.id) if row is not None else create_agency(session, name)


def agency_id(session: Session, name: str) -> int:
    row = repo.agency_by_name(session, name)
    if row is None:
        raise NotFoundError(f"There is no agency {name!r}; create it with `nis agency create`")
    return int(row.id)


KEY_SCOPES = ("upload", "read")


def create_key(
    session: Session,
    agency: str | None,
    *,
    admin: bool = False,
    label: str | None = None,
    scope: str = "upload",
    expires_at: datetime | None = None,
) -> str:
    """Make a key and return it: the only time it is ever seen.

    An ``upload`` key acts as its agency's analyst (uploads, reverts, reads); a ``read``
    key as an officer of its agency (reads only); an ``admin`` key as an administrator.
    """
    if agency is None and not admin:
        raise InvalidParameterError("A key belongs to an agency (--agency) unless it is --admin")
    if scope not in KEY_SCOPES:
        raise InvalidParameterError(f"A key's scope is upload or read, not {scope!r}")
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise InvalidParameterError("A key's expiry must be in the future")
    owner = agency_id(session, agency) if agency is not None else None
    new = generate_key()
    repo.insert_key(session, owner, new.prefix, new.key_hash, admin, label, scope, expires_at)
    return new.key


def key_prefix(key_or_prefix: str) -> str:
    return key_or_prefix.removeprefix(KEY_PREFIX).split("_", 1)[0]


def revoke_key(session: Session, key_or_prefix: str) -> None:
    prefix = key_prefix(key_or_prefix)
    if not repo.revoke_key(session, prefix):
        if repo.key_exists(session, prefix):
            raise ConflictError(f"Key {prefix} is already revoked")
        raise NotFoundError(f"There is no key {prefix}")


def authenticate(session: Session, authorization: str | None) -> Viewer:
    """The viewer of an ``Authorization: Bearer KEY`` header (401 for any other)."""
    if not authorization:
        raise AuthenticationError("This needs an API key: send Authorization: Bearer KEY")
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise AuthenticationError("Send the key as Authorization: Bearer KEY")
    row = repo.key_by_hash(session, hash_key(key.strip()))
    if row is None:
        raise AuthenticationError("The API key is not valid")
    if row.revoked_at is not None:
        raise AuthenticationError(f"The API key {row.prefix} was revoked")
    if row.expires_at is not None and row.expires_at <= datetime.now(UTC):
        raise AuthenticationError(f"The API key {row.prefix} expired on {row.expires_at:%Y-%m-%d}")
    role = Role.ANALYST if row.scope == "upload" else Role.OFFICER
    if row.is_admin:
        role = Role.ADMIN
    return Viewer(
        role,
        actor=f"key {row.prefix}",
        key_id=int(row.id),
        agency_id=None if row.agency_id is None else int(row.agency_id),
        agency=row.agency,
    )


def keys_for(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    """The keys the viewer manages: an analyst's agency's, or (administrators) all."""
    if policy.is_admin(viewer):
        rows = repo.list_keys(session)
    else:
        policy.require_key_manager(viewer, viewer.agency)
        assert viewer.agency_id is not None
        rows = repo.list_keys(session, viewer.agency_id)
    return [dict(r._mapping) for r in rows]


def create_key_as(
    session: Session,
    viewer: Viewer,
    agency: str | None,
    *,
    admin: bool = False,
    label: str | None = None,
    scope: str = "upload",
    expires_in_days: int | None = None,
) -> dict[str, Any]:
    """Make a key for ``agency`` (an analyst: their own only; an administrator's key:
    administrators only), audited; the key is in the answer and nowhere else."""
    if admin:
        policy.require_admin(viewer)
    else:
        agency = agency if agency is not None else viewer.agency
        policy.require_key_manager(viewer, agency)
    expires = None if expires_in_days is None else datetime.now(UTC) + timedelta(expires_in_days)
    key = create_key(session, agency, admin=admin, label=label, scope=scope, expires_at=expires)
    prefix = key_prefix(key)
    audit.record(
        session, viewer, "key.create",
        detail={"prefix": prefix, "agency": agency, "scope": scope, "admin": admin,
                "expires_at": None if expires is None else expires.isoformat()},
    )  # fmt: skip
    return {
        "key": key, "prefix": prefix, "agency": agency, "scope": "admin" if admin else scope,
        "expires_at": expires,
    }  # fmt: skip


def revoke_key_as(session: Session, viewer: Viewer, key_or_prefix: str) -> None:
    """Revoke a key the viewer manages (404 for another agency's: it is not theirs to
    know of), audited."""
    prefix = key_prefix(key_or_prefix)
    owner = repo.key_owner(session, prefix)
    if owner is None or not policy.may_manage_keys(viewer, owner.agency):
        policy.require_partner(viewer)
        raise NotFoundError(f"There is no key {prefix} of yours")
    revoke_key(session, prefix)
    audit.record(session, viewer, "key.revoke", detail={"prefix": prefix, "agency": owner.agency})
