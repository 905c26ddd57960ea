"""The analysis worker: runs the analyses that changes to the data ask for, in a process
of its own (``nis worker``), so that web workers only answer requests.

Requests are rows of ``analysis_request`` (:mod:`app.analysis.request_repository`),
committed with the change that asks. A worker waits for PostgreSQL's ``NOTIFY`` (or
polls every ``poll_s``), lets uploads go quiet for ``quiet_s``, then takes the run lock,
claims every pending request and serves them all with one run: uploads made during a
run coalesce into one more run, and however many workers there are, no two run at once
and no request is served twice.

A run that raises is recorded as a failed run and closes its requests (the error is
reported at ``/api/analysis/runs``). A worker that dies mid-run (killed, out of memory,
the machine restarted) leaves its requests pending, and the next worker runs them again;
after ``max_attempts`` interrupted runs they are closed with a failed run that says so.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import psycopg
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.analysis import repository as runs
from app.analysis import request_repository as requests
from app.analysis.params import AnalysisParams
from app.analysis.request_repository import Request
from app.analysis.service import run_analysis
from app.db import make_engine, make_sessionmaker, plain_url, session_scope

log = logging.getLogger(__name__)

APPLICATION_NAME = "nis-analysis-worker"


class Served(enum.Enum):
    """What one pass over the queue did."""

    IDLE = "nothing was pending"
    BUSY = "another worker holds the run lock"
    RAN = "a run served the pending requests"
    FAILED = "the run failed and was recorded as failed"


@dataclass(frozen=True)
class Pass:
    served: Served
    run_id: int | None = None
    requests: int = 0


@dataclass(frozen=True)
class WorkerOptions:
    quiet_s: float = 2.0  # no new request for this long before a run starts
    poll_s: float = 5.0  # look at the queue at least this often, notified or not
    max_attempts: int = 3  # interrupted runs of a request before it is reported failed
    max_quiet_s: float = 60.0  # uploads that never go quiet still get a run this often


def serve_pending(engine: Engine, params: AnalysisParams, max_attempts: int = 3) -> Pass:
    """One pass: take the run lock (or return BUSY), claim every pending request and serve
    them with one run."""
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SET application_name = '{APPLICATION_NAME}'")
        locked = requests.try_lock(conn)
        conn.commit()
        if not locked:
            return Pass(Served.BUSY)
        try:
            return _serve_claimed(conn, params, max_attempts)
        finally:
            conn.rollback()
            requests.unlock(conn)
            conn.commit()


def _serve_claimed(conn: Connection, params: AnalysisParams, max_attempts: int) -> Pass:
    # Counting the attempt is committed before the run, so that a crash still counts.
    with Session(bind=conn) as session, session.begin():
        claimed = requests.claim_pending(session)
    if not claimed:
        return Pass(Served.IDLE)
    given_up = [r for r in claimed if r.attempts > max_attempts]
    if given_up:
        _record_failure(
            conn,
            given_up,
            params,
            f"the analysis was interrupted {max_attempts} times (the worker stopped or was "
            "killed during the run) and is not tried again for these requests",
        )
    todo = [r for r in claimed if r.attempts <= max_attempts]
    if not todo:
        return Pass(Served.FAILED, requests=len(given_up))
    asking = max(todo, key=lambda r: (r.batch_id or 0, r.id))
    ids = [r.id for r in todo]
    try:
        with Session(bind=conn) as session, session.begin():
            outcome = run_analysis(
                session, params, trigger="upload", actor=asking.actor, batch_id=asking.batch_id
            )
            requests.close_requests(session, ids, outcome.run_id)
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise  # the database went away: nothing can be recorded; a later pass retries
        log.exception("the analysis after batch %s failed", asking.batch_id)
        run_id = _record_failure(conn, todo, params, traceback.format_exc(limit=5))
        return Pass(Served.FAILED, run_id, len(todo))
    except Exception:
        log.exception("the analysis after batch %s failed", asking.batch_id)
        run_id = _record_failure(conn, todo, params, traceback.format_exc(limit=5))
        return Pass(Served.FAILED, run_id, len(todo))
    log.info(
        "analysis run %s (%s alerts, %.1f s) served %s request(s), newest batch %s",
        outcome.run_id,
        outcome.alerts,
        outcome.seconds,
        len(todo),
        asking.batch_id,
    )
    return Pass(Served.RAN, outcome.run_id, len(todo))


def _record_failure(
    conn: Connection, failed: Sequence[Request], params: AnalysisParams, error: str
) -> int:
    asking = max(failed, key=lambda r: (r.batch_id or 0, r.id))
    with Session(bind=conn) as session, session.begin():
        run_id = runs.start_run(session, "upload", asking.actor, asking.batch_id, params.as_json())
        runs.record_failure(session, run_id, error)
        requests.close_requests(session, [r.id for r in failed], run_id)
    return run_id


class AnalysisWorker:
    """Serves the queue of ``database_url`` until ``stop`` is set (after the run in
    progress, if any)."""

    def __init__(
        self,
        database_url: str,
        params: AnalysisParams,
        options: WorkerOptions,
        after_run: Callable[[int], object] | None = None,
    ) -> None:
        self._url = database_url
        self._params = params
        self._options = options
        # What follows a run (the performance framework's notifications), given by the
        # process that starts the worker: this package knows nothing of it.
        self._after_run = after_run
        self._listener: psycopg.Connection[tuple[object, ...]] | None = None

    def run(self, stop: threading.Event) -> None:
        engine = make_engine(self._url)
        try:
            while not stop.is_set():
                try:
                    # Listening before looking at the queue: no request falls in between.
                    self._listen()
                    done = serve_pending(engine, self._params, self._options.max_attempts)
                    if done.served is Served.RAN and done.run_id is not None:
                        self._followed(done.run_id)
                except (DBAPIError, psycopg.Error) as exc:
                    log.warning("the analysis queue is unreachable (%s); trying again", exc)
                    self._close_listener()
                    stop.wait(self._options.poll_s)
                    continue
                # Requests made during a run have notified meanwhile: the next run
                # follows once they go quiet. Without notifications, poll.
                if self._notified(stop, self._options.poll_s):
                    self._wait_for_quiet(stop)
        finally:
            self._close_listener()
            engine.dispose()

    def _followed(self, run_id: int) -> None:
        if self._after_run is None:
            return
        try:
            self._after_run(run_id)
        except Exception:  # what follows a run never stops the worker
            log.exception("what follows analysis run %s failed", run_id)

    def _notified(self, stop: threading.Event, timeout: float) -> bool:
        """Wait up to ``timeout`` for a request's notification (in steps of at most a
        second, so that a stop is noticed)."""
        deadline = time.monotonic() + timeout
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                listener = self._listen()
                if any(True for _ in listener.notifies(timeout=min(left, 1.0), stop_after=1)):
                    return True
            except psycopg.Error as exc:
                log.warning("lost the notification channel (%s); polling", exc)
                self._close_listener()
                stop.wait(min(left, 1.0))
        return False

    def _wait_for_quiet(self, stop: threading.Event) -> None:
        """Let uploads go quiet: a partner sending a year of monthly files gets one run
        after the last, not one per file."""
        latest = time.monotonic() + self._options.max_quiet_s
        while time.monotonic() < latest and self._notified(stop, self._options.quiet_s):
            pass

    def _listen(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._listener is None or self._listener.closed:
            self._listener = psycopg.connect(
                plain_url(self._url), autocommit=True, application_name=APPLICATION_NAME
            )
            self._listener.execute(f"LISTEN {requests.CHANNEL}".encode())
        return self._listener

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None


def wait_idle(database_url: str, timeout: float) -> bool:
    """Wait until no request is pending (none waiting, none in a run in progress): for
    tests, benchmarks and orderly shutdowns. False if ``timeout`` passes first."""
    engine = make_engine(database_url)
    try:
        factory = make_sessionmaker(engine)
        deadline = time.monotonic() + timeout
        while True:
            with session_scope(factory) as session:
                if requests.count_pending(session) == 0:
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
    finally:
        engine.dispose()
