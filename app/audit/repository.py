"""SQL for the audit trail: inserting, and reading it back with filters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

COLUMNS = (
    "id", "at", "action", "outcome", "actor", "role", "agency", "user_id", "key_id",
    "address", "channel", "method", "path", "indicator", "area_type", "period", "detail",
)  # fmt: skip

# The detail is typed JSONB, so a dict goes in as JSON.
_INSERT = text(
    """
    INSERT INTO audit_event (action, outcome, actor, role, agency, user_id, key_id, address,
                             channel, method, path, indicator, area_type, period, detail)
    VALUES (:action, :outcome, :actor, :role, :agency, :user_id, :key_id, :address,
            :channel, :method, :path, :indicator, :area_type, :period, :detail)
    """
).bindparams(bindparam("detail", type_=JSONB))


def insert(executor: Session | Connection, rows: Sequence[dict[str, Any]]) -> None:
    executor.execute(_INSERT, list(rows))


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: str | None = None
    outcome: str | None = None
    indicator: str | None = None
    channel: str | None = None
    agency: str | None = None
    limit: int = 1000
    offset: int = 0


def _where(f: AuditFilter) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    for name, op in (("since", "at >="), ("until", "at <")):
        value = getattr(f, name)
        if value is not None:
            clauses.append(f"{op} :{name}")
            params[name] = value
    for name in ("actor", "action", "outcome", "indicator", "channel", "agency"):
        value = getattr(f, name)
        if value is not None:
            clauses.append(f"{name} = :{name}")
            params[name] = value
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def events(session: Session, f: AuditFilter) -> Iterator[Row[Any]]:
    """Matching events, newest first."""
    where, params = _where(f)
    yield from session.execute(
        text(
            f"SELECT {', '.join(COLUMNS)} FROM audit_event {where} "
            "ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": f.limit, "offset": f.offset},
    )


def count(session: Session, f: AuditFilter) -> int:
    where, params = _where(f)
    return int(
        session.execute(text(f"SELECT count(*) FROM audit_event {where}"), params).scalar_one()
    )
