"""Every change to the framework, kept whole with who made it and when.

A board, outcome, measure or action is recorded as a snapshot of itself with what hangs
off it (a measure's targets; an action's measures, areas, owner and agency; a board's
members, meetings and interests), so that the framework as it stood at any moment is
the newest snapshot of each row from before it (:func:`as_of`), and a report can be
regenerated as a board saw it. Each change raises the row's ``version``; a writer that
names the version it read is refused (409) when someone changed the row since.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.errors import ConflictError
from app.framework import repository as repo
from app.framework.models import Revision, Versioned

ENTITIES = ("board", "outcome", "measure", "action")


def touch(
    session: Session,
    entity: str,
    row: Versioned,
    actor: str,
    *,
    op: str = "update",
    expected_version: int | None = None,
) -> None:
    """Record a change to ``row`` (already applied, children included): its version goes
    up (a new row stays at 1), and its snapshot is kept with ``actor`` and the time."""
    if expected_version is not None and expected_version != row.version:
        raise ConflictError(
            f"This {entity} is at version {row.version}, not {expected_version}: someone "
            "changed it since you read it; read it again"
        )
    session.flush()
    row_id = int(row.id)  # type: ignore[attr-defined]
    if op == "update" and _unchanged(session, entity, row_id):
        return  # a change to what it was (an import run again) is no change
    if op != "create":
        row.version = row.version + 1
    row.updated_at = repo.now(session)
    row.updated_by = actor
    session.flush()
    data = None if op == "delete" else repo.snapshot(session, entity, row_id)
    session.add(
        Revision(
            entity=entity, entity_id=row_id, version=row.version, op=op, data=data, actor=actor
        )
    )
    session.flush()


def _unchanged(session: Session, entity: str, row_id: int) -> bool:
    before = repo.revisions_of(session, entity, row_id)
    if not before or before[-1]["data"] is None:
        return False
    now = repo.snapshot(session, entity, row_id)
    ignore = ("version",)
    return {k: v for k, v in now.items() if k not in ignore} == {
        k: v for k, v in before[-1]["data"].items() if k not in ignore
    }


def as_of(session: Session, entity: str, at: datetime | None) -> dict[int, dict[str, Any]]:
    """Each row of ``entity`` as it stood at ``at`` (now when None), by id; deleted
    rows, and rows made after ``at``, are absent."""
    return repo.revisions_as_of(session, entity, at)


def since(session: Session, at: datetime) -> list[dict[str, Any]]:
    """The framework's changes after ``at``, oldest first."""
    return repo.revisions_since(session, at)
