"""SQL for requested analysis runs: the queue in PostgreSQL that analysis workers serve.

A request is inserted in the transaction of the change that asks for it, with a
``NOTIFY`` on :data:`CHANNEL` that PostgreSQL delivers only if that transaction commits.
Workers serialise their runs on one advisory lock (:data:`RUN_LOCK`), held by a
connection for the whole claim and run: if the worker dies, its connection ends and
PostgreSQL releases the lock, and the run's transaction (which would have closed the
requests) is rolled back, so that the requests are pending again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

CHANNEL = "nis_analysis"
# The advisory lock every analysis worker takes before claiming requests (any bigint
# nobody else uses: "NISANALY" in ASCII, minus the sign bit).
RUN_LOCK = 0x4E4953414E414C59


@dataclass(frozen=True)
class Request:
    id: int
    batch_id: int | None
    actor: str
    attempts: int


def add_request(session: Session, batch_id: int | None, actor: str) -> int:
    """Ask for a run once this transaction commits (nothing if it rolls back)."""
    request_id = session.execute(
        text("INSERT INTO analysis_request (batch_id, actor) VALUES (:b, :a) RETURNING id"),
        {"b": batch_id, "a": actor},
    ).scalar_one()
    session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
    return int(request_id)


def count_pending(session: Session) -> int:
    """Requests no run has served yet (including those a run in progress took)."""
    return int(
        session.execute(
            text("SELECT count(*) FROM analysis_request WHERE done_at IS NULL")
        ).scalar_one()
    )


def try_lock(conn: Connection) -> bool:
    """Take the run lock for this connection's session, if no other worker holds it."""
    return bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": RUN_LOCK}).scalar())


def unlock(conn: Connection) -> None:
    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": RUN_LOCK})


def claim_pending(session: Session) -> list[Request]:
    """Every pending request, each counted as attempted once more (commit this before
    the run, so that a run that crashes still counts)."""
    rows = session.execute(
        text(
            "UPDATE analysis_request r SET attempts = r.attempts + 1 FROM ("
            "  SELECT id FROM analysis_request WHERE done_at IS NULL "
            "  ORDER BY id FOR UPDATE SKIP LOCKED"
            ") pending WHERE r.id = pending.id "
            "RETURNING r.id, r.batch_id, r.actor, r.attempts"
        )
    ).all()
    return sorted((Request(r.id, r.batch_id, r.actor, r.attempts) for r in rows), key=_id)


def close_requests(session: Session, request_ids: Sequence[int], run_id: int | None) -> None:
    """Mark requests as served by ``run_id`` (done or failed)."""
    session.execute(
        text(
            "UPDATE analysis_request SET done_at = clock_timestamp(), run_id = :run "
            "WHERE id = ANY(:ids)"
        ),
        {"ids": list(request_ids), "run": run_id},
    )


def _id(request: Request) -> int:
    return request.id
