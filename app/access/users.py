"""Officers' accounts: local ones (``nis user create``) and those of the partnership's
identity provider (made or refreshed at each single sign-on)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.access import account_repository as repo
from app.access import passwords, policy
from app.access.service import agency_id
from app.access.viewer import Role, Viewer
from app.audit import service as audit
from app.errors import AuthenticationError, ConflictError, InvalidParameterError, NotFoundError

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@+-]{1,127}")
ACCOUNT_ROLES = (Role.OFFICER, Role.ANALYST, Role.ADMIN)
# One answer for every failed sign-in: it never says whether the account exists.
SIGN_IN_FAILED = "The name or password is not right, or the account is disabled"


def _username(name: str) -> str:
    name = name.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise InvalidParameterError(
            f"Account name {name!r} must be 2-128 letters, digits and . _ @ + - "
            "(an e-mail address will do)"
        )
    return name


def _role_and_agency(session: Session, role: str, agency: str | None) -> tuple[Role, int | None]:
    try:
        parsed = Role(role)
    except ValueError:
        parsed = Role.PUBLIC
    if parsed not in ACCOUNT_ROLES:
        raise InvalidParameterError(f"A role is officer, analyst or admin, not {role!r}")
    if parsed is Role.ANALYST and agency is None:
        raise InvalidParameterError("An analyst uploads for an agency: give --agency")
    return parsed, None if agency is None else agency_id(session, agency)


def create_local_user(
    session: Session,
    viewer: Viewer,
    username: str,
    password: str,
    role: str,
    agency: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
) -> int:
    """Make a local account (administrators), audited."""
    policy.require_admin(viewer)
    name = _username(username)
    parsed, owner = _role_and_agency(session, role, agency)
    if repo.user_by_name(session, name) is not None:
        raise ConflictError(f"There is already an account {name!r}")
    passwords.check_new_password(password, name)
    user_id = repo.insert_user(
        session, username=name, role=str(parsed), agency_id=owner,
        password_hash=passwords.hash_password(password), display_name=display_name,
        email=email,
    )  # fmt: skip
    audit.record(
        session, viewer, "user.create", detail={"user": name, "role": str(parsed), "agency": agency}
    )
    return user_id


def _existing(session: Session, username: str) -> Any:
    row = repo.user_by_name(session, username.strip().lower())
    if row is None:
        raise NotFoundError(f"There is no account {username.strip().lower()!r}")
    return row


def set_disabled(session: Session, viewer: Viewer, username: str, disabled: bool) -> int:
    """Disable (sessions revoked at once) or enable an account (administrators), audited;
    how many sessions ended."""
    policy.require_admin(viewer)
    row = _existing(session, username)
    if disabled and row.disabled_at is not None:
        raise ConflictError(f"Account {row.username!r} is already disabled")
    if not disabled and row.disabled_at is None:
        raise ConflictError(f"Account {row.username!r} is not disabled")
    repo.update_user(session, int(row.id), disabled_at=datetime.now(UTC) if disabled else None)
    ended = repo.revoke_user_sessions(session, int(row.id)) if disabled else 0
    action = "user.disable" if disabled else "user.enable"
    audit.record(session, viewer, action, detail={"user": row.username, "sessions_ended": ended})
    return ended


def reset_password(session: Session, viewer: Viewer, username: str, password: str) -> int:
    """Give a local account a new password (administrators), audited; its sessions end.
    How many ended."""
    policy.require_admin(viewer)
    row = _existing(session, username)
    if row.oidc_subject is not None:
        raise InvalidParameterError(
            f"Account {row.username!r} signs in through the identity provider; its password "
            "is kept there"
        )
    passwords.check_new_password(password, str(row.username))
    repo.update_user(session, int(row.id), password_hash=passwords.hash_password(password))
    ended = repo.revoke_user_sessions(session, int(row.id))
    audit.record(
        session, viewer, "user.reset", detail={"user": row.username, "sessions_ended": ended}
    )
    return ended


def list_users(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    policy.require_admin(viewer)
    return [_described(r) for r in repo.list_users(session)]


def describe_user(session: Session, viewer: Viewer, username: str) -> dict[str, Any]:
    """One account as listed (administrators; 404 for no such account)."""
    policy.require_admin(viewer)
    return _described(_existing(session, username))


def _described(r: Any) -> dict[str, Any]:
    return {
        "username": r.username,
        "display_name": r.display_name,
        "email": r.email,
        "role": r.role,
        "agency": r.agency,
        "sign_in": "sso" if r.oidc_subject is not None else "local",
        "created_at": r.created_at,
        "last_sign_in_at": r.last_sign_in_at,
        "disabled": r.disabled_at is not None,
    }


def _viewer(row: Any) -> Viewer:
    return Viewer(
        Role(row.role),
        actor=f"user {row.username}",
        user_id=int(row.id),
        agency_id=None if row.agency_id is None else int(row.agency_id),
        agency=row.agency,
    )


def check_local_sign_in(session: Session, username: str, password: str) -> Viewer:
    """The account of a name and password (401 with one message for every failure)."""
    name = username.strip().lower()
    row = repo.user_by_name(session, name) if _USERNAME.fullmatch(name) else None
    stored = None if row is None or row.disabled_at is not None else row.password_hash
    if not passwords.verify_password(stored, password):
        raise AuthenticationError(SIGN_IN_FAILED)
    assert row is not None
    assert stored is not None
    if passwords.needs_rehash(stored):
        repo.update_user(session, int(row.id), password_hash=passwords.hash_password(password))
    return _viewer(row)


@dataclass(frozen=True)
class DirectoryAccount:
    """An officer as the identity provider describes them."""

    issuer: str
    subject: str
    username: str
    display_name: str | None
    email: str | None
    role: Role
    agency: str | None


def sign_in_from_directory(session: Session, account: DirectoryAccount) -> Viewer:
    """Make or refresh the account of an officer the identity provider vouched for: the
    directory decides their role and agency, at every sign-in."""
    owner = None if account.agency is None else agency_id(session, account.agency)
    row = repo.user_by_subject(session, account.issuer, account.subject)
    fields = {
        "display_name": account.display_name,
        "email": account.email,
        "role": str(account.role),
        "agency_id": owner,
    }
    if row is None:
        name = _free_username(session, _username_from(account.username, account.subject))
        repo.insert_user(
            session, username=name, oidc_issuer=account.issuer, oidc_subject=account.subject,
            **fields,
        )  # fmt: skip
    else:
        if row.disabled_at is not None:
            raise AuthenticationError(SIGN_IN_FAILED)
        repo.update_user(session, int(row.id), **fields)
    found = repo.user_by_subject(session, account.issuer, account.subject)
    return _viewer(found)


def _username_from(preferred: str, subject: str) -> str:
    name = re.sub(r"[^a-z0-9._@+-]", "", preferred.strip().lower())
    if _USERNAME.fullmatch(name):
        return name
    return "sso-" + (re.sub(r"[^a-z0-9]", "", subject.lower())[:40] or "officer")


def _free_username(session: Session, name: str) -> str:
    """``name``, or ``name-2``, ``name-3``... when a local account already has it."""
    candidate, n = name, 1
    while repo.user_by_name(session, candidate) is not None:
        n += 1
        candidate = f"{name}-{n}"
    return candidate
