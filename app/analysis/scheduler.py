"""Analysis in the background after uploads that change data: the upload does not wait.

One worker thread per app. A run starts once uploads have gone quiet for a moment
(``quiet_s``), and requests made while a run is in progress coalesce into one more run,
which sees every upload that asked for it. A run waits until the batch that
asked for it is committed (the request's transaction ends after the route returns), and
is dropped if that batch never appears (its upload was rolled back).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback

from sqlalchemy.orm import Session, sessionmaker

from app.analysis import repository as repo
from app.analysis.params import AnalysisParams
from app.analysis.service import run_analysis
from app.db import session_scope

log = logging.getLogger(__name__)

COMMIT_WAIT_S = 30.0


class AnalysisScheduler:
    def __init__(
        self, factory: sessionmaker[Session], params: AnalysisParams, quiet_s: float = 2.0
    ) -> None:
        self._factory = factory
        self._params = params
        self._quiet_s = quiet_s
        self._wake = threading.Condition()
        self._pending: list[tuple[int, str]] = []
        self._busy = False
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="nis-analysis", daemon=True)
        self._thread.start()

    def after_upload(self, batch_id: int, actor: str) -> None:
        """Ask for a run once batch ``batch_id`` is committed; returns at once."""
        with self._wake:
            self._pending.append((batch_id, actor))
            self._wake.notify()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is pending or running (for tests and orderly shutdown)."""
        deadline = time.monotonic() + timeout
        with self._wake:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(left)
        return True

    def close(self, timeout: float = 60.0) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        self._thread.join(timeout)

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closed:
                    self._wake.wait()
                # Wait for uploads to go quiet: a partner sending a year of monthly files
                # gets one run after the last, not one per file.
                while not self._closed:
                    waiting = len(self._pending)
                    self._wake.wait(self._quiet_s)
                    if len(self._pending) == waiting:
                        break
                if self._closed:
                    return
                requests, self._pending = self._pending, []
                self._busy = True
            try:
                self._run(requests)
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()

    def _run(self, requests: list[tuple[int, str]]) -> None:
        committed = [(b, a) for b, a in requests if self._wait_for_commit(b)]
        if not committed:
            return
        batch_id, actor = max(committed)
        run_id = None
        try:
            with session_scope(self._factory) as session:
                run_id = run_analysis(
                    session, self._params, trigger="upload", actor=actor, batch_id=batch_id
                ).run_id
        except Exception:
            log.exception("the analysis after batch %s failed", batch_id)
            self._record_failure(batch_id, actor, traceback.format_exc(limit=5))
        else:
            log.info("analysis run %s after batch %s", run_id, batch_id)

    def _wait_for_commit(self, batch_id: int) -> bool:
        deadline = time.monotonic() + COMMIT_WAIT_S
        while time.monotonic() < deadline and not self._closed:
            with session_scope(self._factory) as session:
                if repo.batch_exists(session, batch_id):
                    return True
            time.sleep(0.1)
        return False

    def _record_failure(self, batch_id: int, actor: str, error: str) -> None:
        try:
            with session_scope(self._factory) as session:
                run_id = repo.start_run(session, "upload", actor, batch_id, self._params.as_json())
                repo.record_failure(session, run_id, error)
        except Exception:
            log.exception("could not record the failed analysis")
