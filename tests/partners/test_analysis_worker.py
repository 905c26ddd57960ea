"""Analysis off the web workers: uploads queue requests in PostgreSQL, in their own
transaction; ``nis worker`` processes serve them, one run at a time however many there
are, and a run that fails or whose worker dies is reported or run again."""

from __future__ import annotations

import itertools
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from app.access.viewer import CLI
from app.analysis.request_repository import CHANNEL, RUN_LOCK
from app.analysis.trigger import AnalysisTrigger
from app.db import plain_url, unit_of_work
from app.settings import Settings
from app.uploads.layouts.observation_rows import ObservationRow, ParsedObservations
from app.uploads.observation_uploads import store_observations
from app.uploads.reading import RowErrors
from tests.conftest import AnalysisWorkers, LiveServer, ThrowawayDatabases, clone_database
from tests.partners.conftest import Partners, Template


@pytest.fixture
def queued(partner_template: Template, databases: ThrowawayDatabases) -> Iterator[Partners]:
    """A live server whose uploads ask for analyses (no worker is running)."""
    db_url = clone_database(partner_template.url, "nis_test_worker", databases)
    with LiveServer(Settings(database_url=db_url, analysis_after_upload=True)) as server:
        yield Partners(server.url, db_url, partner_template.keys)


def _codes(partners: Partners) -> list[str]:
    return [r.code for r in partners.sql("SELECT code FROM area WHERE type_code = 'lsoa'")]


