"""Generating every indicator: in dependency order, from its model or from other series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.demo_indicators.calendar import _IMD_CODES, _Period, _periods
from app.demo_indicators.city import _City, _city, _rng
from app.demo_indicators.models import _PROFILES, _Counts, _Model, _model, _Shares, _Thinned
from app.demo_indicators.records import DemoArea, DemoObservation, FloatArray
from app.demo_indicators.sampling import _area_factor, _counts, _imd, _means, _Series, _shares
from app.demo_indicators.stories import _lift, _Planted, _planted
from app.indicators.indicator import Indicator
from app.indicators.value_types import DemoShape


def demo_observations(
    areas: Sequence[DemoArea],
    catalogue: Sequence[Indicator],
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
    catalogue : sequence of Indicator
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


@dataclass(frozen=True)
class _Context:
    """What generating one indicator may use: the city, the stories, what is generated."""

    catalogue: Sequence[Indicator]
    city: _City
    series: dict[str, _Series]
    plots: Sequence[_Planted]
    seed: int


def _stage(spec: Indicator, catalogue: Sequence[Indicator]) -> int:
    """Generation order: counts before the totals and rates made from them."""
    if spec.kind.demo is DemoShape.RATES:
        return 3
    if _components(spec, catalogue):
        return 2
    return 1 if isinstance(_PROFILES.get(spec.code), _Thinned) else 0


def _components(spec: Indicator, catalogue: Sequence[Indicator]) -> list[str]:
    """Counts whose sum a total is: each counts one of its event categories alone."""
    if spec.kind.demo is not DemoShape.COUNTS or len(spec.event_categories) < 2:
        return []
    single = {
        s.event_categories[0]: s.code
        for s in catalogue
        if s.kind.demo is DemoShape.COUNTS
        and len(s.event_categories) == 1
        and s.period_type == spec.period_type
    }
    if not all(category in single for category in spec.event_categories):
        return []
    return [single[category] for category in spec.event_categories]


def _generate(spec: Indicator, ctx: _Context) -> _Series:
    city = ctx.city
    periods = _periods(spec, city.first_year, city.last_year)
    if spec.code in _IMD_CODES:
        return _Series(periods, _imd(city, ctx.seed)[spec.code])
    if spec.code == "population":
        return _Series(periods, city.at(city.population, periods))
    if spec.code == "population_aged_0_15":
        return _Series(periods, city.at(city.children, periods))
    if spec.kind.demo is DemoShape.RATES:
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


def _rate(spec: Indicator, periods: tuple[_Period, ...], ctx: _Context) -> _Series:
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
