"""SQL for officers' accounts, their sessions, pending single sign-ons and throttling."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

_USER = """
    SELECT u.id, u.username, u.display_name, u.email, u.role, u.agency_id,
           g.name AS agency, u.password_hash, u.oidc_issuer, u.oidc_subject,
           u.created_at, u.disabled_at, u.last_sign_in_at
    FROM app_user u LEFT JOIN agency g ON g.id = u.agency_id
"""


def user_by_name(session: Session, username: str) -> Row[Any] | None:
    return session.execute(text(_USER + " WHERE u.username = :n"), {"n": username}).first()


def user_by_subject(session: Session, issuer: str, subject: str) -> Row[Any] | None:
    return session.execute(
        text(_USER + " WHERE u.oidc_issuer = :i AND u.oidc_subject = :s"),
        {"i": issuer, "s": subject},
    ).first()


def list_users(session: Session) -> Sequence[Row[Any]]:
    return session.execute(text(_USER + " ORDER BY u.username")).all()


def insert_user(session: Session, **fields: Any) -> int:
    names = ", ".join(fields)
    values = ", ".join(f":{k}" for k in fields)
    return int(
        session.execute(
            text(f"INSERT INTO app_user ({names}) VALUES ({values}) RETURNING id"), fields
        ).scalar_one()
    )


_UPDATABLE = frozenset(
    {"display_name", "email", "role", "agency_id", "password_hash", "disabled_at", "username"}
)


def update_user(session: Session, user_id: int, **fields: Any) -> None:
    assert set(fields) <= _UPDATABLE, set(fields) - _UPDATABLE
    assignments = ", ".join(f"{k} = :{k}" for k in fields)
    session.execute(
        text(f"UPDATE app_user SET {assignments} WHERE id = :id"), {**fields, "id": user_id}
    )


def display_name(session: Session, user_id: int) -> str | None:
    name: str | None = session.execute(
        text("SELECT display_name FROM app_user WHERE id = :i"), {"i": user_id}
    ).scalar_one()
    return name


def mark_signed_in(session: Session, user_id: int) -> None:
    session.execute(
        text("UPDATE app_user SET last_sign_in_at = now() WHERE id = :i"), {"i": user_id}
    )


def insert_session(
    session: Session,
    user_id: int,
    token_hash: str,
    csrf_token: str,
    method: str,
    address: str | None,
    expires_at: datetime,
) -> int:
    return int(
        session.execute(
            text(
                "INSERT INTO user_session (user_id, token_hash, csrf_token, method, address, "
                "expires_at) VALUES (:u, :t, :c, :m, :a, :e) RETURNING id"
            ),
            {"u": user_id, "t": token_hash, "c": csrf_token, "m": method, "a": address,
             "e": expires_at},
        ).scalar_one()
    )  # fmt: skip


def live_session(session: Session, token_hash: str, idle_s: float) -> Row[Any] | None:
    """A session that is neither revoked, past its end, idle too long, nor of a disabled
    account, with its account."""
    return session.execute(
        text(
            """
            SELECT s.id, s.csrf_token, s.method, s.last_seen_at, s.expires_at,
                   u.id AS user_id, u.username, u.display_name, u.role, u.agency_id,
                   g.name AS agency
            FROM user_session s
            JOIN app_user u ON u.id = s.user_id
            LEFT JOIN agency g ON g.id = u.agency_id
            WHERE s.token_hash = :t AND s.revoked_at IS NULL AND s.expires_at > now()
              AND s.last_seen_at > now() - make_interval(secs => :idle)
              AND u.disabled_at IS NULL
            """
        ),
        {"t": token_hash, "idle": idle_s},
    ).first()


def touch_session(conn: Connection, session_id: int) -> None:
    """Keep a session alive (at most once a minute), in a transaction of its own."""
    conn.execute(
        text(
            "UPDATE user_session SET last_seen_at = now() WHERE id = :i "
            "AND last_seen_at < now() - interval '1 minute'"
        ),
        {"i": session_id},
    )


def revoke_session(session: Session, session_id: int) -> None:
    session.execute(
        text("UPDATE user_session SET revoked_at = now() WHERE id = :i AND revoked_at IS NULL"),
        {"i": session_id},
    )


def revoke_user_sessions(session: Session, user_id: int) -> int:
    result = session.execute(
        text(
            "UPDATE user_session SET revoked_at = now() "
            "WHERE user_id = :u AND revoked_at IS NULL RETURNING id"
        ),
        {"u": user_id},
    )
    return len(result.all())


def insert_pending(session: Session, state_hash: str, data: dict[str, Any]) -> None:
    session.execute(
        text("INSERT INTO pending_sign_in (state_hash, data) VALUES (:s, :d)").bindparams(
            bindparam("d", type_=JSONB)
        ),
        {"s": state_hash, "d": data},
    )
    # Sign-ons begun and never finished are forgotten after a day.
    session.execute(text("DELETE FROM pending_sign_in WHERE created_at < now() - interval '1 day'"))


def take_pending(session: Session, state_hash: str, max_age_s: float) -> dict[str, Any] | None:
    """The pending sign-on of this state, removed so it is used once only."""
    row = session.execute(
        text(
            "DELETE FROM pending_sign_in WHERE state_hash = :s RETURNING data, "
            "created_at > now() - make_interval(secs => :age) AS fresh"
        ),
        {"s": state_hash, "age": max_age_s},
    ).first()
    if row is None or not row.fresh:
        return None
    data: dict[str, Any] = row.data
    return data


def throttled_for(
    executor: Session | Connection, scope: str, subject: str, limit: int, window_s: float
) -> float:
    """Seconds until ``subject`` may try again (0 when it may now)."""
    row = executor.execute(
        text(
            """
            SELECT extract(epoch FROM window_start + make_interval(secs => :w) - now()) AS left
            FROM auth_throttle
            WHERE scope = :s AND subject = :k AND failures >= :limit
              AND window_start > now() - make_interval(secs => :w)
            """
        ),
        {"s": scope, "k": subject, "limit": limit, "w": window_s},
    ).first()
    return 0.0 if row is None else max(float(row.left), 0.0)


def count_failure(conn: Connection, scope: str, subject: str, window_s: float) -> int:
    """One more failure of ``subject`` in its window (a new window once the last ended);
    the failures in the window now."""
    failures = conn.execute(
        text(
            """
            INSERT INTO auth_throttle AS t (scope, subject, window_start, failures)
            VALUES (:s, :k, now(), 1)
            ON CONFLICT (scope, subject) DO UPDATE SET
                failures = CASE WHEN t.window_start > now() - make_interval(secs => :w)
                                THEN t.failures + 1 ELSE 1 END,
                window_start = CASE WHEN t.window_start > now() - make_interval(secs => :w)
                                    THEN t.window_start ELSE now() END
            RETURNING failures
            """
        ),
        {"s": scope, "k": subject, "w": window_s},
    ).scalar_one()
    conn.execute(text("DELETE FROM auth_throttle WHERE window_start < now() - interval '1 day'"))
    return int(failures)


def clear_failures(conn: Connection, scope: str, subject: str) -> None:
    conn.execute(
        text("DELETE FROM auth_throttle WHERE scope = :s AND subject = :k"),
        {"s": scope, "k": subject},
    )
