"""GET /api/maps/{indicator}: the choropleth as GeoJSON, read over real HTTP and by GDAL."""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pytest

from tests.partners.conftest import Partners


def _population(partners: Partners, shared: Path) -> None:
    source = shared / "sheffield_population/sheffield_pop_lsoa_age_band.csv"
    with source.open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["Age band"] == "All Ages"]
    body = "area_code,period,indicator,value\n" + "".join(
        f"{r['LSOA Code']},2020,population,{r['Population']}\n" for r in rows
    )
    response = partners.client("council").post(
        "/api/observations", content=body.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def mapped(partners: Partners, shared_data: Path) -> Partners:
    _population(partners, shared_data)
    # Dwelling fires in three LSOAs, one below the disclosure threshold (3).
    body = (
        "area_code,period,indicator,value\n"
        "E01007823,2020-01,accidental_dwelling_fires,1\n"
        "E01007824,2020-01,accidental_dwelling_fires,4\n"
        "E01007825,2020-01,accidental_dwelling_fires,6\n"
    )
    response = partners.client("fire").post(
        "/api/observations", content=body.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    return partners


def test_the_map_classifies_every_area_and_the_legend_matches(mapped: Partners) -> None:
    response = mapped.client(None).get(
        "/api/maps/population", params={"type": "lsoa", "scheme": "quantiles", "classes": 5}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    features = body["features"]
    assert len(features) == 345
    legend = body["legend"]
    assert legend["period"] == "2020"
    counts = [c["count"] for c in legend["classes"]]
    assert sum(counts) == 345
    assert all(abs(n - 69) <= 2 for n in counts)  # quintiles, give or take ties
    colours = {c["class"]: c["colour"] for c in legend["classes"]}
    for feature in features:
        props = feature["properties"]
        cls = legend["classes"][props["class"]]
        assert cls["lower"] <= props["value"] <= cls["upper"]
        assert props["colour"] == colours[props["class"]]
    assert "darker is higher" in legend["palette"]  # population: no judgement


def test_suppressed_and_missing_areas_differ_from_data_and_say_why(mapped: Partners) -> None:
    params = {"type": "lsoa", "period": "2020-01", "classes": 3}
    url = "/api/maps/accidental_dwelling_fires"
    public = mapped.client(None).get(url, params=params).json()
    status = {f["id"]: f["properties"]["status"] for f in public["features"]}
    assert status["E01007823"] == "suppressed"  # 1 fire: below the threshold
    # 4 goes with it (the smallest other): every LSOA together minus 6 would give 1 back
    assert status["E01007824"] == "suppressed"
    assert status["E01007825"] == "data"
    assert sum(s == "no data" for s in status.values()) == 342
    legend = public["legend"]
    assert legend["suppressed"]["count"] == 2
    assert legend["no_data"]["count"] == 342
    assert legend["suppressed"]["colour"] != legend["no_data"]["colour"]
    assert legend["suppressed"]["colour"] not in {c["colour"] for c in legend["classes"]}
    assert "hidden in public outputs" in legend["suppressed"]["why"]
    # The fire service sees its small count.
    partner = mapped.client("fire").get(url, params=params).json()
    values = {f["id"]: f["properties"]["value"] for f in partner["features"]}
    assert values["E01007823"] == 1


def test_bad_parameters_are_problems_not_errors(mapped: Partners) -> None:
    client = mapped.client(None)
    bad_scheme = client.get("/api/maps/population", params={"scheme": "jenks"})
    assert bad_scheme.status_code == 400
    assert bad_scheme.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/maps/population", params={"classes": 12}).status_code == 400
    assert client.get("/api/maps/nothing").status_code == 404


def test_gdal_reads_the_map(mapped: Partners) -> None:
    url = f"{mapped.url}/api/maps/population?type=lsoa&classes=4"
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", url], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Feature Count: 345" in result.stdout
    for field in ("value", "class", "colour", "status"):
        assert f"{field}:" in result.stdout


def test_values_without_geometry_repaint_the_same_map(mapped: Partners) -> None:
    client = mapped.client(None)
    params = {"type": "lsoa", "classes": 4}
    full = client.get("/api/maps/population", params=params).json()
    values = client.get("/api/maps/population", params={**params, "geometry": "false"})
    assert values.status_code == 200, values.text
    body = values.json()
    assert body["legend"] == full["legend"]
    by_code = {f["id"]: f["properties"] for f in full["features"]}
    assert set(body["areas"]) == set(by_code)
    for code, props in body["areas"].items():
        assert props["colour"] == by_code[code]["colour"]
    assert body["legend"]["periods"] == ["2020"]
    city = body["legend"]["city"]
    assert city["what"] == "the average area"
    assert city["value"] == pytest.approx(589_214 / 345, rel=0.01)
    unknown = client.get("/api/maps/population", params={"period": "1999"})
    assert unknown.status_code == 400
    assert "2020 to 2020" in unknown.json()["detail"]


def test_exports_are_a_png_and_an_offline_html_page(mapped: Partners) -> None:
    client = mapped.client(None)
    params = {"type": "lsoa", "classes": 4}
    picture = client.get("/api/maps/population/export.png", params=params)
    assert picture.status_code == 200, picture.text
    assert picture.headers["content-type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert "attachment" in picture.headers["content-disposition"]
    page = client.get("/api/maps/population/export.html", params=params)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "L.map(" in text or "L.map (" in text  # Leaflet is inlined...
    assert re.search(r"<(script|link)[^>]+(src|href)=\"https?://", text) is None  # ...nothing else
    assert "Total population" in text  # the legend
