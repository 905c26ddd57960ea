"""Demo indicator values: complete, plausible, deterministic, with the planted stories."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pytest

from app.demo_indicators import (
    DemoArea,
    DemoObservation,
    DemoStory,
    demo_observations,
    demo_periods,
    demo_stories,
)
from app.indicators.catalogue import default_catalogue
from app.indicators.indicator import Indicator
from app.indicators.value_types import ValueType

STORY_START = "2023-01"  # 12 months before the end of 2023
LAST_12_MONTHS = "2023-01"

Values = dict[str, dict[str, dict[str, float]]]  # indicator -> area -> period -> value


def city(size: int = 345, seed: int = 11) -> list[DemoArea]:
    """LSOA-like areas: five to an MSOA name, compact centres and a large fringe."""
    rng = np.random.default_rng(seed)
    km2 = rng.lognormal(np.log(0.6), 1.0, size)
    return [
        DemoArea(f"E0100{7700 + i:04d}", f"Demoville {i // 5 + 1:03d}{'ABCDE'[i % 5]}", km2[i])
        for i in range(size)
    ]


def by_indicator(observations: Iterable[DemoObservation]) -> Values:
    values: Values = defaultdict(lambda: defaultdict(dict))
    for o in observations:
        values[o.indicator][o.area_code][o.period] = o.value
    return values


def rise(series: dict[str, float]) -> float:
    """The last 12 months over a year at the rate of the months before the story."""
    before = [v for p, v in series.items() if p < STORY_START]
    last = sum(v for p, v in series.items() if p >= LAST_12_MONTHS)
    return last / max(12 * statistics.mean(before), 1.0)


@pytest.fixture(scope="module")
def areas() -> list[DemoArea]:
    return city()


@pytest.fixture(scope="module")
def catalogue() -> list[Indicator]:
    return default_catalogue()


@pytest.fixture(scope="module")
def observations(areas: list[DemoArea], catalogue: list[Indicator]) -> list[DemoObservation]:
    return demo_observations(areas, catalogue)


@pytest.fixture(scope="module")
def values(observations: list[DemoObservation]) -> Values:
    return by_indicator(observations)


@pytest.fixture(scope="module")
def stories(areas: list[DemoArea]) -> list[DemoStory]:
    return demo_stories(areas)


@pytest.fixture(scope="module")
def specs(catalogue: list[Indicator]) -> dict[str, Indicator]:
    return {s.code: s for s in catalogue}


# --- completeness and determinism ------------------------------------------------------


def test_same_seed_gives_the_same_values(
    areas: list[DemoArea], catalogue: list[Indicator], observations: list[DemoObservation]
) -> None:
    assert demo_observations(areas, catalogue) == observations


def test_another_seed_gives_other_values(
    areas: list[DemoArea], catalogue: list[Indicator], observations: list[DemoObservation]
) -> None:
    assert demo_observations(areas, catalogue, seed=7) != observations


def test_values_do_not_depend_on_the_rest_of_the_catalogue(
    areas: list[DemoArea], specs: dict[str, Indicator], values: Values
) -> None:
    alone = by_indicator(demo_observations(areas, [specs["burglary"]]))
    assert alone["burglary"] == values["burglary"]


def test_every_indicator_area_and_period_is_present_once(
    areas: list[DemoArea], catalogue: list[Indicator], observations: list[DemoObservation]
) -> None:
    keys = [(o.indicator, o.area_code, o.period) for o in observations]
    expected = {
        (s.code, a.code, period) for s in catalogue for a in areas for period in demo_periods(s)
    }
    assert len(keys) == len(set(keys))
    assert set(keys) == expected


def test_periods_take_the_canonical_forms(specs: dict[str, Indicator]) -> None:
    assert [
        demo_periods(specs[code])[:2]
        for code in ("burglary", "fire_safe_and_well_visits", "population", "persistent_absence")
    ] == [["2021-01", "2021-02"], ["2021-Q1", "2021-Q2"], ["2021", "2022"], ["2021/22", "2022/23"]]


def test_monthly_indicators_cover_every_month_of_the_years(specs: dict[str, Indicator]) -> None:
    periods = demo_periods(specs["criminal_damage_arson"], first_year=2021, last_year=2023)
    assert (len(periods), periods[0], periods[-1]) == (36, "2021-01", "2023-12")


def test_imd_has_its_one_edition(specs: dict[str, Indicator]) -> None:
    assert demo_periods(specs["imd_rank"]) == ["2019"]


def test_duplicate_area_codes_are_refused(catalogue: list[Indicator]) -> None:
    twice = [DemoArea("E01000001", "Demoville 001A", 0.5)] * 2
    with pytest.raises(ValueError, match="unique"):
        demo_observations(twice, catalogue)


# --- plausible values ------------------------------------------------------------------


def test_counts_are_non_negative_whole_numbers(
    observations: list[DemoObservation], specs: dict[str, Indicator]
) -> None:
    counts = [o.value for o in observations if specs[o.indicator].value_type is ValueType.COUNT]
    assert all(v >= 0 and float(v).is_integer() for v in counts)


def test_percentages_are_shares_of_their_denominators(
    observations: list[DemoObservation], specs: dict[str, Indicator]
) -> None:
    for o in observations:
        if specs[o.indicator].value_type is ValueType.PERCENTAGE:
            assert o.numerator is not None
            assert o.denominator is not None
            assert 0 <= o.numerator <= o.denominator
            assert 0 <= o.value <= 100
            assert o.value == pytest.approx(o.numerator / o.denominator * 100)


def test_rates_are_numerator_over_denominator_times_multiplier(
    observations: list[DemoObservation], specs: dict[str, Indicator]
) -> None:
    for o in observations:
        spec = specs[o.indicator]
        if spec.value_type is ValueType.RATE:
            assert o.numerator is not None
            assert o.denominator is not None
            assert o.value == pytest.approx(o.numerator / o.denominator * spec.multiplier)


def test_rates_divide_their_count_by_the_population_of_the_year(
    observations: list[DemoObservation], values: Values
) -> None:
    for o in observations:
        if o.indicator == "burglary_rate":
            assert o.numerator == values["burglary"][o.area_code][o.period]
            assert o.denominator == values["population"][o.area_code][o.period[:4]]


def test_all_crime_is_the_sum_of_its_crime_types(
    values: Values, specs: dict[str, Indicator]
) -> None:
    parts = [s.code for s in specs.values() if len(s.event_categories) == 1]
    parts = [c for c in parts if specs[c].event_categories[0] != "Anti-social behaviour"]
    for area, series in values["all_crime"].items():
        for period, total in series.items():
            assert total == sum(values[c][area][period] for c in parts)


def test_seriously_injured_are_some_of_all_casualties(values: Values) -> None:
    for area, series in values["road_casualties_ksi"].items():
        for period, ksi in series.items():
            assert ksi <= values["road_casualties_all"][area][period]


def test_populations_are_lsoa_sized(values: Values) -> None:
    populations = [v for series in values["population"].values() for v in series.values()]
    assert 1300 <= statistics.median(populations) <= 2500


def test_imd_decile_follows_the_rank(values: Values) -> None:
    for area, series in values["imd_rank"].items():
        assert values["imd_decile"][area]["2019"] == min(10, -(-series["2019"] // 3284.4))


def test_anti_social_behaviour_peaks_in_summer(values: Values) -> None:
    by_month: dict[str, float] = defaultdict(float)
    for series in values["anti_social_behaviour"].values():
        for period, v in series.items():
            by_month[period[5:]] += v
    summer = statistics.mean(by_month[m] for m in ("06", "07", "08"))
    winter = statistics.mean(by_month[m] for m in ("12", "01", "02"))
    assert summer > 1.2 * winter


def test_deprivation_goes_with_criminal_damage(values: Values) -> None:
    imd = {a: s["2019"] for a, s in values["imd_score"].items()}
    damage = {
        a: statistics.mean(s.values()) for a, s in values["criminal_damage_arson_rate"].items()
    }
    codes = sorted(imd)
    assert np.corrcoef([imd[c] for c in codes], [damage[c] for c in codes])[0, 1] > 0.4


def test_deprivation_goes_with_lower_attainment(values: Values) -> None:
    imd = {a: s["2019"] for a, s in values["imd_score"].items()}
    a8 = {a: statistics.mean(s.values()) for a, s in values["attainment8"].items()}
    codes = sorted(imd)
    assert np.corrcoef([imd[c] for c in codes], [a8[c] for c in codes])[0, 1] < -0.4


# --- planted stories -------------------------------------------------------------------


def test_six_stories_in_six_areas(stories: list[DemoStory]) -> None:
    assert len({s.area_code for s in stories}) == 6


def test_three_stories_pair_criminal_damage_with_absence(stories: list[DemoStory]) -> None:
    paired = [s for s in stories if s.indicators == ("criminal_damage_arson", "persistent_absence")]
    assert len(paired) == 3


def test_stories_start_12_months_before_the_end_or_24_for_the_gradual_one(
    stories: list[DemoStory],
) -> None:
    assert [s.start_period for s in stories] == [STORY_START] * 5 + ["2022-01"]


def test_the_gradual_story_rises_steadily_in_fires_and_anti_social_behaviour(
    values: Values, stories: list[DemoStory]
) -> None:
    story = stories[-1]
    assert story.indicators == ("deliberate_secondary_fires", "anti_social_behaviour")
    assert "rising steadily" in story.description
    for code in story.indicators:
        mine = values[code][story.area_code]
        # Year by year it climbs: 2022 above 2021, 2023 above 2022 (each summed over months).
        years = [
            sum(v for p, v in mine.items() if p.startswith(y)) for y in ("2021", "2022", "2023")
        ]
        assert years[0] < years[1] < years[2], years
        assert years[2] >= 1.6 * years[0]  # x3 and x4 by the end; about x2.3 and x2.9 over 2023


def test_story_areas_criminal_damage_rises_well_above_its_baseline(
    values: Values, stories: list[DemoStory]
) -> None:
    story_areas = [s.area_code for s in stories if "criminal_damage_arson" in s.indicators]
    assert all(rise(values["criminal_damage_arson"][a]) >= 1.3 for a in story_areas)


def test_other_areas_criminal_damage_stays_near_its_baseline(
    values: Values, stories: list[DemoStory]
) -> None:
    story_areas = {s.area_code for s in stories if "criminal_damage_arson" in s.indicators}
    others = [rise(s) for a, s in values["criminal_damage_arson"].items() if a not in story_areas]
    assert 0.85 <= statistics.median(others) <= 1.15


def test_story_areas_persistent_absence_rises_by_points(
    values: Values, stories: list[DemoStory]
) -> None:
    change = {a: s["2023/24"] - s["2021/22"] for a, s in values["persistent_absence"].items()}
    story_areas = {s.area_code for s in stories if "persistent_absence" in s.indicators}
    others = [c for a, c in change.items() if a not in story_areas]
    assert statistics.mean(change[a] for a in story_areas) >= 5
    assert statistics.mean(others) <= 1


def test_single_indicator_stories_rise_in_their_indicator(
    values: Values, stories: list[DemoStory]
) -> None:
    singles = [s for s in stories if len(s.indicators) == 1]
    assert [s.indicators[0] for s in singles] == ["burglary", "vehicle_crime"]
    assert all(rise(values[s.indicators[0]][s.area_code]) >= 1.3 for s in singles)


def test_a_yearly_figure_shows_a_step_from_the_first_year_that_begins_after_it(
    values: Values, stories: list[DemoStory]
) -> None:
    # The absence stories start in 2023-01: the 2022/23 school year (September to August)
    # is as before, the 2023/24 one about 20 points up (the analysis compares a clean
    # baseline with it, and says so in its description).
    paired = [s for s in stories if "persistent_absence" in s.indicators]
    absence = values["persistent_absence"]
    before = [absence[s.area_code]["2022/23"] - absence[s.area_code]["2021/22"] for s in paired]
    step = [absence[s.area_code]["2023/24"] - absence[s.area_code]["2022/23"] for s in paired]
    assert abs(statistics.mean(before)) <= 5, before
    assert statistics.mean(step) >= 12, step
    assert all("school year that begins after (2023/24)" in s.description for s in paired)


def test_stories_of_pupils_go_where_the_children_are_many_enough(
    values: Values, stories: list[DemoStory]
) -> None:
    children = {area: series["2021"] for area, series in values["population_aged_0_15"].items()}
    median = statistics.median(children.values())
    paired = [s.area_code for s in stories if "persistent_absence" in s.indicators]
    assert all(children[a] >= median for a in paired), [children[a] for a in paired]
