"""Demo indicator values for ``make demo``: plausible, deterministic, with planted stories.

The demo city has real boundaries but no real indicator data, so this module makes values
that behave like the real thing for an analyst: one latent deprivation score per area
drives IMD, crime, fires, obesity, absence, attainment and life expectancy together;
counts are overdispersed (negative binomial) around an area's rate times its population,
with seasons (summer anti-social behaviour, Bonfire Night fires) and city-wide trends;
percentages are binomial draws on realistic cohorts; rates are computed from the counts
they divide. On top of that a few planted stories give the alerting something true to
find (:func:`demo_stories`). Every value is labelled :data:`DEMO_LABEL` by the caller.

Each indicator draws from its own random stream (the seed and its code), so a value does
not change when indicators are added to or removed from the catalogue.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.indicators.catalogue import IndicatorSpec, Polarity, ValueType
from app.observations.periods import PeriodType

DEMO_LABEL = "DEMO data, generated"

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DemoArea:
    """An area of the demo city (an LSOA): its code, name and area in km²."""

    code: str
    name: str
    area_km2: float


@dataclass(frozen=True, slots=True)
class DemoObservation:
    """One value of one indicator for one area and period.

    ``numerator`` and ``denominator`` are given for percentages, rates and means over a
    cohort, such that ``value == numerator / denominator * multiplier``; None otherwise.
    """

    indicator: str
    area_code: str
    period: str
    value: float
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class DemoStory:
    """A change planted in the demo data for the alerting to find.

    ``start_period`` is the first month the change shows; it grows over six months and
    then holds. The indicators' rates (e.g. ``criminal_damage_arson_rate``) follow.
    """

    area_code: str
    indicators: tuple[str, ...]
    start_period: str
    description: str


def demo_observations(
    areas: Sequence[DemoArea],
    catalogue: Sequence[IndicatorSpec],
    *,
    first_year: int = 2021,
    last_year: int = 2023,
    seed: int = 2019,
) -> list[DemoObservation]:
    """Generate demo values of every catalogue indicator for every area and period.

    Parameters
    ----------
    areas : sequence of DemoArea
        The demo city's LSOAs; names such as "Sheffield 001A" group them into MSOAs, whose
        neighbouring LSOAs are alike in deprivation.
    catalogue : sequence of IndicatorSpec
        Indicators to generate, partners-only ones included (the caller decides who sees
        them). Indicators of the default catalogue follow realistic models; any other gets
        a generic model for its value type and polarity.
    first_year, last_year : int
        The calendar years covered: months, quarters and calendar years within them, and
        financial and academic years starting in them. IMD indicators have the one period
        "2019" (their edition).
    seed : int
        Non-negative seed of the random streams; the same seed gives the same values.

    Returns
    -------
    list of DemoObservation
        One per indicator, area and period (see :func:`demo_periods`), in catalogue order,
        then area code, then period.

    Raises
    ------
    ValueError
        For no areas, duplicate area codes, a negative seed or ``first_year > last_year``.
    """
    city = _city(areas, first_year, last_year, seed)
    ctx = _Context(catalogue, city, {}, _planted(city, seed), seed)
    for spec in sorted(catalogue, key=lambda s: _stage(s, catalogue)):
        ctx.series[spec.code] = _generate(spec, ctx)
    return [
        obs for spec in catalogue for obs in _observations(spec.code, city, ctx.series[spec.code])
    ]


def demo_stories(
    areas: Sequence[DemoArea], *, first_year: int = 2021, last_year: int = 2023, seed: int = 2019
) -> list[DemoStory]:
    """The stories :func:`demo_observations` plants for the same areas, years and seed.

    Parameters
    ----------
    areas : sequence of DemoArea
    first_year, last_year, seed : int
        As given to :func:`demo_observations`.

    Returns
    -------
    list of DemoStory
        Three areas where criminal damage (doubling) and persistent absence (about +10
        points) rise together over the last 18 months, then one area where only burglary
        rises (doubling) and one where only vehicle crime does (+80%). Each story is in an
        area where its first indicator runs high, so that the rise stands out of the noise.
        Fewer stories with fewer than five areas.
    """
    city = _city(areas, first_year, last_year, seed)
    return [
        DemoStory(
            area_code=city.codes[plot.area],
            indicators=tuple(code for code, _ in plot.plot.effects),
            start_period=_month_label(plot.start),
            description=plot.plot.description.format(start=_month_label(plot.start)),
        )
        for plot in _planted(city, seed)
    ]


def demo_periods(
    spec: IndicatorSpec, *, first_year: int = 2021, last_year: int = 2023
) -> list[str]:
    """The periods :func:`demo_observations` gives an indicator, in time order.

    Parameters
    ----------
    spec : IndicatorSpec
    first_year, last_year : int

    Returns
    -------
    list of str
        Canonical labels: "2021-03" (month), "2021-Q1", "2021", "2021/22" (financial and
        academic years); "2019" alone for IMD indicators.
    """
    return [p.label for p in _periods(spec, first_year, last_year)]


# --- periods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    label: str
    start: int  # months since the start of year 0: year * 12 + month - 1
    months: int

    @property
    def year(self) -> int:
        """The calendar year it starts in (whose mid-year population it is divided by)."""
        return self.start // 12


# The IMD is one edition, not a series: published for 2019 and not again until 2025.
_IMD_CODES = frozenset({"imd_score", "imd_rank", "imd_decile", "imd_crime_score"})
_IMD_PERIOD = _Period("2019", 2019 * 12, 12)
_YEAR_START_MONTH = {
    PeriodType.CALENDAR_YEAR: 0,
    PeriodType.FINANCIAL_YEAR: 3,  # April
    PeriodType.ACADEMIC_YEAR: 8,  # September
}


def _periods(spec: IndicatorSpec, first_year: int, last_year: int) -> tuple[_Period, ...]:
    if spec.code in _IMD_CODES:
        return (_IMD_PERIOD,)
    years = range(first_year, last_year + 1)
    if spec.period_type is PeriodType.MONTH:
        return tuple(
            _Period(_month_label(y * 12 + m), y * 12 + m, 1) for y in years for m in range(12)
        )
    if spec.period_type is PeriodType.QUARTER:
        return tuple(_Period(f"{y}-Q{q + 1}", y * 12 + 3 * q, 3) for y in years for q in range(4))
    offset = _YEAR_START_MONTH[PeriodType(spec.period_type)]
    if offset == 0:
        return tuple(_Period(str(y), y * 12, 12) for y in years)
    return tuple(_Period(f"{y}/{(y + 1) % 100:02d}", y * 12 + offset, 12) for y in years)


def _month_label(month_index: int) -> str:
    return f"{month_index // 12}-{month_index % 12 + 1:02d}"


# --- the city: latent state shared by every indicator ----------------------------------

_LSOA_NAME = re.compile(r"^(?P<msoa>.+ \d{3})[A-Z]$")


@dataclass(frozen=True)
class _City:
    codes: list[str]
    deprivation: FloatArray  # standardised: 0 is the city average, +2 very deprived
    centre: FloatArray  # pull of shops and the night-time economy, averaging about 1
    log_area: FloatArray  # log of km² over the median: big suburban or rural areas > 0
    population: FloatArray  # (areas, years) mid-year estimates
    children: FloatArray  # (areas, years) aged 0-15
    household_size: FloatArray  # (areas,) residents per household
    first_year: int
    last_year: int

    @property
    def size(self) -> int:
        return len(self.codes)

    def at(self, table: FloatArray, periods: Sequence[_Period]) -> FloatArray:
        """Columns of a yearly table for each period's start year (nearest year covered)."""
        index = [
            min(max(p.year, self.first_year), self.last_year) - self.first_year for p in periods
        ]
        return table[:, index]

    def years_from_start(self, periods: Sequence[_Period]) -> FloatArray:
        """Years from the start of ``first_year`` to each period's middle (for trends)."""
        return np.array([(p.start + p.months / 2) / 12 - self.first_year for p in periods])


