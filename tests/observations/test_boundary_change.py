"""A series through a real boundary change: Manchester's 2011 and 2021 LSOAs and the
England population-weighted lookup. Monthly counts are uploaded on 2011 codes for 18
months, then on 2021 codes for 18: the switch alone raises no alert, and a real step
planted after it is found."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.analysis.panels import load_areas, load_panel
from app.analysis.params import AnalysisParams
from app.analysis.service import run_analysis
from app.areas.importer import ImportRequest, import_areas
from app.areas.lookups import LookupRequest, import_lookup
from app.indicators import repository as indicator_repo
from tests.observations.boundary_fixtures import load_catalogue, upload

FOLDER = "boundary_change"
LOOKUP = "lsoa11_lsoa21_population_weighted_lookup_england.csv.gz"
RATE = 0.002  # burglaries per resident per month: about 3 a month in an LSOA
MONTHS = [f"{2019 + m // 12}-{m % 12 + 1:02d}" for m in range(36)]  # 2019-01 .. 2021-12
# 2021 LSOAs given a real rise (x2.5) from month 25: two halves of split 2011 LSOAs, a
# merged one and an unchanged one.
PLANTED = ["E01034115", "E01034111", "E01034128", "E01005061"]


def _populations(shared: Path) -> tuple[dict[str, int], dict[str, int], list[dict[str, str]]]:
    with gzip.open(shared / FOLDER / LOOKUP, "rt", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    pop11 = {r["LSOA11CD"]: int(r["LSOA11Denom"]) for r in rows}
    pop21 = {r["LSOA21CD"]: int(r["LSOA21Denom"]) for r in rows}
    return pop11, pop21, rows


def _import(session: Session, shared: Path, vintage: int) -> list[str]:
    path = shared / FOLDER / f"manchester_lsoa{vintage}_generalised.geojson"
    report = import_areas(
        session,
        ImportRequest(
            path=path, type_code="lsoa", code_field="area_code", name_field="area_name",
            vintage=vintage,
        ),
    )  # fmt: skip
    codes = session.execute(
        text("SELECT code FROM area WHERE type_code = 'lsoa' AND vintage = :v ORDER BY code"),
        {"v": vintage},
    ).scalars()
    assert report.count > 250
    return [str(c) for c in codes]


def _city(session: Session, shared: Path, planted: list[str]) -> None:
    """Manchester with 2011 uploads for months 1-18 and 2021 uploads for months 19-36."""
    pop11, pop21, _ = _populations(shared)
    rng = np.random.default_rng(21)
    load_catalogue(session)
    old = _import(session, shared, 2011)
    upload(session, [(c, "2019", "population", pop11[c]) for c in old])
    upload(
        session,
        [(c, m, "burglary", rng.poisson(RATE * pop11[c])) for c in old for m in MONTHS[:18]],
    )
    new = _import(session, shared, 2021)
    report = import_lookup(session, LookupRequest(shared / FOLDER / LOOKUP))
    assert report.kept == 297
    assert report.by_change == {"U": 263, "S": 30, "M": 4}
    assert report.half == []
    rows = []
    for c in new:
        for i, m in enumerate(MONTHS[18:], start=18):
            lift = 2.5 if c in planted and i >= 24 else 1.0
            rows.append((c, m, "burglary", rng.poisson(RATE * pop21[c] * lift)))
    upload(session, rows)


def _analyse(session: Session) -> int:
    params = AnalysisParams(area_types=("lsoa",), permutations=99)  # hotspots are not tested here
    return run_analysis(session, params, trigger="test", actor="test").run_id


def _changed(session: Session) -> set[str]:
    """The 2021 LSOAs made from split or merged 2011 ones."""
    rows = session.execute(
        text(
            "SELECT DISTINCT t.code FROM vintage_link l JOIN area t ON t.id = l.to_area_id "
            "WHERE l.change <> 'U'"
        )
    ).scalars()
    return {str(c) for c in rows}


def _deterioration(session: Session, run_id: int) -> set[str]:
    return {
        str(code)
        for code in session.execute(
            text(
                "SELECT a.code FROM alert al JOIN area a ON a.id = al.area_id "
                "WHERE al.run_id = :r AND al.kind = 'deterioration' "
                "AND 'burglary' = ANY(al.indicators)"
            ),
            {"r": run_id},
        ).scalars()
    }


def test_the_series_runs_through_the_change(session: Session, shared_data: Path) -> None:
    _city(session, shared_data, planted=[])
    areas = load_areas(session, "lsoa")
    assert len(areas) == 295
    indicator = indicator_repo.indicator(session, "burglary")
    assert indicator is not None
    panel = load_panel(session, indicator, areas)
    assert panel is not None
    assert panel.periods == MONTHS
    # Every 2021 LSOA, split and merged ones included, has all 36 months.
    assert not np.isnan(panel.value).any()
    # The city's total is kept through the switch (apportioning neither loses nor adds).
    before, after = panel.value[:, :18].sum(), panel.value[:, 18:].sum()
    assert after / before == pytest.approx(1.0, abs=0.03)
    found = _deterioration(session, _analyse(session))
    # No alert where the boundaries changed; elsewhere at most one chance finding of the
    # Poisson draws (the seed gives one, in an unchanged LSOA: 10 burglaries one month).
    assert not found & _changed(session)
    assert len(found) <= 1


def test_a_real_rise_across_the_switch_is_found(session: Session, shared_data: Path) -> None:
    _city(session, shared_data, planted=PLANTED)
    found = _deterioration(session, _analyse(session))
    assert set(PLANTED) <= found
    assert len(found - set(PLANTED)) <= 1  # at most one chance finding
