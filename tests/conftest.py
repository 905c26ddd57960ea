"""Test fixtures over a real PostGIS.

Each run makes throwaway databases on the configured server (``NIS_DATABASE_URL``) or on
NIS's private cluster, applies the migrations once, and drops them at the end. Tests
that write get a connection whose transaction is rolled back afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.cluster import ensure_cluster, stop_cluster
from app.db import make_engine, plain_url
from app.dbadmin import create_database, drop_database
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings, load_settings
from tests.oidc import OidcProvider, start_oidc_provider

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
NIS = str(Path(sys.executable).parent / "nis")


def shared_data_dir() -> Path:
    """``../shared/data``; tests skip without it on a user's machine, never in CI."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_DATA} is missing in CI")
        pytest.skip(f"{SHARED_DATA} is not present on this machine")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return shared_data_dir()


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """The PostgreSQL server the tests use: ``NIS_DATABASE_URL``'s, or the private cluster,
    started on demand and stopped again at the end when this run started it (a test run
    leaves nothing running)."""
    settings = load_settings()
    if settings.database_url:
        yield plain_url(settings.database_url)
        return
    cluster, done = ensure_cluster(settings.data_dir)
    yield plain_url(cluster.url())
    if any(line.startswith("started") for line in done):
        stop_cluster(settings.data_dir)


class ThrowawayDatabases:
    """Databases made for this run, migrated once, dropped at the end."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.urls: list[str] = []

    def create(self, label: str) -> str:
        url = create_database(self.server_url, f"nis_test_{label}")
        self.urls.append(url)
        upgrade(url)
        return url

    def drop_all(self) -> None:
        for url in self.urls:
            drop_database(url)


@pytest.fixture(scope="session")
def databases(server_url: str) -> Iterator[ThrowawayDatabases]:
    dbs = ThrowawayDatabases(server_url)
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def db_url(databases: ThrowawayDatabases) -> str:
    """An empty, migrated database for tests that write (each rolled back)."""
    return databases.create("rw")


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    Services may flush and even commit (which releases a savepoint): nothing survives.
    """
    with engine.connect() as conn:
        trans = conn.begin()
        sess = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield sess
        finally:
            sess.close()
            trans.rollback()


class LiveServer:
    """A real uvicorn server in a thread, on a free port, for HTTP tests."""

    def __init__(self, settings: Settings) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{port}"
        self.app = create_app(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


class AnalysisWorkers:
    """``nis worker`` processes on a database, as ``nis serve`` starts them beside the web
    server (tests start them themselves: the test server's app never analyses)."""

    def __init__(self, database_url: str, count: int = 1, **settings: str) -> None:
        self.database_url = database_url
        self._env = {
            **os.environ,
            "NIS_DATABASE_URL": database_url,
            "NIS_ANALYSIS_QUIET_S": "0.2",
            "NIS_ANALYSIS_POLL_S": "0.5",
            **{f"NIS_{k.upper()}": v for k, v in settings.items()},
        }
        self.procs: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []
        for _ in range(count):
            self.add()

    def add(self) -> subprocess.Popen[bytes]:
        """Start one more worker."""
        log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__)
        proc = subprocess.Popen([NIS, "worker"], env=self._env, stderr=log)
        self.procs.append(proc)
        self._logs.append(log)
        return proc

    def log(self, proc: subprocess.Popen[bytes]) -> str:
        """What a worker has written to standard error."""
        out = self._logs[self.procs.index(proc)]
        out.seek(0)
        return out.read().decode(errors="replace")

    def wait_idle(self, timeout: float = 120) -> None:
        """Until no analysis is pending or running (every request served)."""
        from app.analysis.worker import wait_idle

        assert wait_idle(self.database_url, timeout), "the analysis workers did not finish"

    def __enter__(self) -> AnalysisWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for out in self._logs:
            out.close()


@pytest.fixture(scope="session")
def demo_template(databases: ThrowawayDatabases) -> str:
    """A database where ``nis demo --no-serve`` has run (Sheffield's LSOAs, every agency's
    indicators with three years of generated values, an analysis with alerts). Nothing
    stays connected to it, so tests clone it (:func:`clone_database`)."""
    url = databases.create("demo")
    env = {**os.environ, "NIS_DATABASE_URL": url}
    done = subprocess.run(
        # Without the wards: the suite's demo is the LSOA city (tests/test_demo_wards.py
        # loads the wards on a copy).
        [NIS, "demo", "--no-serve", "--no-wards"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return url


def clone_database(template_url: str, prefix: str, databases: ThrowawayDatabases) -> str:
    """A copy of a loaded database (PostgreSQL's TEMPLATE), dropped with the others."""
    url = create_database(databases.server_url, prefix, template=template_url)
    databases.urls.append(url)
    return url


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    """A real OpenID provider on loopback (npm's oidc-provider, see tests/oidc.py) with the
    default accounts and clients, stopped at the end of the run."""
    with start_oidc_provider() as provider:
        yield provider