def _city(areas: Sequence[DemoArea], first_year: int, last_year: int, seed: int) -> _City:
    if not areas:
        raise ValueError("the demo needs at least one area")
    if first_year > last_year:
        raise ValueError(f"first_year {first_year} is after last_year {last_year}")
    if seed < 0:
        raise ValueError("the seed must be zero or more")
    ordered = sorted(areas, key=lambda a: a.code)
    codes = [a.code for a in ordered]
    if len(set(codes)) < len(codes):
        raise ValueError("area codes must be unique")
    rng = _rng(seed, "city")
    n = len(codes)
    # LSOAs of one MSOA are neighbours, and neighbours are alike: share part of the score.
    groups = [m.group("msoa") if (m := _LSOA_NAME.match(a.name)) else a.code for a in ordered]
    _, group_of = np.unique(groups, return_inverse=True)
    shared = rng.normal(size=int(group_of.max()) + 1)[group_of]
    km2 = np.array([max(a.area_km2, 0.01) for a in ordered])
    log_area = np.log(km2 / np.median(km2))
    # Big LSOAs are the suburban and rural fringe, on the whole less deprived.
    raw = 0.8 * shared + 0.6 * rng.normal(size=n) - 0.35 * _standardise(log_area)
    deprivation = _standardise(raw)
    centre = rng.lognormal(0.0, 0.45, size=n)
    compact = np.flatnonzero(log_area <= np.quantile(log_area, 0.25))
    hubs = rng.choice(compact, size=max(1, round(0.02 * n)), replace=False)
    centre[hubs] *= 6.0  # the city centre and district centres
    years = np.arange(last_year - first_year + 1)
    base = np.clip(rng.lognormal(math.log(1650), 0.16, size=n), 1150, 3200)
    growth = rng.normal(0.004, 0.006, size=n)
    population = np.rint(
        base[:, None] * np.exp(growth[:, None] * years) + rng.normal(0, 6, (n, len(years)))
    )
    child_share = np.clip(0.185 + 0.035 * deprivation + rng.normal(0, 0.025, n), 0.06, 0.32)
    children = np.rint(population * (child_share[:, None] - 0.0015 * years))
    household_size = np.clip(rng.normal(2.3, 0.15, n) + 0.1 * deprivation, 1.6, 3.2)
    return _City(
        codes=codes,
        deprivation=deprivation,
        centre=centre / centre.mean(),
        log_area=log_area,
        population=population,
        children=children,
        household_size=household_size,
        first_year=first_year,
        last_year=last_year,
    )


