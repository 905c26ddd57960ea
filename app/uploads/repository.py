"""SQL for batches: the history of uploads, reverts, recounts and demo loads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session


def insert_batch(session: Session, **fields: Any) -> int:
    columns = ", ".join(fields)
    placeholders = ", ".join(f":{name}" for name in fields)
    return int(
        session.execute(
            text(f"INSERT INTO batch ({columns}) VALUES ({placeholders}) RETURNING id"), fields
        ).scalar_one()
    )


_BATCH_COLUMNS = """
    b.id, b.kind, g.name AS agency, b.actor, b.filename, b.content_type, b.sha256, b.rows,
    b.inserted, b.revised, b.unchanged, b.created_at, b.reverted_at, b.reverted_by, b.report,
    b.agency_id
"""


def get_batch(session: Session, batch_id: int) -> Row[Any] | None:
    return session.execute(
        text(
            f"SELECT {_BATCH_COLUMNS} FROM batch b LEFT JOIN agency g ON g.id = b.agency_id "
            "WHERE b.id = :id"
        ),
        {"id": batch_id},
    ).first()


def list_batches(session: Session, agency_id: int | None, limit: int) -> Sequence[Row[Any]]:
    """Newest first; one agency's, or everyone's when ``agency_id`` is None."""
    return session.execute(
        text(
            f"SELECT {_BATCH_COLUMNS} FROM batch b LEFT JOIN agency g ON g.id = b.agency_id "
            "WHERE CAST(:agency AS bigint) IS NULL OR b.agency_id = :agency "
            "ORDER BY b.id DESC LIMIT :limit"
        ),
        {"agency": agency_id, "limit": limit},
    ).all()


def batch_with_same_content(
    session: Session, agency_id: int | None, kind: str, sha256: str
) -> int | None:
    value = session.execute(
        text(
            "SELECT id FROM batch WHERE kind = :k AND sha256 = :h AND reverted_at IS NULL "
            "AND agency_id IS NOT DISTINCT FROM :a ORDER BY id DESC LIMIT 1"
        ),
        {"k": kind, "h": sha256, "a": agency_id},
    ).scalar_one_or_none()
    return None if value is None else int(value)


def update_batch(session: Session, batch_id: int, **fields: Any) -> None:
    assignments = ", ".join(f"{name} = :{name}" for name in fields)
    session.execute(
        text(f"UPDATE batch SET {assignments} WHERE id = :batch_id"),
        {**fields, "batch_id": batch_id},
    )


def count_batches_named(session: Session, filename: str) -> int:
    return int(
        session.execute(
            text("SELECT count(*) FROM batch WHERE filename = :f AND reverted_at IS NULL"),
            {"f": filename},
        ).scalar_one()
    )


def delete_empty_batch(session: Session, batch_id: int) -> None:
    """Forget a batch that changed nothing (it has no values to point at it)."""
    session.execute(text("DELETE FROM batch WHERE id = :b"), {"b": batch_id})


def area_code_shapes(session: Session) -> dict[str, set[tuple[str, int]]]:
    """The shapes of the codes of each area type: (first three characters, length), e.g.
    ``{"lsoa": {("E01", 9)}}``: an upload's code of that shape that no area has is taken
    as an area outside the city."""
    shapes: dict[str, set[tuple[str, int]]] = {}
    for type_code, prefix, length in session.execute(
        text("SELECT DISTINCT type_code, upper(left(code, 3)), length(code) FROM area")
    ).all():
        shapes.setdefault(str(type_code), set()).add((str(prefix), int(length)))
    return shapes