def _upload(partners: Partners, codes: list[str], round_: int) -> int:
    """The council's population, different every round (so that every upload changes
    data and asks for a run)."""
    body = "area_code,period,indicator,value\n" + "".join(
        f"{code},2020,population,{1000 + (i * 7 + round_) % 97}\n" for i, code in enumerate(codes)
    )
    response = partners.client("council").post(
        "/api/observations", content=body.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["changed"]
    return int(response.json()["batch"])


def _requests(partners: Partners) -> list[Any]:
    return partners.sql(
        "SELECT id, batch_id, attempts, run_id, done_at FROM analysis_request ORDER BY id"
    )


def _runs(partners: Partners) -> list[Any]:
    return partners.sql(
        "SELECT id, trigger, batch_id, status, error, started_at, finished_at "
        "FROM analysis_run ORDER BY id"
    )


def test_the_web_process_queues_the_analysis_and_does_not_run_it(queued: Partners) -> None:
    batch = _upload(queued, _codes(queued), 1)
    time.sleep(3)  # the old in-process scheduler would have run by now (quiet_s = 2)
    assert _runs(queued) == []
    [request] = _requests(queued)
    assert (request.batch_id, request.attempts, request.run_id) == (batch, 0, None)
    with AnalysisWorkers(queued.db_url) as workers:
        workers.wait_idle()
    [run] = _runs(queued)
    assert (run.trigger, run.batch_id, run.status) == ("upload", batch, "done")
    [request] = _requests(queued)
    assert (request.run_id, request.attempts) == (run.id, 1)


def test_a_refused_upload_asks_for_nothing(queued: Partners) -> None:
    refused = queued.client("council").post(
        "/api/observations",
        content=b"area_code,period,indicator,value\nE09999999,2020,population,1\n",
        headers={"Content-Type": "text/csv"},
    )
    assert refused.status_code == 422
    assert _requests(queued) == []


def test_a_rolled_back_upload_asks_for_nothing(queued: Partners) -> None:
    codes = _codes(queued)
    parsed = ParsedObservations(
        rows=[ObservationRow(2, codes[0], "2020", "population", 1234.0, None, None)],
        row_errors=RowErrors(),
        layout="long",
        encoding="utf-8",
        notes=[],
    )
    fields: dict[str, str | None] = {"filename": "t.csv", "content_type": None, "sha256": None}
    with psycopg.connect(plain_url(queued.db_url), autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}".encode())

        def store_and_ask(fail: bool) -> int | None:
            """What the upload route does, in the request's one transaction."""
            with unit_of_work(queued.db_url) as session:
                stored = store_observations(session, CLI, parsed, fields)
                AnalysisTrigger(session, enabled=True).after_change(stored.batch_id, CLI.actor)
                if fail:
                    raise RuntimeError("the response could not be sent")
            return stored.batch_id

        with pytest.raises(RuntimeError):
            store_and_ask(fail=True)
        assert not list(listener.notifies(timeout=1))
        assert queued.sql("SELECT id FROM batch") == []
        assert _requests(queued) == []
        # The same, committed: one batch, one request, one notification.
        batch = store_and_ask(fail=False)
        assert len(list(listener.notifies(timeout=5, stop_after=1))) == 1
    assert [r.batch_id for r in _requests(queued)] == [batch]


def test_two_workers_never_run_one_request_twice(queued: Partners) -> None:
    codes = _codes(queued)
    with AnalysisWorkers(queued.db_url, count=2) as workers:
        batches = []
        for round_ in range(8):
            batches.append(_upload(queued, codes, round_))
            time.sleep(0.15 * (round_ % 4))  # bursts and pauses: some runs serve several
        workers.wait_idle()
        assert all(p.poll() is None for p in workers.procs)  # both lived throughout
    requests = _requests(queued)
    runs = {r.id: r for r in _runs(queued)}
    assert [r.batch_id for r in requests] == batches
    assert all(r.attempts == 1 and r.run_id in runs for r in requests)
    # Every run served some requests (none ran for nothing, or again), and each was the
    # run of the newest batch among those it served.
    served: dict[int, list[int]] = {}
    for r in requests:
        served.setdefault(r.run_id, []).append(r.batch_id)
    assert set(served) == set(runs)
    assert all(runs[run].batch_id == max(b) for run, b in served.items())
    assert all(r.status == "done" for r in runs.values())
    # One at a time: no two runs overlap.
    spans = sorted((r.started_at, r.finished_at) for r in runs.values())
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def _lock_holder(partners: Partners) -> list[Any]:
    return partners.sql(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND ((classid::bigint << 32) | objid::bigint) = :k",
        k=RUN_LOCK,
    )


def test_a_run_whose_worker_dies_is_run_again(queued: Partners) -> None:
    batch = _upload(queued, _codes(queued), 1)
    with psycopg.connect(plain_url(queued.db_url)) as blocker:
        # The run will wait for this lock when it writes its record: the worker is then
        # mid-run, with the requests claimed, when it is killed.
        blocker.execute(b"LOCK TABLE analysis_run IN EXCLUSIVE MODE")
        with AnalysisWorkers(queued.db_url) as workers:
            deadline = time.monotonic() + 60
            while not (_lock_holder(queued) and _requests(queued)[0].attempts == 1):
                assert time.monotonic() < deadline, workers.log(workers.procs[0])
                time.sleep(0.1)
            os.kill(workers.procs[0].pid, signal.SIGKILL)
            workers.procs[0].wait()
            blocker.rollback()
            workers.add()
            workers.wait_idle()
    [request] = _requests(queued)
    assert request.attempts == 2
    [run] = _runs(queued)  # the killed run left nothing behind
    assert (run.id, run.batch_id, run.status) == (request.run_id, batch, "done")


def test_a_run_interrupted_too_often_is_reported(queued: Partners) -> None:
    _upload(queued, _codes(queued), 1)
    queued.sql("UPDATE analysis_request SET attempts = 3 RETURNING id")  # three crashes
    with AnalysisWorkers(queued.db_url) as workers:
        workers.wait_idle()
    [run] = _runs(queued)
    assert run.status == "failed"
    assert "interrupted 3 times" in run.error
    assert _requests(queued)[0].run_id == run.id


def test_a_run_that_fails_is_reported_and_not_retried(queued: Partners) -> None:
    batch = _upload(queued, _codes(queued), 1)
    with AnalysisWorkers(queued.db_url, analysis_area_types="lsoa,nowhere") as workers:
        workers.wait_idle()
        time.sleep(1)  # a few more polls: nothing is run again
    [run] = _runs(queued)
    assert (run.batch_id, run.status) == (batch, "failed")
    assert "Unknown area type 'nowhere'" in run.error
    [request] = _requests(queued)
    assert (request.attempts, request.run_id) == (1, run.id)
    failed = queued.client("admin").get(f"/api/analysis/runs/{run.id}").json()
    assert failed["status"] == "failed"
    assert failed["error"]
