"""SQL for the indicator catalogue. Rows come back as :class:`Indicator` objects."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.indicators.indicator import FIELDS, Indicator

# The catalogue's columns, the agency by name.
_COLUMNS = ", ".join("g.name AS agency" if name == "agency" else f"i.{name}" for name in FIELDS)
_FROM = "FROM indicator i JOIN agency g ON g.id = i.agency_id"


def upsert_indicator(session: Session, indicator: Indicator, agency_id: int) -> bool:
    """Insert or update one indicator; True when it is new."""
    fields: dict[str, Any] = {
        ("agency_id" if name == "agency" else name): _column_value(getattr(indicator, name))
        for name in FIELDS
    }
    fields["agency_id"] = agency_id
    columns = ", ".join(fields)
    placeholders = ", ".join(f":{name}" for name in fields)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in fields if name != "code")
    return bool(
        session.execute(
            text(
                f"INSERT INTO indicator ({columns}) VALUES ({placeholders}) "
                f"ON CONFLICT (code) DO UPDATE SET {updates}, updated_at = now() "
                "RETURNING (xmax = 0) AS inserted"
            ),
            fields,
        ).scalar_one()
    )


def _column_value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _indicators(session: Session, where: str, params: dict[str, Any]) -> list[Indicator]:
    rows = session.execute(
        text(f"SELECT {_COLUMNS} {_FROM} WHERE {where} ORDER BY g.name, i.topic, i.code"),
        params,
    )
    return [Indicator.from_row(row._mapping) for row in rows]


def list_indicators(session: Session) -> list[Indicator]:
    """Every indicator, by agency, topic and code (who may see which is the policy's)."""
    return _indicators(session, "true", {})


def indicators_by_code(session: Session, codes: Collection[str]) -> dict[str, Indicator]:
    found = _indicators(session, "i.code = ANY(:codes)", {"codes": list(codes)})
    return {indicator.code: indicator for indicator in found}


def indicator(session: Session, code: str) -> Indicator | None:
    return indicators_by_code(session, [code]).get(code)


def all_codes(session: Session) -> list[str]:
    return [str(c) for c in session.execute(text("SELECT code FROM indicator")).scalars()]


def event_indicators(session: Session, agency: str | None) -> list[Indicator]:
    """Indicators that count point events, of one agency (or of all when None)."""
    found = _indicators(
        session,
        "cardinality(i.event_categories) > 0 AND (CAST(:a AS text) IS NULL OR g.name = :a)",
        {"a": agency},
    )
    return sorted(found, key=lambda i: i.code)
