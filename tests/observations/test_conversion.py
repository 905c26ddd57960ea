"""Values on an older boundary vintage converted into the newest, on a hand-made lookup:
exact numbers for each change class, and what is not converted."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.access.viewer import CLI
from app.analysis.panels import load_areas, load_panel
from app.areas.importer import ImportRequest, import_areas
from app.areas.lookups import LookupRequest, import_lookup
from app.indicators import repository as indicator_repo
from app.observations.query import ObservationQuery, query_observations
from tests.observations.boundary_fixtures import load_catalogue, squares, upload, write_csv

OLD = ["A", "B", "C", "D", "E", "F"]
NEW = ["A", "B1", "B2", "CD", "E", "F"]
# A unchanged; B split 60/40; C and D merged (C held a quarter of CD's people); E and F
# redrawn: 90% of E stays in E, 10% goes to F; all of F joins E (a fifth of the new E).
LOOKUP = [
    ["A", "A", "U", 1, 1],
    ["B", "B1", "S", 0.6, 1],
    ["B", "B2", "S", 0.4, 1],
    ["C", "CD", "M", 1, 0.25],
    ["D", "CD", "M", 1, 0.75],
    ["E", "E", "X", 0.9, 0.8],
    ["F", "E", "X", 1, 0.2],
    ["E", "F", "X", 0.1, 1],
]
HEADER = ["LSOA11CD", "LSOA21CD", "Category", "Prop21of11", "Prop11of21"]


def _areas(session: Session, tmp_path: Path, codes: list[str], vintage: int) -> None:
    path = squares(tmp_path / f"areas{vintage}.geojson", codes)
    request = ImportRequest(
        path=path, type_code="lsoa", code_field="code", name_field="name", vintage=vintage
    )
    import_areas(session, request)


@pytest.fixture
def converted(session: Session, tmp_path: Path) -> Session:
    """2011 areas with values uploaded on them; then the 2021 areas and the lookup."""
    load_catalogue(session)
    _areas(session, tmp_path, OLD, 2011)
    counts = {"A": 10, "B": 20, "C": 4, "D": 6, "E": 30, "F": 5}
    upload(session, [(c, "2020-01", "burglary", n) for c, n in counts.items()])
    upload(session, [("C", "2020-02", "burglary", 7)])  # no February value for D
    scores = {"A": 5, "B": 8, "C": 10, "D": 30, "E": 20, "F": 40}
    upload(session, [(c, "2019", "imd_score", v) for c, v in scores.items()])
    upload(session, [(c, "2019", "imd_rank", i + 1) for i, c in enumerate(OLD)])
    shares = {"A": (1, 2), "B": (30, 60), "C": (1, 4), "D": (3, 6), "E": (9, 10), "F": (1, 5)}
    upload(
        session,
        [(c, "2019", "bus_stop_access", 100 * n / d, n, d) for c, (n, d) in shares.items()],
        numerators=True,
    )
    upload(session, [(c, "2018", "bus_stop_access", 50) for c in OLD])  # no counts
    _areas(session, tmp_path, NEW, 2021)
    lookup = write_csv(tmp_path / "lookup.csv", HEADER, LOOKUP)
    report = import_lookup(session, LookupRequest(lookup))
    assert (report.kept, report.skipped, report.half) == (8, 0, [])
    return session


def _read(session: Session, indicator: str, period: str) -> dict[str, dict[str, object]]:
    result = query_observations(
        session, CLI, ObservationQuery(indicator, type_code="lsoa", period=period)
    )
    codes = [o["area_code"] for o in result.observations]
    assert len(codes) == len(set(codes)), "one code reads once"
    return {str(o["area_code"]): o for o in result.observations}


def test_counts_are_kept_apportioned_summed_and_redrawn(converted: Session) -> None:
    rows = _read(converted, "burglary", "2020-01")
    values = {code: rows[code]["value"] for code in NEW}
    assert values == pytest.approx(
        {"A": 10, "B1": 12, "B2": 8, "CD": 10, "E": 30 * 0.9 + 5, "F": 3}
    )
    assert {rows[code]["derived_from"] for code in NEW} == {"lsoa 2011 (converted)"}
    fits = {code: rows[code]["fit"] for code in NEW}
    assert fits == pytest.approx({"A": 1, "B1": 0, "B2": 0, "CD": 1, "E": 0.2, "F": 0})
    assert rows["B1"]["low_fit"]
    assert not rows["A"]["low_fit"]


def test_uploads_keep_their_original_codes(converted: Session) -> None:
    rows = _read(converted, "burglary", "2020-01")
    # The split and merged 2011 areas read back on their own codes, as uploaded.
    assert {c: rows[c]["value"] for c in ("B", "C", "D")} == {"B": 20, "C": 4, "D": 6}
    assert all(rows[c]["derived_from"] is None for c in ("B", "C", "D"))


def test_a_merged_area_needs_every_part(converted: Session) -> None:
    rows = _read(converted, "burglary", "2020-02")
    assert rows["CD"]["value"] is None  # D has no February value
    assert rows["C"]["value"] == 7


def test_a_value_stored_on_the_new_vintage_wins(converted: Session) -> None:
    upload(converted, [("B1", "2020-01", "burglary", 99)])
    rows = _read(converted, "burglary", "2020-01")
    assert rows["B1"]["value"] == 99
    assert rows["B1"]["derived_from"] is None
    assert rows["B2"]["value"] == pytest.approx(8)


def test_percentages_are_recomputed_from_counts_never_averaged(converted: Session) -> None:
    rows = _read(converted, "bus_stop_access", "2019")
    assert rows["CD"]["value"] == pytest.approx(100 * (1 + 3) / (4 + 6))  # not 37.5
    assert rows["CD"]["numerator"] == pytest.approx(4)
    assert rows["CD"]["denominator"] == pytest.approx(10)
    assert rows["B1"]["value"] == pytest.approx(50)
    assert rows["B1"]["denominator"] == pytest.approx(36)
    assert rows["E"]["value"] == pytest.approx(100 * (9 * 0.9 + 1) / (10 * 0.9 + 5))
    # Without counts, a percentage converts only where an area became one, or split.
    plain = _read(converted, "bus_stop_access", "2018")
    assert plain["B1"]["value"] == 50
    assert plain["A"]["value"] == 50
    assert plain["CD"]["value"] is None
    assert plain["E"]["value"] is None


def test_scores_are_weighted_by_population_and_ranks_not_converted(converted: Session) -> None:
    rows = _read(converted, "imd_score", "2019")
    assert rows["CD"]["value"] == pytest.approx(0.25 * 10 + 0.75 * 30)
    assert rows["E"]["value"] == pytest.approx(0.8 * 20 + 0.2 * 40)
    assert rows["B1"]["value"] == pytest.approx(8)
    result = query_observations(
        converted, CLI, ObservationQuery("imd_rank", type_code="lsoa", period="2019")
    )
    ranks = {o["area_code"]: o for o in result.observations}
    assert "CD" not in ranks
    assert "B1" not in ranks
    assert all(o["derived_from"] is None for o in result.observations)
    assert any("rank or decile" in n for n in result.notes)


def test_the_analysis_reads_the_converted_values(converted: Session) -> None:
    areas = load_areas(converted, "lsoa")
    assert sorted(areas.codes) == sorted(NEW)
    indicator = indicator_repo.indicator(converted, "burglary")
    assert indicator is not None
    panel = load_panel(converted, indicator, areas)
    assert panel is not None
    assert panel.periods == ["2020-01", "2020-02"]
    january = dict(zip(areas.codes, panel.value[:, 0], strict=True))
    assert january == pytest.approx({"A": 10, "B1": 12, "B2": 8, "CD": 10, "E": 32, "F": 3})
