"""Pages of an indicator layer share one classification, and never outlive the data."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from app.db import unit_of_work
from app.settings import Settings
from app.snapshots import SnapshotCache
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database
from tests.partners.conftest import Template

LAYER = "accidental_dwelling_fires"


@pytest.fixture(scope="module")
def live(partner_template: Template, databases: ThrowawayDatabases) -> Iterator[LiveServer]:
    url = clone_database(partner_template.url, "nis_test_read_cache", databases)
    with LiveServer(Settings(database_url=url, analysis_after_upload=False)) as server:
        yield server


def _upload(live: LiveServer, key: str, value: int) -> None:
    response = httpx.post(
        f"{live.url}/api/observations",
        content=f"area_code,period,indicator,value\nE01007824,2020-01,{LAYER},{value}\n".encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text


def _all_pages(live: LiveServer) -> dict[str, dict[str, object]]:
    features = {}
    for offset in range(0, 345, 100):
        page = httpx.get(f"{live.url}/ogc/collections/{LAYER}/items",
                         params={"limit": 100, "offset": offset})  # fmt: skip
        assert page.status_code == 200, page.text
        features.update({f["id"]: f["properties"] for f in page.json()["features"]})
    return features


def test_pages_share_the_work_and_see_changes_at_once(
    live: LiveServer, partner_template: Template
) -> None:
    cache: SnapshotCache = live.app.state.read_cache
    fire = partner_template.keys["fire"]
    _upload(live, fire, 4)

    def misses_over_all_pages() -> int:
        before = cache.misses
        features = _all_pages(live)
        assert len(features) == 345
        return cache.misses - before

    assert misses_over_all_pages() > 0
    # Nothing changed: every page reuses the first one's work (twice, in case a background
    # write, such as autovacuum, gave the database a new snapshot once).
    assert min(misses_over_all_pages(), misses_over_all_pages()) == 0

    _upload(live, fire, 9)  # a revision: seen by the very next read
    assert _all_pages(live)["E01007824"]["value"] == 9
    values = httpx.get(f"{live.url}/api/maps/{LAYER}", params={"geometry": "false"}).json()
    assert values["areas"]["E01007824"]["value"] == 9
    _upload(live, fire, 5)
    assert _all_pages(live)["E01007824"]["value"] == 5


def test_an_officers_audited_read_does_not_cost_everyone_the_cache(
    live: LiveServer, partner_template: Template
) -> None:
    """Restricted reads write their audit rows, which are no change to data: the public's
    map is worked out once however many officers look in between."""
    cache: SnapshotCache = live.app.state.read_cache
    officer = {"Authorization": f"Bearer {partner_template.keys['police']}"}
    path = f"{live.url}/api/maps/{LAYER}"
    httpx.get(path, params={"geometry": "false"})
    httpx.get(path, params={"geometry": "false"}, headers=officer)
    audited = cache.misses
    for _ in range(3):
        looked = httpx.get(path, params={"geometry": "false"}, headers=officer)
        assert looked.status_code == 200
        assert httpx.get(path, params={"geometry": "false"}).status_code == 200
    assert cache.misses == audited
    with unit_of_work(live.app.state.settings.database_url) as session:
        reads = session.execute(
            text("SELECT count(*) FROM audit_event WHERE action = 'read' AND indicator = :i"),
            {"i": LAYER},
        ).scalar_one()
    assert reads >= 4  # one per officer request
