"""OGC API - Features at /ogc, read by real clients: GDAL's OAPIF driver and OWSLib,
over real HTTP against a live server on Sheffield's localities, wards and LSOAs."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import httpx
import pytest
from owslib.ogcapi.features import Features

from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database
from tests.partners.conftest import Template

COUNTS = {"lac": 7, "ward": 28, "lsoa": 345}


@pytest.fixture(scope="module")
def site(partner_template: Template, databases: ThrowawayDatabases) -> Iterator[str]:
    url = clone_database(partner_template.url, "nis_test_ogc", databases)
    with LiveServer(Settings(database_url=url, analysis_after_upload=False)) as server:
        yield server.url


def test_the_landing_page_links_a_genuine_openapi_30_document(site: str) -> None:
    landing = httpx.get(f"{site}/ogc", headers={"Accept": "*/*"})
    assert landing.status_code == 200
    assert landing.headers["content-type"].startswith("application/json")
    links = {link["rel"]: link for link in landing.json()["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= set(links)
    desc = links["service-desc"]
    assert desc["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert desc["href"].startswith("http://")
    document = httpx.get(desc["href"]).json()
    assert document["openapi"].startswith("3.0.")
    params = document["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    limit = next(p for p in params if p["name"] == "limit")
    assert limit["schema"]["default"] == 10
    assert limit["schema"]["maximum"] == 10_000
    conformance = httpx.get(links["conformance"]["href"]).json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance


def test_collections_are_the_area_types_with_counts_and_extents(site: str) -> None:
    body = httpx.get(f"{site}/ogc/collections").json()
    found = {c["id"]: c for c in body["collections"]}
    assert {k: found[k]["itemCount"] for k in COUNTS} == COUNTS
    lsoa = found["lsoa"]
    assert lsoa["itemType"] == "feature"
    minx, miny, maxx, maxy = lsoa["extent"]["spatial"]["bbox"][0]
    assert -1.9 < minx < maxx < -1.3
    assert 53.2 < miny < maxy < 53.6


def test_items_page_with_absolute_links(site: str) -> None:
    first = httpx.get(f"{site}/ogc/collections/lsoa/items", params={"limit": 100}).json()
    assert first["numberMatched"] == 345
    assert first["numberReturned"] == 100
    assert first["timeStamp"].endswith("Z")
    links = {link["rel"]: link["href"] for link in first["links"]}
    assert "prev" not in links
    assert links["next"].startswith("http://")
    assert "offset=100" in links["next"]
    last = httpx.get(f"{site}/ogc/collections/lsoa/items", params={"limit": 100, "offset": 300})
    body = last.json()
    assert body["numberReturned"] == 45
    rels = {link["rel"] for link in body["links"]}
    assert "next" not in rels
    assert "prev" in rels
    one = httpx.get(f"{site}/ogc/collections/lsoa/items/{body['features'][0]['id']}")
    assert one.status_code == 200
    assert one.json()["type"] == "Feature"


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/ogc/collections/lsoa/items", {"limit": 0}, 400),
        ("/ogc/collections/lsoa/items", {"limit": 10_001}, 400),
        ("/ogc/collections/lsoa/items", {"bbox": "1,2,3"}, 400),
        ("/ogc/collections/nothing", {}, 404),
        ("/ogc/collections/nothing/items", {}, 404),
        ("/ogc/collections/lsoa/items/E09999999", {}, 404),
    ],
)
def test_bad_requests_are_problems(
    site: str, path: str, params: dict[str, object], status: int
) -> None:
    response = httpx.get(f"{site}{path}", params=params)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


def test_gdal_lists_and_reads_every_collection(site: str) -> None:
    listing = subprocess.run(
        ["ogrinfo", "-ro", f"OAPIF:{site}/ogc"], capture_output=True, text=True, timeout=120
    )
    assert listing.returncode == 0, listing.stderr
    for name in COUNTS:
        assert f": {name} (" in listing.stdout
    for name, count in COUNTS.items():
        for options in ([], ["-oo", "PAGE_SIZE=7"]):
            read = subprocess.run(
                ["ogrinfo", "-ro", "-al", "-q", *options, f"OAPIF:{site}/ogc", name],
                capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert read.returncode == 0, read.stderr
            assert read.stdout.count("OGRFeature") == count, (name, options)
            assert "code (String) =" in read.stdout


def test_ogr2ogr_round_trips_the_geometries(site: str, tmp_path: Path) -> None:
    out = tmp_path / "wards.gpkg"
    done = subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{site}/ogc", "ward"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    copied = gpd.read_file(out).set_index("code").sort_index()
    served = gpd.read_file(f"{site}/api/areas?type=ward").set_index("code").sort_index()
    assert list(copied.index) == list(served.index)
    gaps = copied.geometry.to_crs(27700).symmetric_difference(served.geometry.to_crs(27700))
    assert gaps.area.max() < 1.0  # square metres


def test_owslib_pages_through_and_filters(site: str) -> None:
    client = Features(f"{site}/ogc")
    ids = {c["id"] for c in client.collections()["collections"]}
    assert set(COUNTS) <= ids
    seen: list[str] = []
    offset = 0
    while True:
        page = client.collection_items("lsoa", limit=50, offset=offset)
        seen += [f["id"] for f in page["features"]]
        offset += 50
        if offset >= page["numberMatched"]:
            break
    assert len(seen) == len(set(seen)) == 345
    box = [-1.5, 53.37, -1.45, 53.39]
    inside = client.collection_items("lsoa", bbox=box, limit=1000)
    direct = httpx.get(
        f"{site}/api/areas", params={"type": "lsoa", "bbox": ",".join(map(str, box))}
    )
    assert inside["numberMatched"] == len(direct.json()["features"]) > 0