def _standardise(x: FloatArray) -> FloatArray:
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def _rng(seed: int, tag: str) -> np.random.Generator:
    # crc32, not hash(): Python salts string hashes per process.
    return np.random.default_rng([seed, zlib.crc32(tag.encode())])


# --- models ----------------------------------------------------------------------------


def _season(
    amplitude: float, peak_month: int, spikes: Mapping[int, float] | None = None
) -> tuple[float, ...]:
    """Twelve monthly factors averaging 1: a yearly wave peaking in ``peak_month``."""
    factors = np.array(
        [1 + amplitude * math.cos(2 * math.pi * (m - peak_month) / 12) for m in range(1, 13)]
    )
    for month, factor in (spikes or {}).items():
        factors[month - 1] *= factor
    return tuple(float(f) for f in factors / factors.mean())


_FLAT = (1.0,) * 12


@dataclass(frozen=True)
class _Counts:
    """Events a year per 1,000 residents, shaped by area, season, trend and noise."""

    per_1000: float
    deprivation: float = 0.0  # change of the log rate per SD of deprivation
    centre: float = 0.0  # power of the centre pull
    season: tuple[float, ...] = _FLAT
    trend: float = 0.0  # city-wide change of the log rate a year
    spread: float = 6.0  # gamma shape of lasting area differences: smaller spreads more
    noise: float = 10.0  # gamma shape of period-to-period overdispersion
    pooled_years: int = 1  # a value is the yearly average over this many years


@dataclass(frozen=True)
class _Thinned:
    """A share of another count's events (killed or seriously injured of all casualties)."""

    parent: str
    share: float


@dataclass(frozen=True)
class _Shares:
    """A proportion of a cohort; drawn binomially unless measured (``sampled=False``)."""

    share: float  # city-wide in the first year
    cohort: str  # year_group | pupils | adults | households | residents
    deprivation: float = 0.0  # change of the logit per SD of deprivation
    area_size: float = 0.0  # change of the logit per unit of log area
    trend: float = 0.0  # change of the logit a year
    spread: float = 0.15  # SD of lasting area differences on the logit scale
    sampled: bool = True


