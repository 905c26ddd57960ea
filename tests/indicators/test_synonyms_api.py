"""GET /api/indicators returns the synonyms the catalogue declares, which the page's
indicator search matches ("truancy" finds persistent absence)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database


@pytest.fixture(scope="module")
def site(demo_template: str, databases: ThrowawayDatabases) -> Iterator[str]:
    url = clone_database(demo_template, "nis_test_synonyms", databases)
    with LiveServer(Settings(database_url=url, analysis_after_upload=False)) as server:
        yield server.url


def test_the_catalogue_lists_each_indicators_synonyms(site: str) -> None:
    response = httpx.get(f"{site}/api/indicators", timeout=60)
    assert response.status_code == 200
    by_code = {i["code"]: i for i in response.json()}
    assert "truancy" in by_code["persistent_absence"]["synonyms"]
    assert "vandalism" in by_code["criminal_damage_arson"]["synonyms"]
    assert all(isinstance(i["synonyms"], list) for i in by_code.values())


def test_one_indicator_carries_its_synonyms_too(site: str) -> None:
    response = httpx.get(f"{site}/api/indicators/persistent_absence", timeout=60)
    assert response.status_code == 200
    assert "truancy" in response.json()["synonyms"]
