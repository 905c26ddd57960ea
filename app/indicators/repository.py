"""SQL for the indicator catalogue."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

_COLUMNS = """
    i.code, i.title, i.definition, g.name AS agency, i.agency_id, i.topic, i.value_type,
    i.multiplier, i.unit, i.polarity, i.period_type, i.source, i.licence, i.area_types,
    i.disclosure_threshold, i.visibility, i.numerator, i.denominator, i.event_categories
"""
_FROM = "FROM indicator i JOIN agency g ON g.id = i.agency_id"


def upsert_indicator(session: Session, fields: dict[str, Any]) -> bool:
    """Insert or update one indicator; True when it is new."""
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


def list_indicators(session: Session, include_partners: bool) -> Sequence[Row[Any]]:
    return session.execute(
        text(
            f"SELECT {_COLUMNS} {_FROM} WHERE :all OR i.visibility = 'public' "
            "ORDER BY g.name, i.topic, i.code"
        ),
        {"all": include_partners},
    ).all()


def indicators_by_code(session: Session, codes: Collection[str]) -> dict[str, Row[Any]]:
    rows = session.execute(
        text(f"SELECT {_COLUMNS} {_FROM} WHERE i.code = ANY(:codes)"), {"codes": list(codes)}
    )
    return {str(row.code): row for row in rows}


def all_codes(session: Session) -> list[str]:
    return [str(c) for c in session.execute(text("SELECT code FROM indicator")).scalars()]


def event_indicators(session: Session, agency_id: int | None) -> Sequence[Row[Any]]:
    """Indicators that count point events, of one agency (or of all, for administrators)."""
    return session.execute(
        text(
            f"SELECT {_COLUMNS} {_FROM} WHERE cardinality(i.event_categories) > 0 "
            "AND (CAST(:a AS bigint) IS NULL OR i.agency_id = :a) ORDER BY i.code"
        ),
        {"a": agency_id},
    ).all()