@dataclass(frozen=True)
class _Means:
    """A mean (or score) in its own units; over a cohort when ``cohort`` is set."""

    mean: float
    deprivation: float = 0.0  # units per SD of deprivation
    area_size: float = 0.0  # units per unit of log area
    trend: float = 0.0  # units a year
    spread: float = 1.0  # SD of lasting area differences
    noise: float = 0.5  # SD from period to period
    cohort: str | None = None
    individual_sd: float = 0.0  # SD between the cohort's members
    decimals: int = 1
    minimum: float = 0.0


_Model = _Counts | _Thinned | _Shares | _Means

# Levels are Sheffield-like: police.uk December 2019 counts for the city, annualised; IoD,
# NCMP, DfE and OHID figures of 2021-2023. Deprivation effects give the usual gradients.
_PROFILES: dict[str, _Model] = {
    "anti_social_behaviour": _Counts(
        24.0, deprivation=0.45, centre=0.5, season=_season(0.22, 7), trend=-0.07
    ),
    "bicycle_theft": _Counts(1.1, centre=0.8, season=_season(0.35, 7), trend=-0.03),
    "burglary": _Counts(7.5, deprivation=0.35, centre=0.2, season=_season(0.1, 12), trend=-0.04),
    "criminal_damage_arson": _Counts(
        9.5, deprivation=0.45, centre=0.3, season=_season(0.08, 7), trend=-0.01
    ),
    "drugs": _Counts(2.2, deprivation=0.6, centre=0.6, noise=3.0),  # lumpy police operations
    "other_crime": _Counts(2.4, deprivation=0.3, centre=0.4, trend=0.03),
    "other_theft": _Counts(8.0, deprivation=0.1, centre=0.7, season=_season(0.05, 8)),
    "possession_of_weapons": _Counts(1.1, deprivation=0.55, centre=0.5, trend=0.02),
    "public_order": _Counts(9.5, deprivation=0.45, centre=0.6, season=_season(0.1, 7), trend=-0.02),
    "robbery": _Counts(1.5, deprivation=0.45, centre=0.7, season=_season(0.08, 11)),
    # Shoplifting rose sharply across England from 2022.
    "shoplifting": _Counts(6.5, deprivation=0.1, centre=1.6, trend=0.12, spread=2.0),
    "theft_from_the_person": _Counts(1.6, deprivation=0.1, centre=1.4, season=_season(0.1, 12)),
    "vehicle_crime": _Counts(
        10.0, deprivation=0.3, centre=0.3, season=_season(0.06, 11), trend=0.02
    ),
    "violence_sexual_offences": _Counts(
        36.0, deprivation=0.5, centre=0.7, season=_season(0.1, 7), trend=0.02
    ),
    "deliberate_primary_fires": _Counts(
        0.9, deprivation=0.8, centre=0.2, season=_season(0.15, 4, {11: 1.3})
    ),
    # Grass fires in spring; bonfires and fireworks in late October and November.
    "deliberate_secondary_fires": _Counts(
        2.8, deprivation=0.9, season=_season(0.45, 4, {10: 1.3, 11: 1.9})
    ),
    "accidental_dwelling_fires": _Counts(0.35, deprivation=0.3, season=_season(0.12, 1)),
    "fire_safe_and_well_visits": _Counts(10.0, deprivation=0.5, trend=0.05, noise=4.0),
    # Casualties are counted where collisions happen: main roads and centres.
    "road_casualties_all": _Counts(2.3, deprivation=0.2, centre=0.8, spread=2.0, trend=-0.02),
    "road_casualties_ksi": _Thinned("road_casualties_all", 0.22),
    "emergency_admissions": _Counts(105.0, deprivation=0.3, spread=15.0, noise=60.0, trend=0.02),
    "stroke_admissions": _Counts(1.45, deprivation=0.15, spread=8.0, pooled_years=3),
    "child_obesity_reception": _Shares(0.10, "year_group", deprivation=0.3),
    "child_obesity_year6": _Shares(0.235, "year_group", deprivation=0.35, trend=0.01),
    "persistent_absence": _Shares(0.23, "pupils", deprivation=0.5, trend=-0.05, spread=0.25),
    "fsm_eligible": _Shares(0.27, "pupils", deprivation=0.9, trend=0.06, spread=0.2),
    "gp_registered_depression": _Shares(0.14, "adults", deprivation=0.25, trend=0.05),
    "bus_stop_access": _Shares(
        0.85,
        "households",
        deprivation=0.3,
        area_size=-0.9,
        spread=0.6,
        trend=-0.04,
        sampled=False,
    ),
    "hospital_journey_time_public_transport": _Means(
        27.0, deprivation=-2.0, area_size=5.0, spread=4.0, noise=0.6, trend=0.4, minimum=4.0
    ),
    # Five-year pooled: wide differences between small areas, small changes year to year.
    "life_expectancy_male": _Means(78.6, deprivation=-3.0, spread=1.6, noise=0.4, trend=0.05),
    "life_expectancy_female": _Means(82.4, deprivation=-2.4, spread=1.4, noise=0.4, trend=0.05),
    # 2021/22 grades were still generous; Attainment 8 fell back after.
    "attainment8": _Means(
        46.5, deprivation=-6.0, spread=2.0, trend=-0.6, cohort="year_group", individual_sd=18.0
    ),
}


