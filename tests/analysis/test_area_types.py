"""The analysis at several area types in one run, on the demo city (345 LSOAs in 70
MSOAs, in one city): alerts at each type, labelled with it, false discovery rates of
deterioration and clusters controlled within each type and of correlated deterioration
across the types, the findings about the whole city made once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.access.service import create_key
from app.analysis import repository as repo
from app.analysis.params import AnalysisParams, analysis_params, default_area_types
from app.analysis.service import run_analysis
from app.db import make_engine, unit_of_work
from app.errors import InvalidParameterError
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

NIS = str(Path(sys.executable).with_name("nis"))
NAMES = {"lsoa": "Lower layer super output area", "msoa": "Middle layer super output area"}
# The alerts raised at each type (gaps are the city's, made once per run), and those whose
# false discovery rate is the type's own (correlated areas share one across the types).
PER_TYPE = ("deterioration", "correlated", "hotspot")
OWN_FAMILY = ("deterioration", "hotspot")


@pytest.fixture(scope="module")
def city(demo_template: str, databases: ThrowawayDatabases) -> str:
    """The demo city, analysed by ``nis demo`` with the default choice of types."""
    return clone_database(demo_template, "nis_test_area_types", databases)


@pytest.fixture(scope="module")
def site(city: str) -> Iterator[httpx.Client]:
    settings = Settings(database_url=city, analysis_after_upload=False)
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def alerts(site: httpx.Client) -> list[dict[str, Any]]:
    body = site.get("/api/alerts", params={"limit": 1000}).json()
    assert len(body["alerts"]) < 1000
    return list(body["alerts"])


@pytest.fixture
def session(city: str) -> Iterator[Session]:
    """A session on the demo city whose runs are rolled back."""
    engine = make_engine(city)
    with Session(engine) as s:
        yield s
        s.rollback()
    engine.dispose()


def _q_values(session: Session, run_id: int, area_type: str) -> dict[tuple[Any, ...], float]:
    rows = repo.list_alerts(session, repo.AlertFilter(run_id, area_type=area_type, limit=10**6))
    return {(r.kind, r.area_code, tuple(r.indicators)): r.q for r in rows if r.kind in OWN_FAMILY}


# ------------------------------------------------------------------ the automatic choice


def test_the_default_is_the_finest_type_and_msoas_without_wards() -> None:
    assert default_area_types({"city": 1, "msoa": 70, "lsoa": 345}) == ("lsoa", "msoa")


def test_the_default_prefers_wards_then_neighbourhoods_to_msoas() -> None:
    counts = {"lsoa": 345, "msoa": 70, "neighbourhood": 100, "ward": 28, "lac": 7}
    assert default_area_types(counts) == ("lsoa", "ward")
    del counts["ward"]
    assert default_area_types(counts) == ("lsoa", "neighbourhood")


def test_the_default_skips_a_single_area_and_the_finest_type_itself() -> None:
    assert default_area_types({"ward": 1, "lsoa": 345}) == ("lsoa",)
    assert default_area_types({"ward": 28, "msoa": 70}) == ("msoa", "ward")
    assert default_area_types({"msoa": 70, "city": 1}) == ("msoa",)
    assert default_area_types({"lsoa": 0}) == ()


def test_the_setting_takes_comma_separated_types() -> None:
    settings = Settings(analysis_area_types=" lsoa, ward ,,")  # type: ignore[arg-type]
    assert analysis_params(settings).area_types == ("lsoa", "ward")
    assert analysis_params(Settings()).area_types == ()


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIS_ANALYSIS_AREA_TYPES", "msoa,lsoa")
    assert Settings().analysis_area_types == ("msoa", "lsoa")


# ------------------------------------------------------------------ a run at two types


def test_one_run_alerts_at_both_types_each_labelled(
    alerts: list[dict[str, Any]], city: str
) -> None:
    assert {a["area_type"] for a in alerts if a["kind"] in PER_TYPE} == {"lsoa", "msoa"}
    engine = make_engine(city)
    with engine.connect() as conn:
        type_of = dict(conn.execute(text("SELECT code, type_code FROM area")).all())
    engine.dispose()
    for alert in alerts:
        assert alert["area_type_name"] == NAMES[alert["area_type"]]
        if alert["area_code"] is not None:
            assert type_of[alert["area_code"]] == alert["area_type"]
            assert f"{alert['area_name']} ({alert['area_type_name']})" in alert["sentence"]


def test_a_run_records_each_type_and_finds_city_wide_things_once(session: Session) -> None:
    outcome = run_analysis(session, AnalysisParams(), trigger="cli", actor="test")
    row = repo.get_run(session, outcome.run_id)
    assert row is not None
    assert row.params["area_types"] == ["lsoa", "msoa"]
    assert {c: t["areas"] for c, t in row.data["area_types"].items()} == {"lsoa": 345, "msoa": 70}
    summary = row.summary
    assert set(summary["area_types"]) == {"lsoa", "msoa"}
    for at in summary["area_types"].values():
        assert at["tested"]
        assert {"skipped", "correlated", "hotspots", "alerts", "seconds"} <= set(at)
        assert at["correlated"]["false_discovery_rate_across"] == ["lsoa", "msoa"]
    assert summary["citywide_area_type"] == "lsoa"
    assert {"pairs", "gaps"} <= set(summary)
    gaps = list(repo.list_alerts(session, repo.AlertFilter(outcome.run_id, kind="gap")))
    assert {r.area_type for r in gaps} <= {"lsoa"}
    assert len(gaps) == summary["alerts"].get("gap", 0)


def test_each_types_q_values_do_not_change_when_another_type_is_added(
    session: Session,
) -> None:
    both = run_analysis(session, AnalysisParams(), trigger="cli", actor="test").run_id
    lsoa = run_analysis(
        session, AnalysisParams(area_types=("lsoa",)), trigger="cli", actor="test"
    ).run_id
    msoa = run_analysis(
        session, AnalysisParams(area_types=("msoa",)), trigger="cli", actor="test"
    ).run_id
    alone = _q_values(session, lsoa, "lsoa")
    assert alone, "the planted stories raise alerts at LSOAs"
    assert _q_values(session, both, "lsoa") == alone
    assert _q_values(session, msoa, "msoa") == _q_values(session, both, "msoa")
    assert _q_values(session, lsoa, "msoa") == {}


def test_an_unknown_or_empty_type_is_refused(session: Session) -> None:
    with pytest.raises(InvalidParameterError, match="Unknown area type 'ward'"):
        run_analysis(session, AnalysisParams(area_types=("lsoa", "ward")), trigger="t", actor="t")
    with pytest.raises(InvalidParameterError):
        AnalysisParams(area_types=("",))


# ------------------------------------------------------------------ reading them


def test_alerts_filter_by_area_type(site: httpx.Client, alerts: list[dict[str, Any]]) -> None:
    for code in ("lsoa", "msoa"):
        response = site.get("/api/alerts", params={"area_type": code, "limit": 1000})
        assert response.status_code == 200
        chosen = response.json()["alerts"]
        assert chosen
        assert [a["id"] for a in chosen] == [a["id"] for a in alerts if a["area_type"] == code]
    assert site.get("/api/alerts", params={"area_type": "city"}).json()["alerts"] == []


def test_an_unknown_area_type_filter_is_a_clear_400(site: httpx.Client) -> None:
    response = site.get("/api/alerts", params={"area_type": "nowhere"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "nowhere" in response.json()["detail"]


# ------------------------------------------------------------------ the command line


def _nis(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NIS_DATABASE_URL": db_url}
    return subprocess.run(
        [NIS, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_cli_analyses_the_types_it_is_given(
    demo_template: str, databases: ThrowawayDatabases
) -> None:
    db = clone_database(demo_template, "nis_test_area_types_cli", databases)
    done = _nis(db, "analyse", "--area-type", "msoa")
    assert done.returncode == 0, done.stderr
    assert "msoa (70 areas)" in done.stderr
    assert "lsoa (" not in done.stderr
    both = _nis(db, "analyse", "--area-type", "msoa,lsoa")
    assert both.returncode == 0, both.stderr
    assert "msoa (70 areas)" in both.stderr
    assert "lsoa (345 areas)" in both.stderr
    refused = _nis(db, "analyse", "--area-type", "lsoa", "--area-type", "nowhere")
    assert refused.returncode != 0
    assert "Unknown area type 'nowhere'" in refused.stderr
    assert "Traceback" not in refused.stderr


# Last: it makes the newest run of the module's city (the earlier tests read the demo's).
def test_administrators_run_the_types_they_ask_for(site: httpx.Client, city: str) -> None:
    with unit_of_work(city) as s:
        key = create_key(s, None, admin=True, label="test admin")
    admin = {"Authorization": f"Bearer {key}"}
    started = site.post("/api/analysis/runs", json={"area_types": ["msoa"]}, headers=admin)
    assert started.status_code == 201, started.text
    run = started.json()
    assert run["params"]["area_types"] == ["msoa"]
    assert set(run["summary"]["area_types"]) == {"msoa"}
    alerts = site.get("/api/alerts", params={"run": run["id"]}).json()["alerts"]
    assert {a["area_type"] for a in alerts} <= {"msoa"}
    bad = site.post("/api/analysis/runs", json={"area_types": ["nowhere"]}, headers=admin)
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
