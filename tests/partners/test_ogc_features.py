"""OGC API - Features at /ogc, read by real clients: GDAL's OAPIF driver and OWSLib,
over real HTTP against a live server on Sheffield's localities, wards and LSOAs."""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import httpx
import mapbox_vector_tile
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
        # Two months of dwelling fires in three LSOAs: 1 is below the disclosure threshold
        # (3), and 3, the smallest other, is hidden with it (or every LSOA together, less
        # 4, would give the 1 back); 4 is published.
        body = "area_code,period,indicator,value\n" + "".join(
            f"{code},{month},accidental_dwelling_fires,{n}\n"
            for month in ("2020-01", "2020-02")
            for code, n in (("E01007823", 1), ("E01007824", 4), ("E01007825", 3))
        )
        response = httpx.post(
            f"{server.url}/api/observations",
            content=body.encode(),
            headers={"Authorization": f"Bearer {partner_template.keys['fire']}",
                     "Content-Type": "text/csv"},
        )  # fmt: skip
        assert response.status_code == 200, response.text
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
    assert limit["schema"]["maximum"] == 100_000
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
        ("/ogc/collections/lsoa/items", {"limit": 100_001}, 400),
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


def test_indicator_layers_carry_values_for_a_period(site: str) -> None:
    body = httpx.get(f"{site}/ogc/collections").json()
    layer = next(c for c in body["collections"] if c["id"] == "accidental_dwelling_fires")
    assert layer["itemCount"] == 345  # its first published area type with areas: LSOAs
    page = httpx.get(
        f"{site}/ogc/collections/accidental_dwelling_fires/items",
        params={"limit": 1000, "datetime": "2020-01-15"},
    ).json()
    assert page["numberMatched"] == 345
    props = {f["id"]: f["properties"] for f in page["features"]}
    assert props["E01007824"]["value"] == 4
    assert props["E01007824"]["period"] == "2020-01"
    assert props["E01007823"]["status"] == "suppressed"  # public: a small count
    assert props["E01007823"]["value"] is None
    assert props["E01007826"]["status"] == "no data"
    bad = httpx.get(f"{site}/ogc/collections/accidental_dwelling_fires/items",
                    params={"datetime": "2031-01-01"})  # fmt: skip
    assert bad.status_code == 400


def test_gdal_reads_an_indicator_layer(site: str) -> None:
    read = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", f"OAPIF:{site}/ogc", "accidental_dwelling_fires"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert read.returncode == 0, read.stderr
    assert "Feature Count: 345" in read.stdout
    for field in ("value:", "status:", "period:"):
        assert field in read.stdout


def test_owslib_filters_indicator_layers_by_datetime(site: str) -> None:
    client = Features(f"{site}/ogc")
    items = client.collection_items("accidental_dwelling_fires", datetime_="2020-02-10", limit=1000)
    periods = {f["properties"]["period"] for f in items["features"]}
    assert periods == {"2020-02"}