def _model(spec: IndicatorSpec) -> _Model:
    """The profile for the indicator when it fits its value type, else a generic one."""
    model = _PROFILES.get(spec.code)
    fits = {
        ValueType.COUNT: (_Counts, _Thinned),
        ValueType.RATE: (_Counts,),
        ValueType.PERCENTAGE: (_Shares,),
        ValueType.MEAN: (_Means, _Counts),
        ValueType.SCORE: (_Means,),
    }[spec.value_type]
    if model is not None and isinstance(model, fits):
        return model
    sign = {Polarity.HIGHER_IS_WORSE: 1.0, Polarity.HIGHER_IS_BETTER: -1.0}.get(spec.polarity, 0.0)
    if spec.value_type in (ValueType.COUNT, ValueType.RATE):
        return _Counts(10.0, deprivation=0.3 * sign)
    if spec.value_type is ValueType.PERCENTAGE:
        return _Shares(0.2, "residents", deprivation=0.4 * sign)
    return _Means(50.0, deprivation=5.0 * sign, spread=5.0, noise=1.0)


# --- planted stories -------------------------------------------------------------------


@dataclass(frozen=True)
class _Plot:
    # Counts: relative rise; shares: proportion added; means: units added.
    effects: tuple[tuple[str, float], ...]
    description: str


# Sizes a single LSOA can show: at about two crimes a month and 250 pupils, +60% and +4
# points are within one year's noise (binomial SD of absence alone is about 3 points).
_ONLY = "; nothing else changes but the totals and rates that count it"
_TOGETHER = _Plot(
    (("criminal_damage_arson", 1.0), ("persistent_absence", 0.10)),
    "criminal damage and arson doubling and persistent absence up about 10 points, "
    "together, from {start}; steady before, apart from noise, seasons and city-wide trends",
)
_PLOTS = (
    _TOGETHER,
    _TOGETHER,
    _TOGETHER,
    _Plot((("burglary", 1.0),), "burglary doubling from {start}" + _ONLY),
    _Plot((("vehicle_crime", 0.8),), "vehicle crime up about 80% from {start}" + _ONLY),
)
_STORY_MONTHS = 18  # a story starts this long before the end of the data
_RAMP_MONTHS = 6  # and reaches its full size after this long


@dataclass(frozen=True)
class _Planted:
    area: int
    plot: _Plot
    start: int  # month index of the first month it shows


