"""Agencies, their keys, and knowing a viewer by the key sent."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from app.access import repository as repo
from app.access.keys import KEY_PREFIX, generate_key, hash_key
from app.access.viewer import Viewer, ViewerKind
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


def authenticate(session: Session, authorization: str | None) -> Viewer:
    """The viewer of an ``Authorization: Bearer KEY`` header."""
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
    return Viewer(
        ViewerKind.ADMIN if row.is_admin else ViewerKind.AGENCY,
        actor=f"key {row.prefix}",
        key_id=int(row.id),
        agency_id=None if row.agency_id is None else int(row.agency_id),
        agency=row.agency,
    )
