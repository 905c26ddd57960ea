"""What a partner's view holds that the public's does not is marked "Partners only — not
for publication" wherever it leaves the server: the map's GeoJSON and legend, its PNG and
HTML exports, the observations' CSV and JSON, and the layer downloads (GeoJSON, CSV,
GeoPackage); the public's are not, nor a partner's view of a public indicator without
small counts. Over real HTTP on the demo city, as an officer's read key."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import httpx
import pytest
from PIL import Image

from app.access.policy import MARKING
from app.access.service import create_key
from app.db import unit_of_work
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

SMALL_COUNTS = "accidental_dwelling_fires"  # public, small counts suppressed (threshold 3)
PARTNERS_ONLY = "fsm_eligible"
UNRESTRICTED = "all_crime"  # public, no threshold: a partner sees what the public sees


@dataclass(frozen=True)
class Site:
    url: str
    key: str

    def get(self, path: str, partner: bool, **headers: str) -> httpx.Response:
        if partner:
            headers["Authorization"] = f"Bearer {self.key}"
        response = httpx.get(f"{self.url}{path}", headers=headers, timeout=120)
        assert response.status_code == 200, response.text[:300]
        return response


@pytest.fixture(scope="module")
def site(demo_template: str, databases: ThrowawayDatabases) -> Iterator[Site]:
    url = clone_database(demo_template, "nis_test_marking", databases)
    with unit_of_work(url) as session:
        key = create_key(session, "police", scope="read", label="an officer's reads")
    with LiveServer(Settings(database_url=url, analysis_after_upload=False)) as server:
        yield Site(server.url, key)


@pytest.mark.parametrize("indicator", [SMALL_COUNTS, PARTNERS_ONLY])
def test_a_partners_map_is_marked_at_its_top_and_in_its_legend(site: Site, indicator: str) -> None:
    body = site.get(f"/api/maps/{indicator}?type=lsoa", partner=True).json()
    assert body["marking"] == MARKING
    assert body["legend"]["marking"] == MARKING
    values = site.get(f"/api/maps/{indicator}?type=lsoa&geometry=false", partner=True).json()
    assert values["legend"]["marking"] == MARKING


def test_the_publics_map_is_not_marked_and_offers_the_sign_in(site: Site) -> None:
    body = site.get(f"/api/maps/{SMALL_COUNTS}?type=lsoa", partner=False).json()
    assert body["marking"] is None
    assert body["legend"]["marking"] is None
    assert body["legend"]["suppressed"]["count"] > 0
    assert "sign in as a partner" in body["legend"]["suppressed"]["why"]


def test_partners_are_not_told_to_sign_in(site: Site) -> None:
    legend = site.get(f"/api/maps/{SMALL_COUNTS}?type=lsoa&geometry=false", partner=True).json()
    assert legend["legend"]["suppressed"]["count"] == 0
    assert "sign in" not in legend["legend"]["suppressed"]["why"]


def test_a_partners_view_of_what_anyone_sees_is_not_marked(site: Site) -> None:
    assert site.get(f"/api/maps/{UNRESTRICTED}?type=lsoa", partner=True).json()["marking"] is None
    png = site.get(f"/api/maps/{UNRESTRICTED}/export.png?type=lsoa", partner=True)
    assert "Warning" not in Image.open(io.BytesIO(png.content)).text  # type: ignore[attr-defined]


def test_the_png_export_carries_the_marking(site: Site) -> None:
    marked = site.get(f"/api/maps/{SMALL_COUNTS}/export.png?type=lsoa", partner=True)
    assert Image.open(io.BytesIO(marked.content)).text["Warning"] == MARKING  # type: ignore[attr-defined]
    public = site.get(f"/api/maps/{SMALL_COUNTS}/export.png?type=lsoa", partner=False)
    assert "Warning" not in Image.open(io.BytesIO(public.content)).text  # type: ignore[attr-defined]


def test_the_html_export_shows_a_banner_within_its_policy(site: Site) -> None:
    marked = site.get(f"/api/maps/{SMALL_COUNTS}/export.html?type=lsoa", partner=True).text
    assert f'<div class="nis-marking" role="note">{MARKING}</div>' in marked
    assert f"<title>{MARKING}: " in marked
    assert "'unsafe-inline'" not in marked
    public = site.get(f"/api/maps/{SMALL_COUNTS}/export.html?type=lsoa", partner=False).text
    assert MARKING not in public


def test_the_observations_csv_has_a_first_column_marking(site: Site) -> None:
    path = f"/api/observations?indicator={SMALL_COUNTS}&type=lsoa&period=2023-12"
    rows = list(csv.reader(io.StringIO(site.get(path, True, Accept="text/csv").text)))
    assert rows[0][0] == "marking"
    assert rows[0][1] == "area_code"
    assert len(rows) > 1
    assert {r[0] for r in rows[1:]} == {MARKING}
    assert site.get(path, partner=True).json()["marking"] == MARKING
    public = list(csv.reader(io.StringIO(site.get(path, False, Accept="text/csv").text)))
    assert "marking" not in public[0]
    assert site.get(path, partner=False).json()["marking"] is None


def test_the_downloads_are_marked_in_every_format(site: Site, tmp_path: Path) -> None:
    base = f"/api/downloads/{SMALL_COUNTS}"
    assert site.get(f"{base}.geojson", partner=True).json()["marking"] == MARKING
    rows = list(csv.DictReader(io.StringIO(site.get(f"{base}.csv", partner=True).text)))
    assert next(iter(rows[0])) == "marking"
    assert {r["marking"] for r in rows} == {MARKING}
    saved = tmp_path / "layer.gpkg"
    saved.write_bytes(site.get(f"{base}.gpkg", partner=True).content)
    assert set(gpd.read_file(saved)["marking"]) == {MARKING}  # QGIS shows it as an attribute

    assert site.get(f"{base}.geojson", partner=False).json()["marking"] is None
    public = csv.DictReader(io.StringIO(site.get(f"{base}.csv", partner=False).text))
    assert "marking" not in (public.fieldnames or [])


def test_ogc_items_of_an_indicator_layer_are_marked(site: Site) -> None:
    items = site.get(f"/ogc/collections/{PARTNERS_ONLY}/items?limit=2", partner=True).json()
    assert items["marking"] == MARKING
    areas = site.get("/ogc/collections/lsoa/items?limit=2", partner=True).json()
    assert "marking" not in areas  # an area type's layer holds no one's values


def test_answers_that_depend_on_the_viewer_vary_and_a_partners_are_private(site: Site) -> None:
    for path in (
        f"/api/maps/{SMALL_COUNTS}/export.png?type=lsoa",
        f"/api/maps/{SMALL_COUNTS}?type=lsoa&geometry=false",
        f"/api/downloads/{SMALL_COUNTS}.csv",
        f"/api/observations?indicator={SMALL_COUNTS}&type=lsoa&period=2023-12",
    ):
        partner = site.get(path, partner=True)
        public = site.get(path, partner=False)
        for response in (partner, public):
            assert response.headers["vary"] == "Cookie, Authorization", path
        assert partner.headers["cache-control"] == "private", path
        assert "private" not in public.headers.get("cache-control", ""), path
