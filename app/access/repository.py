"""SQL for agencies and keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, text
from sqlalchemy.orm import Session


def agency_by_name(session: Session, name: str) -> Row[Any] | None:
    return session.execute(
        text("SELECT id, name, title FROM agency WHERE name = :n"), {"n": name}
    ).first()


def agency_name(session: Session, agency_id: int) -> str:
    return str(
        session.execute(
            text("SELECT name FROM agency WHERE id = :i"), {"i": agency_id}
        ).scalar_one()
    )


def insert_agency(session: Session, name: str, title: str | None) -> int:
    return int(
        session.execute(
            text("INSERT INTO agency (name, title) VALUES (:n, :t) RETURNING id"),
            {"n": name, "t": title},
        ).scalar_one()
    )


def list_agencies(session: Session) -> Sequence[Row[Any]]:
    return session.execute(
        text(
            """
            SELECT g.name, g.title, g.created_at,
                   (SELECT count(*) FROM indicator i WHERE i.agency_id = g.id) AS indicators,
                   (SELECT count(*) FROM api_key k WHERE k.agency_id = g.id
                      AND k.revoked_at IS NULL) AS active_keys
            FROM agency g ORDER BY g.name
            """
        )
    ).all()


def insert_key(
    session: Session,
    agency_id: int | None,
    prefix: str,
    key_hash: str,
    is_admin: bool,
    label: str | None,
    scope: str = "upload",
    expires_at: datetime | None = None,
) -> int:
    return int(
        session.execute(
            text(
                "INSERT INTO api_key (agency_id, prefix, key_hash, is_admin, label, scope, "
                "expires_at) VALUES (:a, :p, :h, :admin, :l, :s, :e) RETURNING id"
            ),
            {
                "a": agency_id, "p": prefix, "h": key_hash, "admin": is_admin, "l": label,
                "s": scope, "e": expires_at,
            },
        ).scalar_one()
    )  # fmt: skip


def key_by_hash(session: Session, key_hash: str) -> Row[Any] | None:
    """The key with its agency's name (a plain read: no lock is held on the key)."""
    return session.execute(
        text(
            """
            SELECT k.id, k.prefix, k.is_admin, k.scope, k.expires_at, k.revoked_at, k.agency_id,
                   g.name AS agency
            FROM api_key k LEFT JOIN agency g ON g.id = k.agency_id
            WHERE k.key_hash = :h
            """
        ),
        {"h": key_hash},
    ).first()


def touch_key(conn: Connection, key_id: int) -> None:
    """Record that a key was used, at most once a minute.

    Run in a short transaction of its own: holding the key's row until the end of a
    long upload would serialise every request made with that key.
    """
    conn.execute(
        text(
            "UPDATE api_key SET last_used_at = now() WHERE id = :i "
            "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')"
        ),
        {"i": key_id},
    )


def list_keys(session: Session, agency_id: int | None = None) -> Sequence[Row[Any]]:
    """Every key, or one agency's."""
    where = "" if agency_id is None else "WHERE k.agency_id = :a"
    return session.execute(
        text(
            f"""
            SELECT k.prefix, g.name AS agency, k.is_admin, k.scope, k.label, k.created_at,
                   k.expires_at, k.last_used_at, k.revoked_at
            FROM api_key k LEFT JOIN agency g ON g.id = k.agency_id
            {where}
            ORDER BY k.created_at, k.id
            """
        ),
        {"a": agency_id},
    ).all()


def key_owner(session: Session, prefix: str) -> Row[Any] | None:
    """A key's agency (``agency`` None for an administrator's key); None if no such key."""
    return session.execute(
        text(
            "SELECT g.name AS agency FROM api_key k LEFT JOIN agency g ON g.id = k.agency_id "
            "WHERE k.prefix = :p"
        ),
        {"p": prefix},
    ).first()


def revoke_key(session: Session, prefix: str) -> bool:
    result = session.execute(
        text(
            "UPDATE api_key SET revoked_at = now() "
            "WHERE prefix = :p AND revoked_at IS NULL RETURNING id"
        ),
        {"p": prefix},
    )
    return result.first() is not None


def key_exists(session: Session, prefix: str) -> bool:
    return (
        session.execute(text("SELECT 1 FROM api_key WHERE prefix = :p"), {"p": prefix}).first()
        is not None
    )
