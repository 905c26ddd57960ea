"""The analysis end to end on real data: 35 months of South Yorkshire street crime, ONS
population and IMD 2019 for Sheffield, uploaded over HTTP; the analysis runs by itself
after the uploads, and every alert it raises is explained and traceable."""

from __future__ import annotations

import csv
import gzip
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.analysis.detect import apply_fdr, examine_indicator
from app.analysis.panels import load_areas, load_panel
from app.analysis.params import AnalysisParams
from app.db import unit_of_work
from app.indicators import repository as indicator_repo
from app.settings import Settings
from tests.conftest import AnalysisWorkers, LiveServer, ThrowawayDatabases, clone_database
from tests.partners.conftest import Partners, Template

MONTHLY = "police_uk_south_yorkshire/street_monthly_csv_gz"
KINDS = {"deterioration", "correlated", "hotspot", "gap"}


def _long_csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["area_code,period,indicator,value"] + [",".join(f'"{v}"' for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _council_rows(shared: Path) -> list[tuple[str, str, str, str]]:
    rows = []
    with (shared / "sheffield_population/sheffield_pop_lsoa_age_band.csv").open(
        encoding="utf-8-sig", newline=""
    ) as f:
        rows += [
            (r["LSOA Code"], "2020", "population", r["Population"])
            for r in csv.DictReader(f)
            if r["Age band"] == "All Ages"
        ]
    imd = "imd2019/sheffield_File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
    with (shared / imd).open(encoding="utf-8-sig", newline="") as f:
        rows += [
            (
                r["LSOA code (2011)"],
                "2019",
                "imd_rank",
                r["Index of Multiple Deprivation (IMD) Rank"],
            )
            for r in csv.DictReader(f)
        ]
    return rows


def _wait_for_run(client: Any, after_batch: int, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = client.get("/api/analysis/runs").json()
        done = [r for r in runs if r["trigger"] == "upload" and r["batch_id"] >= after_batch]
        if done and done[0]["status"] != "running":
            return dict(done[0])
        time.sleep(1)
    raise AssertionError("no analysis ran after the uploads")


@pytest.fixture(scope="module")
def analysed(
    partner_template: Template, databases: ThrowawayDatabases, shared_data: Path
) -> Iterator[tuple[Partners, dict[str, Any]]]:
    db_url = clone_database(partner_template.url, "nis_test_analysis", databases)
    settings = Settings(database_url=db_url, analysis_after_upload=True)
    with LiveServer(settings) as server, AnalysisWorkers(db_url) as workers:
        partners = Partners(server.url, db_url, partner_template.keys)
        council = partners.client("council")
        response = council.post(
            "/api/observations",
            content=_long_csv(_council_rows(shared_data)),
            headers={"Content-Type": "text/csv"},
        )
        assert response.status_code == 200, response.text
        police = partners.client("police")

        def upload(path: Path) -> int:
            r = police.post(
                "/api/events",
                content=gzip.decompress(path.read_bytes()),
                headers={"Content-Type": "text/csv"},
            )
            assert r.status_code == 200, r.text
            return int(r.json()["batch"])

        files = sorted((shared_data / MONTHLY).glob("*.csv.gz"))
        with ThreadPoolExecutor(2) as pool:
            last = max(pool.map(upload, files))
        workers.wait_idle(timeout=900)  # two area types per run since issue 14
        run = _wait_for_run(partners.client("admin"), last)
        yield partners, run


def test_the_analysis_runs_by_itself_after_uploads(analysed: tuple[Partners, Any]) -> None:
    partners, run = analysed
    assert run["status"] == "done", run.get("error")
    detail = partners.client("admin").get(f"/api/analysis/runs/{run['id']}").json()
    # The default types: the finest (LSOAs) and the wards they nest in.
    assert detail["params"]["area_types"] == ["lsoa", "ward"]
    seen = detail["data"]["area_types"]
    assert (seen["lsoa"]["areas"], seen["ward"]["areas"]) == (345, 28)
    assert seen["lsoa"]["indicators"]["burglary"]["periods"] == ["2018-01", "2020-12"]
    assert seen["ward"]["indicators"]["burglary"]["periods"] == ["2018-01", "2020-12"]
    assert set(detail["summary"]["area_types"]["ward"]["tested"]) >= {"burglary", "all_crime"}
    tested = detail["summary"]["area_types"]["lsoa"]["tested"]
    assert {"burglary", "criminal_damage_arson", "all_crime"} <= set(tested)
    # Overdispersion is estimated per indicator: real small-area counts are overdispersed.
    assert tested["all_crime"]["dispersion"] > 1
    assert detail["params"]["q"] == 0.05


def test_every_alert_is_explained_and_traceable(analysed: tuple[Partners, Any]) -> None:
    partners, run = analysed
    client = partners.client("admin")
    body = client.get("/api/alerts", params={"limit": 1000}).json()
    assert body["run"] == run["id"]
    alerts = body["alerts"]
    assert alerts, "35 months of a city's crime should raise some alert"
    print(*(f"{a['kind']}: {a['sentence']}" for a in alerts), sep="\n")
    for alert in alerts:
        assert alert["kind"] in KINDS
        assert alert["area_type"] in {"lsoa", "ward"}
        assert alert["q"] is None or alert["q"] <= 0.05
        assert alert["sentence"]
        assert alert["area_name"] is None or alert["area_name"] in alert["sentence"]
        assert alert["indicators"]
        assert alert["agencies"]
    for alert in alerts[:5]:
        for link in alert["links"].values():
            assert client.get(link).status_code == 200, link


def test_alert_counts_stay_within_what_the_fdr_allows(analysed: tuple[Partners, Any]) -> None:
    partners, run = analysed
    detail = partners.client("admin").get(f"/api/analysis/runs/{run['id']}").json()
    lsoa = detail["summary"]["area_types"]["lsoa"]
    tests = sum(t["tested"] for t in lsoa["tested"].values())
    deteriorations = lsoa["alerts"].get("deterioration", 0)
    assert deteriorations < 0.25 * tests
    # The same data with each area's months shuffled holds no deterioration: the tests
    # must then raise (almost) nothing, although the counts keep their real spread.
    rng = np.random.default_rng(7)
    false_alarms = []
    with unit_of_work(partners.db_url) as session:
        areas = load_areas(session, "lsoa")
        codes = ["burglary", "criminal_damage_arson", "violence_sexual_offences", "all_crime"]
        rows = indicator_repo.indicators_by_code(session, [*codes, "population"])
        population = load_panel(session, rows["population"], areas)
        panels = [load_panel(session, rows[c], areas) for c in codes]
    for _ in range(3):
        tested = []
        for panel in panels:
            assert panel is not None
            shuffled = np.take_along_axis(
                panel.value,
                rng.permuted(np.tile(np.arange(panel.value.shape[1]), (len(areas), 1)), axis=1),
                axis=1,
            )
            panel.value = shuffled
            outcome = examine_indicator(panel, population, AnalysisParams())
            assert not isinstance(outcome, str)
            tested.append(outcome)
        apply_fdr(tested)
        false_alarms.append(sum(int(np.sum(np.nan_to_num(t.q, nan=1) <= 0.05)) for t in tested))
    assert np.mean(false_alarms) <= 1.0, false_alarms


def test_alerts_filter_by_kind_area_and_agency(analysed: tuple[Partners, Any]) -> None:
    partners, _ = analysed
    client = partners.client("admin")
    every = client.get("/api/alerts", params={"limit": 1000}).json()["alerts"]
    some = next(a for a in every if a["area_code"] is not None)
    by_area = client.get("/api/alerts", params={"area": some["area_code"] or ""}).json()
    assert by_area["alerts"]
    assert all(a["area_code"] == some["area_code"] for a in by_area["alerts"])
    police = client.get("/api/alerts", params={"agency": "police", "limit": 1000}).json()
    assert all("police" in a["agencies"] for a in police["alerts"])
    for kind in {a["kind"] for a in every}:
        chosen = client.get("/api/alerts", params={"kind": kind, "limit": 1000}).json()
        assert {a["kind"] for a in chosen["alerts"]} == {kind}
    bad = client.get("/api/alerts", params={"kind": "bad"})
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_runs_on_demand_are_for_administrators(analysed: tuple[Partners, Any]) -> None:
    partners, _ = analysed
    assert partners.client(None).post("/api/analysis/runs").status_code == 401
    assert partners.client("police").post("/api/analysis/runs").status_code == 403
    started = partners.client("admin").post("/api/analysis/runs", json={"q": 0.01})
    assert started.status_code == 201, started.text
    run = started.json()
    assert run["trigger"] == "api"
    assert run["status"] == "done"
    assert run["params"]["q"] == 0.01
    alerts = partners.client("admin").get("/api/alerts", params={"run": run["id"]}).json()
    assert all(a["q"] is None or a["q"] <= 0.01 for a in alerts["alerts"])


def test_the_profile_compares_an_area_with_the_city(analysed: tuple[Partners, Any]) -> None:
    partners, _ = analysed
    client = partners.client(None)
    profile = client.get("/api/areas/E01007823/profile")
    assert profile.status_code == 200, profile.text
    body = profile.json()
    assert body["area"]["code"] == "E01007823"
    entries = {e["indicator"]["code"]: e for e in body["indicators"]}
    burglary = entries["burglary"]
    # A monthly count: its last 12 months, the latest month beside them.
    assert burglary["period"] == "2020-01 to 2020-12"
    assert burglary["window"] == {"from": "2020-01", "to": "2020-12", "months": 12}
    assert burglary["latest_month"]["period"] == "2020-12"
    assert burglary["benchmark"]["label"] in {"better", "similar", "worse"}
    assert burglary["trend"]["label"]
    assert client.get("/api/areas/E09999999/profile").status_code == 404


def test_the_profile_gives_fingertips_recent_trend_for_annual_counts(
    analysed: tuple[Partners, Any],
) -> None:
    partners, _ = analysed
    years = ["2015/16", "2016/17", "2017/18", "2018/19", "2019/20"]
    absent = [20, 30, 40, 50, 60]  # of 200 pupils: 10% rising to 30%
    body = "area_code,period,indicator,value,numerator,denominator\n" + "".join(
        f"E01007823,{y},persistent_absence,{n / 2},{n},200\n"
        for y, n in zip(years, absent, strict=True)
    )
    response = partners.client("schools").post(
        "/api/observations", content=body.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    profile = partners.client("schools").get("/api/areas/E01007823/profile").json()
    entries = {e["indicator"]["code"]: e for e in profile["indicators"]}
    absence = entries["persistent_absence"]
    assert absence["recent_trend"]["label"] == "Increasing and getting worse"
    assert absence["recent_trend"]["from"] == "2015/16"
    assert entries["burglary"]["recent_trend"] is None  # monthly: Mann-Kendall only
    population = entries["population"]["recent_trend"]
    assert population["label"] == "Cannot be calculated"


def test_indicator_layers_carry_comparison_trend_and_alerts(
    analysed: tuple[Partners, Any],
) -> None:
    partners, _ = analysed
    client = partners.client("admin")
    # The newest run, with the default parameters (other tests run with a smaller q).
    run = client.post("/api/analysis/runs", json={})
    assert run.status_code == 201, run.text
    body = client.get("/api/alerts", params={"limit": 1000}).json()
    assert body["run"] == run.json()["id"]
    alerts = body["alerts"]
    assert len(alerts) < 1000  # all of them
    # An alert about one LSOA (the city's findings are at the finest type too, with no area).
    alert = next(a for a in alerts if a["area_type"] == "lsoa" and a["area_code"] is not None)
    code = alert["indicators"][0]
    page = client.get(f"/ogc/collections/{code}/items", params={"limit": 1000})
    assert page.status_code == 200, page.text
    props = {f["id"]: f["properties"] for f in page.json()["features"]}
    assert len(props) == 345
    # Alerts: each area's count, kinds and smallest q in the newest run.
    for area, fields in props.items():
        mine = [a for a in alerts if a["area_code"] == area and code in a["indicators"]]
        assert fields["alerts"] == len(mine), area
        if mine:
            assert fields["alert_kinds"] == ",".join(sorted({a["kind"] for a in mine}))
            assert fields["alert_q"] == pytest.approx(min(a["q"] for a in mine), abs=1e-6)
        else:
            assert fields["alert_kinds"] is None
    assert props[alert["area_code"]]["alerts"] >= 1
    # Comparison and trend: the profile's, for every area at once.
    assert {p["compared"] for p in props.values()} <= {"better", "similar", "worse",
                                                       "not compared"}  # fmt: skip
    for area in [alert["area_code"], *sorted(props)[:3]]:
        profile = client.get(f"/api/areas/{area}/profile").json()
        entry = next(e for e in profile["indicators"] if e["indicator"]["code"] == code)
        counted = entry["indicator"]["value_type"] == "count"
        # The layer is one period's; a profile's monthly count is its last 12 months, with
        # the latest month beside them (compared over the 12 months, as its alerts are).
        assert props[area]["period"] == (entry["latest_month"] or entry)["period"]
        if entry["window"] is None:
            assert props[area]["compared"] == entry["benchmark"]["label"], area
            if not counted:  # a rate: the city's, as value is
                assert props[area]["benchmark"] == pytest.approx(entry["benchmark"]["city_value"])
        else:
            assert props[area]["value"] == entry["latest_month"]["value"], area
        assert props[area]["trend"] == entry["trend"]["label"], area
    if counted:
        # A count's benchmark is a count too: the area's at the city's rate, so that all
        # of them add up to the city's count.
        compared = [p for p in props.values() if p["compared"] != "not compared"]
        total = sum(p["value"] for p in compared)
        assert sum(p["benchmark"] for p in compared) == pytest.approx(total, rel=1e-6)
    schema = client.get(f"/ogc/collections/{code}/schema").json()
    assert {"compared", "trend", "alerts", "alert_kinds", "alert_q"} <= set(schema["properties"])
