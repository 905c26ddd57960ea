"""Planted stories: changes put into the demo data for the alerting to find."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.demo_indicators.calendar import _month_label, _Period
from app.demo_indicators.city import _City, _city, _rng
from app.demo_indicators.models import _PROFILES, _Counts, _Shares
from app.demo_indicators.records import DemoArea, DemoStory, FloatArray
from app.demo_indicators.sampling import _area_factor


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
        Three areas where criminal damage rises 2.5-fold over the last 12 months and
        persistent absence about 20 points in the school year that begins after (yearly
        figures show a step from the first year that begins after it), then one area
        where only burglary rises (tripling), one where only vehicle crime does
        (2.5-fold), and one where deliberate secondary fires and anti-social behaviour
        rise steadily together over the last 24 months (to four and three times their
        level). Each story is in an
        area where its first indicator runs high, so that the rise stands out of the noise,
        and a story that moves a share of pupils in an area with at least the city's median
        number of children (20 points of a hundred pupils are within a year's noise).
        Fewer stories with fewer than five areas.
    """
    city = _city(areas, first_year, last_year, seed)
    return [
        DemoStory(
            area_code=city.codes[plot.area],
            indicators=tuple(code for code, _ in plot.plot.effects),
            start_period=_month_label(plot.start),
            description=plot.plot.description.format(
                start=_month_label(plot.start), school_year=_school_year_from(plot.start)
            ),
        )
        for plot in _planted(city, seed)
    ]


@dataclass(frozen=True)
class _Plot:
    # Counts: relative rise; shares: proportion added; means: units added.
    effects: tuple[tuple[str, float], ...]
    description: str
    lead: int = 12  # starts this many months before the end of the data
    ramp_months: int = 1  # and reaches its full size, rising steadily, after this long
    top: float = 0.75  # in an area where its first indicator runs above this quantile


# Sizes a single LSOA can show to an analysis that tests every indicator in every area at
# once: at about two crimes a month and 250 pupils, +60% and +4 points are within one
# year's noise (binomial SD of absence alone is about 3 points), and even a doubling
# does not survive a false discovery rate over thousands of tests.
_ONLY = "; nothing else changes but the totals and rates that count it"
_TOGETHER = _Plot(
    (("criminal_damage_arson", 1.5), ("persistent_absence", 0.20)),
    "criminal damage and arson rising 2.5-fold from {start} and persistent absence up "
    "about 20 points in the school year that begins after ({school_year}); steady before, "
    "apart from noise, seasons and city-wide trends",
)
# Youth disorder: nuisance fires and anti-social behaviour creeping up together for two
# years, never a jump; by the end four and three times what they were. In an area where
# fires run in the top tenth: at a few fires a year, less would stay within the noise.
_GRADUAL = _Plot(
    (("deliberate_secondary_fires", 3.0), ("anti_social_behaviour", 2.0)),
    "deliberate secondary fires and anti-social behaviour rising steadily together from "
    "{start}, month by month, to four and three times their level by the end",
    lead=24,
    ramp_months=24,
    top=0.97,
)
_PLOTS = (
    _TOGETHER,
    _TOGETHER,
    _TOGETHER,
    _Plot((("burglary", 2.0),), "burglary tripling from {start}" + _ONLY),
    _Plot((("vehicle_crime", 1.5),), "vehicle crime rising 2.5-fold from {start}" + _ONLY),
    _GRADUAL,
)


@dataclass(frozen=True)
class _Planted:
    area: int
    plot: _Plot
    start: int  # month index of the first month it shows


def _planted(city: _City, seed: int) -> list[_Planted]:
    rng = _rng(seed, "stories")
    months = 12 * (city.last_year - city.first_year + 1)
    free = np.ones(city.size, dtype=bool)
    planted: list[_Planted] = []
    for plot in _PLOTS:
        if not free.any():
            break
        # Where the indicator's counts are in the top quarter, away from the centres: a
        # rise there stands out of an LSOA's noise, and the area is unremarkable otherwise.
        expected = _expected_level(plot.effects[0][0], city, seed)
        high = expected >= np.quantile(expected[free], plot.top)
        # A share moved by a story is of the area's pupils: where they are few (a hundred
        # or so), 20 points is within a year's noise, so such a story goes where the
        # children are at least as many as in the city's typical area.
        if any(isinstance(_PROFILES.get(code), _Shares) for code, _ in plot.effects):
            high &= city.children[:, 0] >= np.median(city.children[:, 0])
        pool = np.flatnonzero(free & high & (city.centre < 2.0))
        area = int(rng.choice(pool if len(pool) else np.flatnonzero(free)))
        free[area] = False
        # In the second half of the data (a gradual story: after its first third).
        floor = months // 2 if plot.ramp_months == 1 else months // 3
        start = city.first_year * 12 + max(months - plot.lead, floor)
        planted.append(_Planted(area, plot, start))
    return planted


def _school_year_from(month: int) -> str:
    """The first school year (September to August) that begins in or after a month."""
    year = month // 12 + (1 if month % 12 > 8 else 0)
    return f"{year}/{(year + 1) % 100:02d}"


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
            if planted.plot.ramp_months == 1 and period.months > 1:
                # A step shows in a yearly (or quarterly) figure from the first period
                # that begins after it: a school year's absence jumps with that school
                # year, not with a fraction of the months of the one before.
                months = np.full(period.months, period.start)
            ramp = np.clip((months - planted.start + 1) / planted.plot.ramp_months, 0.0, 1.0)
            # A steady rise grows by the same factor each month (log-linear) to 1 + size.
            grown = (1.0 + size) ** ramp - 1.0 if planted.plot.ramp_months > 1 else size * ramp
            lift[planted.area, j] += float(grown.mean())
    return lift