def _planted(city: _City, seed: int) -> list[_Planted]:
    rng = _rng(seed, "stories")
    months = 12 * (city.last_year - city.first_year + 1)
    start = city.first_year * 12 + max(months - _STORY_MONTHS, months // 2)
    free = np.ones(city.size, dtype=bool)
    planted: list[_Planted] = []
    for plot in _PLOTS:
        if not free.any():
            break
        # Where the indicator's counts are in the top quarter, away from the centres: a
        # rise there stands out of an LSOA's noise, and the area is unremarkable otherwise.
        expected = _expected_level(plot.effects[0][0], city, seed)
        high = expected >= np.quantile(expected[free], 0.75)
        pool = np.flatnonzero(free & high & (city.centre < 2.0))
        area = int(rng.choice(pool if len(pool) else np.flatnonzero(free)))
        free[area] = False
        planted.append(_Planted(area, plot, start))
    return planted


def _expected_level(code: str, city: _City, seed: int) -> FloatArray:
    """How high an indicator runs in each area before noise (deprivation if not a count)."""
    model = _PROFILES.get(code)
    if isinstance(model, _Counts):
        return city.population[:, 0] * _area_factor(code, model, city, seed)
    return city.deprivation


def _lift(
    code: str, periods: Sequence[_Period], city: _City, plots: Sequence[_Planted]
) -> FloatArray:
    """The planted change of an indicator, by area and period (0 where nothing is planted)."""
    lift = np.zeros((city.size, len(periods)))
    for planted in plots:
        size = dict(planted.plot.effects).get(code)
        if size is None:
            continue
        for j, period in enumerate(periods):
            months = np.arange(period.start, period.start + period.months)
            ramp = np.clip((months - planted.start + 1) / _RAMP_MONTHS, 0.0, 1.0)
            lift[planted.area, j] += size * float(ramp.mean())
    return lift


# --- generating one indicator ----------------------------------------------------------


@dataclass(frozen=True)
class _Series:
    periods: tuple[_Period, ...]
    values: FloatArray  # (areas, periods)
    numerator: FloatArray | None = None
    denominator: FloatArray | None = None


@dataclass(frozen=True)
class _Context:
    """What generating one indicator may use: the city, the stories, what is generated."""

    catalogue: Sequence[IndicatorSpec]
    city: _City
    series: dict[str, _Series]
    plots: Sequence[_Planted]
    seed: int


def _stage(spec: IndicatorSpec, catalogue: Sequence[IndicatorSpec]) -> int:
    """Generation order: counts before the totals and rates made from them."""
    if spec.value_type is ValueType.RATE:
        return 3
    if _components(spec, catalogue):
        return 2
    return 1 if isinstance(_PROFILES.get(spec.code), _Thinned) else 0


def _components(spec: IndicatorSpec, catalogue: Sequence[IndicatorSpec]) -> list[str]:
    """Counts whose sum a total is: each counts one of its event categories alone."""
    if spec.value_type is not ValueType.COUNT or len(spec.event_categories) < 2:
        return []
    single = {
        s.event_categories[0]: s.code
        for s in catalogue
        if s.value_type is ValueType.COUNT
        and len(s.event_categories) == 1
        and s.period_type == spec.period_type
    }
    if not all(category in single for category in spec.event_categories):
        return []
    return [single[category] for category in spec.event_categories]


def _generate(spec: IndicatorSpec, ctx: _Context) -> _Series:
    city = ctx.city
    periods = _periods(spec, city.first_year, city.last_year)
    if spec.code in _IMD_CODES:
        return _Series(periods, _imd(city, ctx.seed)[spec.code])
    if spec.code == "population":
        return _Series(periods, city.at(city.population, periods))
    if spec.code == "population_aged_0_15":
        return _Series(periods, city.at(city.children, periods))
    if spec.value_type is ValueType.RATE:
        return _rate(spec, periods, ctx)
    parts = _components(spec, ctx.catalogue)
    if parts:
        return _Series(periods, np.sum([ctx.series[code].values for code in parts], axis=0))
    return _modelled(spec.code, _model(spec), periods, ctx)


def _modelled(code: str, model: _Model, periods: tuple[_Period, ...], ctx: _Context) -> _Series:
    rng = _rng(ctx.seed, code)
    lift = _lift(code, periods, ctx.city, ctx.plots)
    if isinstance(model, _Thinned):
        parent = ctx.series.get(model.parent)
        if parent is None or parent.periods != periods:
            parent_model = _PROFILES.get(model.parent)
            fallback = parent_model if isinstance(parent_model, _Counts) else _Counts(10.0)
            parent = _modelled(model.parent, fallback, periods, ctx)
        return _Series(
            periods, rng.binomial(parent.values.astype(np.int64), model.share).astype(np.float64)
        )
    if isinstance(model, _Counts):
        area = _area_factor(code, model, ctx.city, ctx.seed)
        return _Series(periods, _counts(model, periods, ctx.city, area, rng, 1.0 + lift))
    if isinstance(model, _Shares):
        return _shares(model, periods, ctx.city, rng, lift)
    return _means(model, periods, ctx.city, rng, lift)


def _area_factor(code: str, model: _Counts, city: _City, seed: int) -> FloatArray:
    """Lasting differences between areas' rates, averaging 1 over the city's residents."""
    rng = _rng(seed, f"{code}/areas")  # its own stream: stories are chosen from it too
    area = np.exp(model.deprivation * city.deprivation) * city.centre**model.centre
    area = area * rng.gamma(model.spread, 1 / model.spread, city.size)
    weights = city.population[:, 0]
    return np.asarray(area / (area * weights).sum() * weights.sum(), dtype=np.float64)


def _counts(
    model: _Counts,
    periods: Sequence[_Period],
    city: _City,
    area: FloatArray,
    rng: np.random.Generator,
    factor: FloatArray,
) -> FloatArray:
    """Overdispersed counts: Poisson around a gamma-distributed (negative binomial) mean."""
    population = city.at(city.population, periods)
    season = np.array([_period_season(model.season, p) for p in periods])
    trend = np.exp(model.trend * city.years_from_start(periods))
    length = np.array([p.months / 12 for p in periods])
    expected = model.per_1000 / 1000 * population * length * area[:, None] * season * trend * factor
    shape = (*expected.shape, model.pooled_years)
    noisy = expected[..., None] * rng.gamma(model.noise, 1 / model.noise, shape)
    draws = rng.poisson(noisy).astype(np.float64)
    if model.pooled_years == 1:
        return np.asarray(draws[..., 0], dtype=np.float64)
    return np.asarray(np.round(draws.mean(axis=-1), 2), dtype=np.float64)


def _period_season(season: Sequence[float], period: _Period) -> float:
    return sum(season[(period.start + k) % 12] for k in range(period.months)) / period.months


def _cohort(
    kind: str, periods: Sequence[_Period], city: _City, rng: np.random.Generator
) -> FloatArray:
    """Who a share or a mean is of, by area and period: never fewer than one."""
    population = city.at(city.population, periods)
    children = city.at(city.children, periods)
    if kind == "year_group":  # one school year, about 95% of whom are measured or sit exams
        size = rng.poisson(children / 16 * 0.95).astype(np.float64)
    elif kind == "pupils":  # compulsory school age (5-15) in state-funded schools
        size = rng.poisson(children * 11 / 16 * 0.93).astype(np.float64)
    elif kind == "adults":  # GP lists run a few per cent above the resident population
        size = np.rint((population - children * 18 / 16) * 1.03)
    elif kind == "households":
        size = np.rint(population / city.household_size[:, None])
    else:
        size = population
    return np.maximum(size, 1.0)


def _shares(
    model: _Shares,
    periods: Sequence[_Period],
    city: _City,
    rng: np.random.Generator,
    lift: FloatArray,
) -> _Series:
    denominator = _cohort(model.cohort, periods, city, rng)
    area = model.deprivation * city.deprivation + model.area_size * city.log_area
    area = area - area.mean() + rng.normal(0.0, model.spread, city.size)
    logit = math.log(model.share / (1 - model.share)) + area[:, None]
    logit = logit + model.trend * city.years_from_start(periods)
    p = np.clip(1 / (1 + np.exp(-logit)) + lift, 0.001, 0.999)
    if model.sampled:
        numerator = rng.binomial(denominator.astype(np.int64), p).astype(np.float64)
    else:
        numerator = np.rint(denominator * p)
    return _Series(tuple(periods), numerator / denominator * 100, numerator, denominator)


def _means(
    model: _Means,
    periods: Sequence[_Period],
    city: _City,
    rng: np.random.Generator,
    lift: FloatArray,
) -> _Series:
    level = model.mean + model.deprivation * city.deprivation + model.area_size * city.log_area
    level = level + rng.normal(0.0, model.spread, city.size)
    mean = level[:, None] + model.trend * city.years_from_start(periods) + lift
    mean = mean + rng.normal(0.0, model.noise, mean.shape)
    if model.cohort is None:
        values = np.round(np.maximum(mean, model.minimum), model.decimals)
        return _Series(tuple(periods), np.asarray(values, dtype=np.float64))
    cohort = _cohort(model.cohort, periods, city, rng)
    mean = mean + rng.normal(0.0, 1.0, mean.shape) * model.individual_sd / np.sqrt(cohort)
    total = np.round(np.maximum(mean, model.minimum) * cohort, model.decimals)
    return _Series(tuple(periods), total / cohort, total, cohort)


def _rate(spec: IndicatorSpec, periods: tuple[_Period, ...], ctx: _Context) -> _Series:
    """A rate from the counts it divides: value = numerator / denominator * multiplier."""
    numerator_code = spec.numerator or f"{spec.code}__events"
    numerator = _aligned(numerator_code, periods, ctx, counts=True)
    denominator = _aligned(spec.denominator or "population", periods, ctx, counts=False)
    safe = np.where(denominator > 0, denominator, 1.0)
    values = np.where(denominator > 0, numerator / safe * spec.multiplier, 0.0)
    return _Series(periods, values, numerator, denominator)


def _aligned(code: str, periods: tuple[_Period, ...], ctx: _Context, *, counts: bool) -> FloatArray:
    """An indicator's values for these periods: as generated, by year, or made up for them.

    A numerator outside the catalogue is generated from its profile (or a generic count);
    a denominator outside it is the population.
    """
    known = ctx.series.get(code)
    if known is not None and known.periods == periods:
        return known.values
    if known is not None and all(p.months == 12 and p.start % 12 == 0 for p in known.periods):
        years = {p.year: j for j, p in enumerate(known.periods)}
        first, last = min(years), max(years)
        return known.values[:, [years[min(max(p.year, first), last)] for p in periods]]
    if not counts:
        return ctx.city.at(ctx.city.population, periods)
    profile = _PROFILES.get(code)
    model = profile if isinstance(profile, _Counts) else _Counts(10.0)
    return _modelled(code, model, periods, ctx).values


def _imd(city: _City, seed: int) -> dict[str, FloatArray]:
    """IMD 2019 score, national rank, decile and crime domain score, consistent together."""
    rng = _rng(seed, "imd")
    z = city.deprivation
    # Skewed like a real city's: median about 21, a long tail of very deprived areas up to
    # about 80, and a quarter of LSOAs in England's most deprived decile.
    score = np.exp(3.05 + 0.72 * z - 0.08 * z**2 + rng.normal(0, 0.08, city.size))
    # England's 32,844 LSOA scores, roughly log-normal: median about 17, top decile from 34.
    national = (np.log(score) - 2.85) / 0.55
    above = np.array([0.5 * math.erfc(v / math.sqrt(2)) for v in national])  # more deprived
    rank = np.clip(np.ceil(above * 32844), 1, 32844)
    decile = np.clip(np.ceil(rank / 3284.4), 1, 10)
    crime = 0.25 + 0.55 * z + 0.3 * rng.normal(size=city.size)
    crime = crime + 0.4 * np.log(city.centre)  # centres see crime whoever lives there
    return {
        "imd_score": np.round(score, 3)[:, None],
        "imd_rank": rank[:, None],
        "imd_decile": decile[:, None],
        "imd_crime_score": np.round(crime, 3)[:, None],
    }


# --- output ----------------------------------------------------------------------------


def _observations(code: str, city: _City, series: _Series) -> list[DemoObservation]:
    labels = [p.label for p in series.periods]
    values = series.values.tolist()
    nothing: list[list[None]] = [[None] * len(labels)] * city.size
    numerators = series.numerator.tolist() if series.numerator is not None else nothing
    denominators = series.denominator.tolist() if series.denominator is not None else nothing
    return [
        DemoObservation(code, area, label, value, numerator, denominator)
        for area, vs, ns, ds in zip(city.codes, values, numerators, denominators, strict=True)
        for label, value, numerator, denominator in zip(labels, vs, ns, ds, strict=True)
    ]
