"""Partners' uploads over real HTTP: a live server per test, on a fresh copy of a
database loaded once with Sheffield's geography, the default catalogue and keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.access.service import create_key, revoke_key
from app.access.viewer import CLI
from app.db import unit_of_work
from app.indicators.catalogue import default_catalogue
from app.indicators.service import import_catalogue
from app.settings import Settings
from tests.areas.conftest import GPKG, import_layer
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

LAYERS = [
    ("sheffield_lac_asc_localities_7", "lac", None),
    ("sheffield_wards2020_bgc", "ward", "lac"),
    ("sheffield_lsoa2011_bgc", "lsoa", "ward"),
]


@dataclass(frozen=True)
class Template:
    url: str
    keys: dict[str, str]


@pytest.fixture(scope="session")
def partner_template(databases: ThrowawayDatabases, shared_data: Path) -> Template:
    url = databases.create("partners")
    keys: dict[str, str] = {}
    with unit_of_work(url) as session:
        for layer, type_code, parent in LAYERS:
            import_layer(session, shared_data / GPKG, layer, type_code, parent)
        import_catalogue(session, CLI, default_catalogue())
        keys["admin"] = create_key(session, None, admin=True, label="test admin")
        for agency in ("police", "schools", "council", "fire", "health"):
            keys[agency] = create_key(session, agency, label=f"test {agency}")
        keys["revoked"] = create_key(session, "police", label="revoked")
        revoke_key(session, keys["revoked"])
    return Template(url, keys)


@dataclass
class Partners:
    """A live server on its own database, and clients holding each key."""

    url: str
    db_url: str
    keys: dict[str, str]

    def client(self, who: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[who]}"} if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)

    def sql(self, query: str, **params: Any) -> list[Any]:
        with unit_of_work(self.db_url) as session:
            return list(session.execute(text(query), params).all())


def _serve(
    template: Template, databases: ThrowawayDatabases, **settings: Any
) -> Iterator[Partners]:
    db_url = clone_database(template.url, "nis_test_partner", databases)
    # Background analysis is tested on its own (test_analysis.py); here it would only
    # slow the upload tests down.
    settings.setdefault("analysis_after_upload", False)
    with LiveServer(Settings(database_url=db_url, **settings)) as server:
        yield Partners(server.url, db_url, template.keys)


@pytest.fixture
def partners(partner_template: Template, databases: ThrowawayDatabases) -> Iterator[Partners]:
    yield from _serve(partner_template, databases)


@pytest.fixture
def small_limit_partners(
    partner_template: Template, databases: ThrowawayDatabases
) -> Iterator[Partners]:
    yield from _serve(partner_template, databases, max_upload_bytes=4096)
