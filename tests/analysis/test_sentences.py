"""Alert sentences in plain English, on made-up test results of the shipped catalogue's
indicators: ratios in words, percentage points with their unit, no statistical terms in
the sentence (they are in the details)."""

from __future__ import annotations

from datetime import date

import numpy as np

from app.analysis import sentences
from app.analysis.detect import IndicatorTest
from app.analysis.panels import Panel
from app.indicators.catalogue.reading import default_catalogue

MONTHS = [f"{y}-{m:02d}" for y in (2021, 2022, 2023) for m in range(1, 13)]
YEARS = ["2020", "2021", "2022", "2023"]
AREA = "Sheffield 032C (Lower layer super output area)"
LABELS = [AREA, "Sheffield 032D (Lower layer super output area)", "Sheffield 031A (LSOA)"]


def _test(
    code: str, periods: list[str], window: tuple[int, int], method: str = "counts", **stats: float
) -> IndicatorTest:
    indicator = {i.code: i for i in default_catalogue()}[code]
    n = len(periods)
    empty = np.full((3, n), np.nan)
    panel = Panel(indicator, periods, [date(2020, 1, 1)] * n, empty, empty, empty)
    defaults = {"p_step": 0.001, "p_trend": 0.01, "observed": 50.0, "expected": 21.0}
    arrays = {k: np.array([v, np.nan, np.nan]) for k, v in {**defaults, **stats}.items()}
    return IndicatorTest(
        panel,
        method,
        window,
        p=np.array([0.0004, 0.5, 0.5]),
        reason=np.array(["tested"] * 3),
        stats=arrays,
        dispersion=1.3,
        q=np.array([0.093, 1.0, 1.0]),
    )


def _plain(worded: sentences.Worded) -> str:
    for term in sentences.JARGON:
        assert term.lower() not in worded.sentence.lower(), (term, worded.sentence)
    assert worded.details
    assert any(d.startswith("False discovery rate q = 0.093 (how likely") for d in worded.details)
    return worded.sentence


def test_a_count_that_more_than_doubled_says_so_against_what_the_city_predicts() -> None:
    test = _test("criminal_damage_arson", MONTHS, (12, 24), ratio=2.38)
    sentence = _plain(sentences.deterioration(test, 0, AREA))
    assert sentence == (
        f"Criminal damage and arson in {AREA} more than doubled in the last 12 months "
        "(2023-01 to 2023-12) compared with what the rest of the city would predict: "
        "50 crimes where about 21 were expected."
    )


def test_a_percentage_changes_by_percentage_points_with_its_unit() -> None:
    test = _test(
        "bus_stop_access", YEARS, (1, 3), ratio=0.94, change=-0.4, value_baseline=6.8,
        value_recent=6.4,
    )  # fmt: skip
    sentence = _plain(sentences.deterioration(test, 0, AREA))
    assert "fell by 0.4 percentage points (from 6.8% to 6.4%) in 2023" in sentence
    assert "worse than the rest of the city would predict" in sentence


def test_a_hotspot_keeps_its_unit_and_its_grammar() -> None:
    test = _test(
        "bus_stop_access", YEARS, (1, 3), ratio=0.94, change=-0.4, value_baseline=6.8,
        value_recent=6.4,
    )  # fmt: skip
    stats = {"pooled_z": 3.2, "q": 0.093, "gi_z": 6.5, "lisa": "low-low"}
    worded = sentences.hotspot(test, 0, LABELS, 3, 2, stats)
    sentence = _plain(worded)
    assert "is getting worse" not in sentence
    assert sentence.startswith(f"{AREA} and 2 neighbouring areas form a cluster")
    assert "on households near a frequent bus service in 2023" in sentence
    assert "fell by 0.4 percentage points (from 6.8% to 6.4%)" in sentence
    assert "2 of these 3 areas would not stand out on their own" in sentence
    assert "Getis-Ord Gi* z = 6.5 at the centre" in worded.details


def test_a_trend_of_values_says_how_fast_in_the_units_of_the_indicator() -> None:
    years = ["2018/19", "2019/20", "2020/21", "2021/22", "2022/23"]
    test = _test("attainment8", years, (5, 0), method="trend", slope=-1.2, z=-2.9)
    worded = sentences.deterioration(test, 0, AREA)
    sentence = _plain(worded)
    assert sentence == (
        f"Average Attainment 8 score in {AREA} got worse over 2018/19 to 2022/23, "
        "falling by about 1.2 points a year."
    )
    assert any(d.startswith("Mann-Kendall trend test") for d in worded.details)


def test_a_correlated_alert_names_each_indicator_and_agency() -> None:
    damage = _test("criminal_damage_arson", MONTHS, (12, 24), ratio=1.5)
    absence = _test(
        "persistent_absence", ["2021/22", "2022/23", "2023/24"], (1, 2), ratio=1.4,
        change=4.1, value_baseline=12.0, value_recent=16.1,
    )  # fmt: skip
    absence.q = np.array([0.2, 1.0, 1.0])
    names = {"police": "South Yorkshire Police"}
    worded = sentences.correlated([damage, absence], 0, AREA, 0.093, names)
    sentence = _plain(worded)
    assert sentence.startswith(
        f"Criminal damage and arson (South Yorkshire Police) in {AREA} rose by about half"
    )
    assert "At the same time, persistent absence (schools) rose by 4.1 percentage points " in (
        sentence
    )
    assert "(from 12.0% to 16.1%) in 2023/24" in sentence
    assert sentence.endswith(
        "two indicators of South Yorkshire Police and schools getting worse together."
    )


def test_a_widening_gap_is_said_without_its_test() -> None:
    indicator = {i.code: i for i in default_catalogue()}["child_obesity_year6"]
    periods = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
    worded = sentences.gap(indicator, "fifth", periods, 28.4, 19.9, 0.6, 0.093)
    sentence = _plain(worded)
    assert sentence == (
        "The gap in children obese in Year 6 between the most deprived fifth of areas and "
        "the rest of the city is widening: 28.4% against 19.9% in 2023/24, the gap growing "
        "by about 0.6 percentage points a year over 5 years."
    )
