"""Indicator layers over time, as a GIS analyst uses them: ``datetime=`` in RFC 3339 or the
project's period notation, alerts and benchmarks as of the period asked, and downloads of
every period in one file (long and wide), read by GDAL's own tools against a live server."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import httpx
import pytest
from owslib.ogcapi.features import Features
from sqlalchemy import text

from app.analysis import repository as analysis_repo
from app.db import unit_of_work
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database
from tests.partners.conftest import Template

FIRES = "accidental_dwelling_fires"
MONTHS = ("2020-01", "2020-02", "2020-03")
SMALL = "E01007823"  # 1 fire a month: below the disclosure threshold (3)
# Alerts planted in two finished runs: the older saw data to 2020-02, the newer to 2020-03.
OLDER_ALERT, NEWER_ALERT = "E01007824", "E01007830"


@dataclass(frozen=True)
class Site:
    url: str
    keys: dict[str, str]

    def get(self, path: str, who: str | None = None, **params: object) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.keys[who]}"} if who else {}
        return httpx.get(f"{self.url}{path}", params=params, headers=headers,  # type: ignore[arg-type]
                         timeout=120)  # fmt: skip


def _upload(url: str, key: str, body: str) -> None:
    response = httpx.post(
        f"{url}/api/observations", content=body.encode(), timeout=120,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"},
    )  # fmt: skip
    assert response.status_code == 200, response.text


def _plant_alerts(db_url: str) -> None:
    with unit_of_work(db_url) as session:
        for area, first, last in ((OLDER_ALERT, "2020-01", "2020-02"),
                                  (NEWER_ALERT, "2020-02", "2020-03")):  # fmt: skip
            run = analysis_repo.start_run(session, "test", "test", None, {})
            area_id = session.execute(
                text("SELECT id FROM area WHERE code = :c AND type_code = 'lsoa'"), {"c": area}
            ).scalar_one()
            alert = analysis_repo.NewAlert(
                "deterioration", area_id, [FIRES], ["fire"], first, last, 0.01,
                "Accidental dwelling fires are up", {}, "lsoa",
            )  # fmt: skip
            analysis_repo.insert_alerts(session, run, [alert])
            analysis_repo.finish_run(session, run, {}, {})


@pytest.fixture(scope="module")
def site(partner_template: Template, databases: ThrowawayDatabases) -> Iterator[Site]:
    url = clone_database(partner_template.url, "nis_test_ogc_periods", databases)
    _plant_alerts(url)
    with LiveServer(Settings(database_url=url, analysis_after_upload=False)) as server:
        keys = partner_template.keys
        areas = httpx.get(f"{server.url}/ogc/collections/lsoa/items",
                          params={"limit": 1000}).json()["features"]  # fmt: skip
        codes = sorted(f["id"] for f in areas)
        population = "".join(f"{c},2020,population,{1500 + 7 * i}\n" for i, c in enumerate(codes))
        _upload(server.url, keys["council"], "area_code,period,indicator,value\n" + population)
        fires = "".join(
            f"{c},{m},{FIRES},{1 if c == SMALL else 4 + (i + j) % 9}\n"
            for j, m in enumerate(MONTHS)
            for i, c in enumerate(codes)
        )
        _upload(server.url, keys["fire"], "area_code,period,indicator,value\n" + fires)
        admissions = "".join(
            f"{c},{y},emergency_admissions,{20 + i}\n"
            for y in ("2021/22", "2022/23")
            for i, c in enumerate(codes[:5])
        )
        _upload(server.url, keys["health"], "area_code,period,indicator,value\n" + admissions)
        yield Site(server.url, keys)


def _items(site: Site, collection: str = FIRES, who: str | None = None,
           **params: object) -> dict[str, dict[str, object]]:  # fmt: skip
    response = site.get(f"/ogc/collections/{collection}/items", who, limit=1000, **params)
    assert response.status_code == 200, response.text
    return {f["id"]: f["properties"] for f in response.json()["features"]}


@pytest.mark.parametrize(
    ("moment", "period"),
    [
        ("2020-02", "2020-02"),  # the project's notation, as the page writes it
        ("Feb 2020", "2020-02"),
        ("2020-02-10", "2020-02"),  # RFC 3339 date
        ("2020-02-01T00:00:00Z", "2020-02"),  # RFC 3339 date-time
        ("2020-02-01/2020-02-29", "2020-02"),  # an interval: the newest period it overlaps
        ("../2020-02-29", "2020-02"),
        ("2020-02-15/..", "2020-03"),
        ("2020-Q1", "2020-03"),  # a quarter over monthly values: its newest month
    ],
)
def test_datetime_reads_rfc_3339_and_the_projects_periods(
    site: Site, moment: str, period: str
) -> None:
    props = _items(site, datetime=moment)
    assert {p["period"] for p in props.values()} == {period}


def test_a_financial_year_layer_takes_2022_23(site: Site) -> None:
    props = _items(site, "emergency_admissions", datetime="2022/23")
    assert {p["period"] for p in props.values()} == {"2022/23"}
    props = _items(site, "emergency_admissions", datetime="2021-06-01")
    assert {p["period"] for p in props.values()} == {"2021/22"}


def test_owslib_asks_for_a_month_as_the_page_writes_it(site: Site) -> None:
    items = Features(f"{site.url}/ogc").collection_items(FIRES, datetime_="2020-01", limit=1000)
    assert {f["properties"]["period"] for f in items["features"]} == {"2020-01"}


@pytest.mark.parametrize("moment", ["2020-13", "yesterday", "../..", "2020-02-30"])
def test_a_bad_datetime_is_a_400_naming_both_notations(site: Site, moment: str) -> None:
    response = site.get(f"/ogc/collections/{FIRES}/items", datetime=moment)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = response.json()["detail"]
    assert moment in detail
    if moment != "../..":
        assert "RFC 3339" in detail
        assert "2022-06" in detail
        assert "2022/23" in detail


def test_a_datetime_of_no_period_says_what_the_layer_has(site: Site) -> None:
    response = site.get(f"/ogc/collections/{FIRES}/items", datetime="2031-01")
    assert response.status_code == 400
    assert "2020-01 to 2020-03" in response.json()["detail"]


def test_alerts_follow_the_period_asked_for(site: Site) -> None:
    newest = _items(site)
    assert newest[NEWER_ALERT]["alerts"] == 1
    assert newest[OLDER_ALERT]["alerts"] == 0
    assert newest[NEWER_ALERT]["alert_kinds"] == "deterioration"
    assert _items(site, datetime="2020-03") == newest  # the newest, named, is the default
    # 2020-02: the run whose window ends there (the older), not the newest run.
    february = _items(site, datetime="2020-02")
    assert february[OLDER_ALERT]["alerts"] == 1
    # (its q is the partners': the public's is withheld, as the fires' counts are)
    assert _items(site, who="fire", datetime="2020-02")[OLDER_ALERT]["alert_q"] == 0.01
    assert february[NEWER_ALERT]["alerts"] == 0
    assert february[NEWER_ALERT]["alert_kinds"] is None
    # 2020-01: no window ends there; the older run's covers it.
    january = _items(site, datetime="2020-01")
    assert january[OLDER_ALERT]["alerts"] == 1
    assert january[NEWER_ALERT]["alerts"] == 0


def test_value_and_benchmark_are_in_one_unit(site: Site) -> None:
    props = _items(site, who="fire", datetime="2020-02")
    compared = [p for p in props.values() if p["compared"] != "not compared"]
    assert len(compared) == 345
    # Counts: the benchmark is the count at the city's rate, so they add up to the city's.
    values = sum(float(p["value"]) for p in compared)  # type: ignore[arg-type]
    benchmarks = sum(float(p["benchmark"]) for p in compared)  # type: ignore[arg-type]
    assert benchmarks == pytest.approx(values, rel=1e-6)
    assert all(1 < float(p["benchmark"]) < 20 for p in compared)  # type: ignore[arg-type]
    schema = site.get(f"/ogc/collections/{FIRES}/schema").json()["properties"]
    assert schema["value"]["x-ogc-unit"] == schema["benchmark"]["x-ogc-unit"] == "fires"
    assert "(fires)" in schema["benchmark"]["title"]
    collection = site.get(f"/ogc/collections/{FIRES}").json()
    assert "value and benchmark in fires" in collection["description"]


def _csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def test_every_period_in_one_long_file_is_each_periods_file(site: Site) -> None:
    """As the public: the all-periods file's rows of a period are that period's download,
    so the one policy has hidden in it what it hides in the one-period file."""
    rows = _csv(site.get(f"/api/downloads/{FIRES}.csv", periods="all"))
    assert len(rows) == 345 * len(MONTHS)
    for month in MONTHS:
        one = _csv(site.get(f"/api/downloads/{FIRES}.csv", datetime=month))
        mine = [r for r in rows if r["period"] == month]
        assert sorted(mine, key=lambda r: r["code"]) == sorted(one, key=lambda r: r["code"])
    small = [r for r in rows if r["code"] == SMALL]
    assert [r["status"] for r in small] == ["suppressed"] * len(MONTHS)
    assert {r["value"] for r in small} == {""}
    # Every count below the threshold is hidden, and those that would give it back too.
    assert all(r["value"] == "" or float(r["value"]) >= 3 for r in rows)


def test_a_suppressed_value_does_not_leak_into_the_wide_file(site: Site) -> None:
    public = {r["code"]: r for r in _csv(site.get(f"/api/downloads/{FIRES}.csv",
                                                 periods="all", layout="wide"))}  # fmt: skip
    assert len(public) == 345
    assert list(public[SMALL]) == ["code", "name", "type", *MONTHS]
    assert [public[SMALL][m] for m in MONTHS] == ["", "", ""]
    long = _csv(site.get(f"/api/downloads/{FIRES}.csv", periods="all"))
    for row in long:
        assert public[row["code"]][row["period"]] == row["value"]
    # A partner sees them, marked as not for publication.
    partner = _csv(site.get(f"/api/downloads/{FIRES}.csv", "fire", periods="all",
                            layout="wide"))  # fmt: skip
    small = next(r for r in partner if r["code"] == SMALL)
    assert [float(small[m]) for m in MONTHS] == [1, 1, 1]
    assert small["marking"].startswith("Partners only")


def _ogrinfo(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ogrinfo", "-ro", *options, str(path)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_gdal_opens_the_all_periods_geopackage_without_a_warning(
    site: Site, layout: str, tmp_path: Path
) -> None:
    response = site.get(f"/api/downloads/{FIRES}.gpkg", periods="all", layout=layout)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geopackage+sqlite3"
    path = tmp_path / "fires.gpkg"
    path.write_bytes(response.content)
    read = _ogrinfo(path, "-al", "-so")
    assert read.returncode == 0, read.stderr
    assert "partially supported" not in read.stderr
    assert "Warning" not in read.stderr
    count = 345 * len(MONTHS) if layout == "long" else 345
    assert f"Feature Count: {count}" in read.stdout
    fields = ("period:", "value:", "status:", "benchmark:") if layout == "long" else MONTHS
    for field in fields:
        assert field in read.stdout, field
    # ogr2ogr takes it on, and the small count stays hidden.
    out = tmp_path / "fires.csv"
    done = subprocess.run(["ogr2ogr", "-f", "CSV", str(out), str(path)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr
    copied = [r for r in csv.DictReader(out.open()) if r["code"] == SMALL]
    values = [r["value"] for r in copied] if layout == "long" else [copied[0][m] for m in MONTHS]
    assert values == ["", "", ""]


def test_a_one_period_geopackage_is_version_1_2(site: Site, tmp_path: Path) -> None:
    path = tmp_path / "fires.gpkg"
    path.write_bytes(site.get(f"/api/downloads/{FIRES}.gpkg").content)
    read = _ogrinfo(path, "-so", "-al")
    assert read.returncode == 0, read.stderr
    assert "partially supported" not in read.stderr
    header = path.read_bytes()[:100]  # SQLite's: user_version at 60, application_id at 68
    assert (header[60:64], header[68:72]) == ((10200).to_bytes(4, "big"), b"GPKG")


def test_the_all_periods_geojson_reads_back(site: Site, tmp_path: Path) -> None:
    response = site.get(f"/api/downloads/{FIRES}.geojson", periods="all", layout="wide")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    path = tmp_path / "fires.geojson"
    path.write_bytes(response.content)
    frame = gpd.read_file(path)
    assert len(frame) == 345
    assert set(MONTHS) <= set(frame.columns)
    assert frame.geometry.notna().all()


@pytest.mark.parametrize(
    ("params", "filename"),
    [
        ({}, f"{FIRES}.geojson"),
        ({"datetime": "2020-02"}, f"{FIRES}-2020-02.geojson"),
        ({"datetime": "2020-02-01T00:00:00Z"}, f"{FIRES}-2020-02.geojson"),  # the period's
        ({"periods": "all"}, f"{FIRES}-all-periods-long.geojson"),
        ({"periods": "all", "layout": "wide"}, f"{FIRES}-all-periods-wide.geojson"),
    ],
)
def test_downloads_are_named_with_their_format(
    site: Site, params: dict[str, str], filename: str
) -> None:
    for fmt in ("geojson", "csv", "gpkg"):
        response = site.get(f"/api/downloads/{FIRES}.{fmt}", **params)
        assert response.status_code == 200, response.text
        expected = filename.replace(".geojson", f".{fmt}")
        assert response.headers["content-disposition"] == f'attachment; filename="{expected}"'


def test_a_financial_years_file_name_has_no_slash(site: Site) -> None:
    response = site.get("/api/downloads/emergency_admissions.csv", datetime="2022/23")
    assert 'filename="emergency_admissions-2022-23.csv"' in response.headers["content-disposition"]
    exported = site.get("/api/maps/emergency_admissions", type="lsoa", period="2022/23")
    assert (
        'filename="emergency_admissions-lsoa-2022-23.geojson"'
        in (exported.headers["content-disposition"])
    )


def test_the_pages_geojson_download_is_named_geojson(site: Site) -> None:
    response = site.get(f"/api/maps/{FIRES}", type="lsoa", period="2020-02")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        f'inline; filename="{FIRES}-lsoa-2020-02.geojson"'
    )


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/downloads/lsoa.csv", {"periods": "all"}),  # an area type has no periods
        (f"/api/downloads/{FIRES}.csv", {"periods": "some"}),
        (f"/api/downloads/{FIRES}.csv", {"periods": "all", "layout": "tall"}),
        (f"/api/downloads/{FIRES}.csv", {"periods": "all", "datetime": "2031"}),
        (f"/api/downloads/{FIRES}.csv", {"datetime": "soon"}),
    ],
)
def test_bad_download_parameters_are_400s(site: Site, path: str, params: dict[str, str]) -> None:
    response = site.get(path, **params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_all_periods_within_an_interval(site: Site) -> None:
    rows = _csv(site.get(f"/api/downloads/{FIRES}.csv", periods="all",
                         datetime="2020-02-01/..", layout="wide"))  # fmt: skip
    assert list(rows[0]) == ["code", "name", "type", "2020-02", "2020-03"]


def test_the_first_layer_answers_to_its_type_too(site: Site) -> None:
    """The page asks for ``{indicator}.{type}`` (frontend/lib/paths.js allPeriodsPath)
    without knowing which type is the indicator's first layer."""
    named = site.get(f"/api/downloads/{FIRES}.lsoa.csv", periods="all", layout="wide")
    assert named.status_code == 200, named.text
    assert named.text == site.get(f"/api/downloads/{FIRES}.csv", periods="all",
                                  layout="wide").text  # fmt: skip
    assert f'filename="{FIRES}.lsoa-all-periods-wide.csv"' in named.headers["content-disposition"]
    assert site.get(f"/ogc/collections/{FIRES}.lsoa").status_code == 200
    listed = {c["id"] for c in site.get("/ogc/collections").json()["collections"]}
    assert FIRES in listed
    assert f"{FIRES}.lsoa" not in listed  # one id listed per layer