def test_british_national_grid_by_reference(site: str) -> None:
    bng = "http://www.opengis.net/def/crs/EPSG/0/27700"
    lonlat = httpx.get(f"{site}/ogc/collections/ward/items", params={"limit": 1}).json()
    response = httpx.get(f"{site}/ogc/collections/ward/items", params={"limit": 1, "crs": bng})
    assert response.status_code == 200, response.text
    assert response.headers["content-crs"] == f"<{bng}>"
    feature = response.json()["features"][0]
    assert feature["id"] == lonlat["features"][0]["id"]
    x, y = feature["geometry"]["coordinates"][0][0][0]
    assert 400_000 < x < 460_000  # eastings and northings of Sheffield
    assert 370_000 < y < 410_000
    # A bbox given in British National Grid selects what the same box in lon/lat does.
    box = httpx.get(
        f"{site}/ogc/collections/lsoa/items",
        params={"limit": 1000, "bbox": "435000,386000,437000,388000", "bbox-crs": bng},
    ).json()
    assert 0 < box["numberMatched"] < 345
    assert (
        httpx.get(f"{site}/ogc/collections/lsoa/items", params={"crs": "EPSG:3857"}).status_code
        == 400
    )
    collection = httpx.get(f"{site}/ogc/collections/lsoa").json()
    assert bng in collection["crs"]


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "csv"])
def test_every_layer_downloads(site: str, fmt: str, tmp_path: Path) -> None:
    for layer, count in (("ward", 28), ("accidental_dwelling_fires", 345)):
        response = httpx.get(f"{site}/api/downloads/{layer}.{fmt}", timeout=120)
        assert response.status_code == 200, response.text
        assert f'filename="{layer}.{fmt}"' in response.headers["content-disposition"]
        path = tmp_path / f"{layer}.{fmt}"
        path.write_bytes(response.content)
        if fmt == "csv":
            lines = response.text.strip().splitlines()
            assert len(lines) == count + 1
            assert "code" in lines[0]
            continue
        frame = gpd.read_file(path)
        assert len(frame) == count
        assert frame.geometry.notna().all()
    assert httpx.get(f"{site}/api/downloads/ward.shp").status_code == 400


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The web-mercator tile holding a point (the slippy-map formula)."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_vector_tiles_carry_values_and_cache_headers(site: str) -> None:
    tilejson = httpx.get(f"{site}/tiles/accidental_dwelling_fires.json").json()
    assert tilejson["tilejson"] == "3.0.0"
    assert tilejson["tiles"][0].endswith("/tiles/accidental_dwelling_fires/{z}/{x}/{y}.mvt")
    x, y = _tile_of(-1.4701, 53.3811, 12)  # central Sheffield
    url = f"{site}/tiles/accidental_dwelling_fires/12/{x}/{y}.mvt"
    response = httpx.get(url, params={"datetime": "2020-01-05"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert "max-age" in response.headers["cache-control"]
    decoded = mapbox_vector_tile.decode(response.content)
    features = decoded["accidental_dwelling_fires"]["features"]
    assert len(features) > 5
    props = {f["properties"]["code"]: f["properties"] for f in features}
    assert all(p["status"] in {"data", "suppressed", "no data"} for p in props.values())
    # The map's own values and colours, area by area.
    values = httpx.get(f"{site}/api/maps/accidental_dwelling_fires",
                       params={"geometry": "false", "period": "2020-01"}).json()  # fmt: skip
    for code, p in props.items():
        expected = values["areas"].get(code, {"status": "no data"})
        assert p["status"] == expected["status"], code
        assert p.get("colour") == expected.get("colour"), code
        assert p.get("value") == expected.get("value"), code
    assert props["E01007824"]["value"] == 4
    again = httpx.get(url, params={"datetime": "2020-01-05"},
                      headers={"If-None-Match": response.headers["etag"]})  # fmt: skip
    assert again.status_code == 304
    areas = httpx.get(f"{site}/tiles/lsoa/9/{x // 8}/{y // 8}.mvt")
    assert len(mapbox_vector_tile.decode(areas.content)["lsoa"]["features"]) > 50
    assert httpx.get(f"{site}/tiles/lsoa/3/9/9.mvt").status_code == 400


def test_queryables_schema_and_property_filters(site: str) -> None:
    collection = httpx.get(f"{site}/ogc/collections/lsoa").json()
    rels = {link["rel"]: link["href"] for link in collection["links"]}
    queryables = httpx.get(rels["http://www.opengis.net/def/rel/ogc/1.0/queryables"])
    assert queryables.headers["content-type"].startswith("application/schema+json")
    assert set(queryables.json()["properties"]) == {"code", "name"}
    schema = httpx.get(rels["describedby"]).json()
    assert {"code", "name", "area_km2"} <= set(schema["properties"])
    indicator = httpx.get(f"{site}/ogc/collections/accidental_dwelling_fires/schema").json()
    assert {"value", "status", "period"} <= set(indicator["properties"])
    document = httpx.get(f"{site}/ogc/api").json()
    params = document["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    assert {"code", "name"} <= {p["name"] for p in params}
    one = httpx.get(f"{site}/ogc/collections/lsoa/items", params={"code": "E01007824"}).json()
    assert one["numberMatched"] == 1
    assert one["features"][0]["id"] == "E01007824"
    fires = httpx.get(
        f"{site}/ogc/collections/accidental_dwelling_fires/items",
        params={"code": "E01007824", "datetime": "2020-01-01"},
    ).json()
    assert fires["numberMatched"] == 1
    assert fires["features"][0]["properties"]["value"] == 4
    name = one["features"][0]["properties"]["name"]
    by_name = httpx.get(f"{site}/ogc/collections/lsoa/items", params={"name": name}).json()
    assert [f["id"] for f in by_name["features"]] == ["E01007824"]
