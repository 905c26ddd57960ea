"""A live NIS server (real uvicorn, real HTTP) over a database loaded with Sheffield."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from app.db import make_engine, make_sessionmaker, session_scope
from app.main import create_app
from app.settings import Settings
from tests.areas.conftest import GPKG, import_layer
from tests.conftest import ThrowawayDatabases

LOADED = [
    ("sheffield_lac_asc_localities_7", "lac", None),
    ("sheffield_wards2020_bgc", "ward", "lac"),
    ("sheffield_msoa2011_bgc", "msoa", None),
    ("sheffield_lsoa2011_bgc", "lsoa", "ward"),
]


@pytest.fixture(scope="session")
def loaded_db_url(databases: ThrowawayDatabases, shared_data: Path) -> str:
    url = databases.create("api")
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            for layer, type_code, parent in LOADED:
                import_layer(session, shared_data / GPKG, layer, type_code, parent)
    finally:
        engine.dispose()
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def base_url(loaded_db_url: str) -> Iterator[str]:
    port = _free_port()
    app = create_app(Settings(database_url=loaded_db_url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        yield client
