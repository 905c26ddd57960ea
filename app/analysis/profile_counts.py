"""The counts a benchmark is made of: every area's count and denominator in one period,
and the city's value from them (rates from summed numerators and denominators, counts per
1,000 residents), shared by the profile's benchmarks and the indicator layers'."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Row

from app.analysis.stats.compare import Measure
from app.indicators.indicator import Indicator


class CityCounts(NamedTuple):
    """Each area's count and denominator in one period (by code), the city's value on
    the indicator's scale, the measure and the scale."""

    k: dict[str, float]
    n: dict[str, float]
    city: float
    measure: Measure
    scale: float


def city_counts(
    indicator: Indicator, city: list[Row[Any]], population: list[Row[Any]], start: date
) -> CityCounts | None:
    """The counts of every area of ``city`` (one period's values), or None when there
    are none. Counts are compared as rates per 1,000 residents."""
    if indicator.kind.counted:
        pops = _populations_at(population, start)
        pairs = {r.area_code: (float(r.value), pops[r.area_code])
                 for r in city if r.value is not None and r.area_code in pops}  # fmt: skip
        if not pairs:
            return None
        city_rate = sum(v for v, _ in pairs.values()) / sum(p for _, p in pairs.values()) * 1000
        return CityCounts(
            {c: v for c, (v, p) in pairs.items() if p},
            {c: p for c, (_, p) in pairs.items() if p},
            city_rate, "rate", 1000.0,
        )  # fmt: skip
    complete = [r for r in city if r.numerator is not None and r.denominator]
    if not complete:
        return None
    measure: Measure = indicator.kind.measure
    scale = indicator.kind.scale(indicator.multiplier)
    city_value = sum(r.numerator for r in complete) / sum(r.denominator for r in complete)
    return CityCounts(
        {r.area_code: float(r.numerator) for r in complete},
        {r.area_code: float(r.denominator) for r in complete},
        city_value * scale, measure, scale,
    )  # fmt: skip


def _populations_at(series: list[Row[Any]], start: date) -> dict[str, float]:
    """Each area's population for the latest period starting on or before ``start`` (the
    earliest known where none does)."""
    out: dict[str, tuple[date, float]] = {}
    for r in series:
        if r.value is None:
            continue
        best = out.get(r.area_code)
        usable = r.period_start <= start
        if best is None or (usable and (best[0] > start or r.period_start > best[0])):
            out[r.area_code] = (r.period_start, float(r.value))
    return {code: value for code, (_, value) in out.items()}
