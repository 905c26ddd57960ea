"""SQL for what officers did about alerts: acknowledgements and assignments, kept as a
history (rows are never changed) and matched to an alert by its identity and series."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from app.analysis.repository import SAME_ALERT

# The acknowledgements (``p``) of the same alert as ``a``, in the same series of runs.
_SAME_SERIES = f"p.first_run_id = a.first_run_id AND {SAME_ALERT}"


def alert_identity(session: Session, alert_id: int) -> Row[Any] | None:
    return session.execute(
        text(
            "SELECT id, run_id, first_run_id, kind, area_id, area_type, indicators "
            "FROM alert WHERE id = :a"
        ),
        {"a": alert_id},
    ).first()


def insert(
    session: Session,
    action: str,
    alert: Row[Any],
    user_id: int,
    *,
    assignee_id: int | None = None,
    note: str | None = None,
) -> None:
    session.execute(
        text(
            "INSERT INTO alert_acknowledgement (action, alert_id, run_id, first_run_id, kind, "
            "area_id, area_type, indicators, user_id, assignee_id, note) VALUES (:action, :id, "
            ":run_id, :first_run_id, :kind, :area_id, :area_type, :indicators, :user_id, "
            ":assignee_id, :note)"
        ),
        {
            **alert._mapping,
            "action": action,
            "user_id": user_id,
            "assignee_id": assignee_id,
            "note": note,
        },
    )


_PEOPLE = "JOIN app_user u ON u.id = p.user_id LEFT JOIN app_user s ON s.id = p.assignee_id"
_COLUMNS = (
    "p.action, p.at, p.note, p.alert_id, p.run_id, u.username AS by, "
    "u.display_name AS by_name, s.username AS assignee, s.display_name AS assignee_name"
)


def states(session: Session, alert_ids: Sequence[int]) -> Sequence[Row[Any]]:
    """The latest acknowledgement and the latest assignment of each alert's series."""
    if not alert_ids:
        return []
    return session.execute(
        text(
            f"""
            SELECT a.id AS for_alert, k.*
            FROM alert a
            JOIN LATERAL (
                SELECT DISTINCT ON (p.action) {_COLUMNS}
                FROM alert_acknowledgement p {_PEOPLE}
                WHERE {_SAME_SERIES}
                ORDER BY p.action, p.at DESC, p.id DESC
            ) k ON true
            WHERE a.id = ANY(:ids)
            """
        ),
        {"ids": list(alert_ids)},
    ).all()


def history(session: Session, alert_id: int) -> Sequence[Row[Any]]:
    """Everything done about the alert's series, oldest first."""
    return session.execute(
        text(
            f"""
            SELECT {_COLUMNS}
            FROM alert a JOIN alert_acknowledgement p ON {_SAME_SERIES} {_PEOPLE}
            WHERE a.id = :a
            ORDER BY p.at, p.id
            """
        ),
        {"a": alert_id},
    ).all()


def user(session: Session, name_or_id: str) -> Row[Any] | None:
    """An account by user name (any case) or by id."""
    by_id = name_or_id.strip().isdigit() and len(name_or_id.strip()) < 19
    return session.execute(
        text(
            "SELECT u.id, u.username, u.display_name, u.disabled_at, u.role, g.name AS agency "
            "FROM app_user u LEFT JOIN agency g ON g.id = u.agency_id "
            + ("WHERE u.id = :id" if by_id else "WHERE u.username = lower(:u)")
        ),
        {"id": int(name_or_id) if by_id else None, "u": name_or_id.strip()},
    ).first()
