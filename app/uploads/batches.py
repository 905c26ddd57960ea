"""Batches: the history of uploads, and reverting one."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.audit import service as audit
from app.errors import ConflictError, NotFoundError
from app.events.repository import revert_events
from app.uploads import repository as repo
from app.uploads import revisions


def open_batch(
    session: Session, kind: str, viewer: Viewer, agency_id: int | None, **fields: Any
) -> int:
    """Start a batch of ``kind`` for an agency, recording who made it; its id."""
    return repo.insert_batch(
        session, kind=kind, agency_id=agency_id, key_id=viewer.key_id, actor=viewer.actor,
        **fields,
    )  # fmt: skip


def batch_out(row: Row[Any]) -> dict[str, Any]:
    out = dict(row._mapping)
    out.pop("agency_id", None)
    return out


def list_batches(session: Session, viewer: Viewer, limit: int) -> list[dict[str, Any]]:
    """An agency sees its own batches; administrators see everyone's."""
    policy.require_partner(viewer)
    agency = None if policy.acts_for_every_agency(viewer) else viewer.agency_id
    return [batch_out(r) for r in repo.list_batches(session, agency, limit)]


def get_batch(session: Session, viewer: Viewer, batch_id: int) -> Row[Any]:
    row = repo.get_batch(session, batch_id)
    if row is None or not policy.may_see_batch(viewer, row.agency_id):
        raise NotFoundError(f"There is no batch {batch_id}")
    return row


def revert_batch(session: Session, viewer: Viewer, batch_id: int) -> dict[str, Any]:
    """Withdraw a batch's values and restore the ones it replaced, as a new batch."""
    batch = get_batch(session, viewer, batch_id)
    if batch.kind == "revert":
        raise ConflictError(f"Batch {batch_id} is itself a revert; upload the values again")
    if batch.reverted_at is not None:
        raise ConflictError(f"Batch {batch_id} was already reverted by batch {batch.reverted_by}")
    revisions.lock_indicators(session, revisions.batch_indicators(session, batch_id))
    later = revisions.overwritten_later(session, batch_id)
    if later:
        raise ConflictError(
            f"{later} value(s) of batch {batch_id} have since been replaced by later batches; "
            "revert those first (newest first), so that no later upload is lost"
        )
    report = json.dumps({"reverts": batch_id})
    revert_id = open_batch(session, "revert", viewer, batch.agency_id, report=report)
    withdrawn, restored = revisions.revert_values(session, batch_id, revert_id)
    if batch.kind == "events":
        revert_events(session, batch_id, revert_id)
    # A revert's rows are the values it withdrew; "revised" the earlier values it restored.
    repo.update_batch(session, revert_id, rows=withdrawn, revised=restored)
    audit.record(
        session, viewer, "revert",
        detail={"batch": batch_id, "revert": revert_id, "withdrawn": withdrawn,
                "restored": restored},
    )  # fmt: skip
    return batch_out(repo.get_batch(session, revert_id))  # type: ignore[arg-type]
