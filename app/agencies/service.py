"""Agencies, keys and who may do what."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.agencies import repository as repo
from app.agencies.keys import KEY_PREFIX, generate_key, hash_key
from app.errors import (
    AuthenticationError,
    ConflictError,
    InvalidParameterError,
    NotFoundError,
    PermissionDeniedError,
)

_NAME = re.compile(r"[a-z][a-z0-9_-]{0,62}")


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: a key of an agency, or an administrator's key."""

    key_id: int | None
    actor: str  # "key <prefix>" or "cli"
    agency_id: int | None
    agency: str | None
    is_admin: bool

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDeniedError("This needs an administrator's key")

    def require_agency(self, owner_id: int, owner: str, what: str) -> None:
        """An agency writes only what it owns; administrators write anything."""
        if not self.is_admin and self.agency_id != owner_id:
            mine = f"agency {self.agency!r}" if self.agency else "a key of no agency"
            raise PermissionDeniedError(f"{what} belongs to agency {owner!r}, not {mine}")


CLI = Principal(key_id=None, actor="cli", agency_id=None, agency=None, is_admin=True)


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


def create_key(
    session: Session, agency: str | None, *, admin: bool = False, label: str | None = None
) -> str:
    """Make a key and return it: the only time it is ever seen."""
    if agency is None and not admin:
        raise InvalidParameterError("A key belongs to an agency (--agency) unless it is --admin")
    owner = agency_id(session, agency) if agency is not None else None
    new = generate_key()
    repo.insert_key(session, owner, new.prefix, new.key_hash, admin, label)
    return new.key


def revoke_key(session: Session, key_or_prefix: str) -> None:
    prefix = key_or_prefix.removeprefix(KEY_PREFIX).split("_", 1)[0]
    if not repo.revoke_key(session, prefix):
        if repo.key_exists(session, prefix):
            raise ConflictError(f"Key {prefix} is already revoked")
        raise NotFoundError(f"There is no key {prefix}")


def authenticate(session: Session, authorization: str | None) -> Principal:
    """The principal of an ``Authorization: Bearer KEY`` header."""
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
    return Principal(
        key_id=int(row.id),
        actor=f"key {row.prefix}",
        agency_id=None if row.agency_id is None else int(row.agency_id),
        agency=row.agency,
        is_admin=bool(row.is_admin),
    )
