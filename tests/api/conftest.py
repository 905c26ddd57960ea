"""A live NIS server (real uvicorn, real HTTP) over a database loaded with Sheffield."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.db import unit_of_work
from app.settings import Settings
from tests.areas.conftest import GPKG, import_layer
from tests.conftest import LiveServer, ThrowawayDatabases

LOADED = [
    ("sheffield_lac_asc_localities_7", "lac", None),
    ("sheffield_wards2020_bgc", "ward", "lac"),
    ("sheffield_msoa2011_bgc", "msoa", None),
    ("sheffield_lsoa2011_bgc", "lsoa", "ward"),
]


@pytest.fixture(scope="session")
def loaded_db_url(databases: ThrowawayDatabases, shared_data: Path) -> str:
    url = databases.create("api")
    with unit_of_work(url) as session:
        for layer, type_code, parent in LOADED:
            import_layer(session, shared_data / GPKG, layer, type_code, parent)
    return url


@pytest.fixture(scope="session")
def base_url(loaded_db_url: str) -> Iterator[str]:
    with LiveServer(Settings(database_url=loaded_db_url)) as server:
        yield server.url


@pytest.fixture(scope="session")
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        yield client
