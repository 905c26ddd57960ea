"""A neighbourhood's profile: every indicator's latest value, how it compares with the
city and with similar areas (Fingertips-style intervals at 95% and 99.8%; see
:mod:`app.analysis.similar_areas`), its recent trend, and its alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.access.audited import note_read
from app.access.viewer import Viewer
from app.analysis import repository as repo
from app.analysis import service
from app.analysis.detect import judged
from app.analysis.profile_counts import city_counts
from app.analysis.rounding import rounded
from app.analysis.similar_areas import (
    SIMILAR_WITHHELD,
    SimilarAreas,
    similar_areas,
    similar_benchmark,
)
from app.analysis.stats.compare import Measure, compare_counts_to_benchmark
from app.analysis.stats.trend import (
    CANNOT_BE_CALCULATED,
    mann_kendall,
    recent_trend_proportion,
    recent_trend_rate,
)
from app.areas import custom, overlay
from app.areas.overlay import LOW_FIT, estimated_from
from app.areas.service import newest_area
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator, Polarity
from app.indicators.periods import PeriodType
from app.indicators.service import visible_indicators
from app.observations import disclosure
from app.observations import values as values_repo
from app.observations.derivation import values_sql
from app.observations.disclosure import Disclosure

TREND_POINTS = 24
FINGERTIPS_POINTS = 5
ANNUAL = (PeriodType.CALENDAR_YEAR, PeriodType.FINANCIAL_YEAR, PeriodType.ACADEMIC_YEAR)
POPULATION = "population"
CITY_WITHHELD = "the city's value rests on counts too small to publish"


def area_profile(session: Session, viewer: Viewer, code: str) -> dict[str, Any]:
    area = newest_area(session, viewer, code)
    type_code = str(area.type_code)
    indicators = visible_indicators(session, viewer)
    similar = similar_areas(session, area, {i.code for i in indicators})
    city_type = _city_type(session, type_code)
    people = indicator_repo.indicator(session, POPULATION)
    population = fetch_series(session, people, type_code, None)
    if city_type != type_code:
        population += fetch_series(session, people, city_type, None)
    out = []
    for indicator in indicators:
        values = fetch_series(session, indicator, type_code, code)
        if not values:
            continue
        hidden = disclosure.for_viewer(session, viewer, indicator)
        note_read(session, viewer, indicator, indicator.code, type_code, "profile")
        entry = _entry(hidden, indicator, values)
        entry.update(
            _benchmarks(session, hidden, indicator, values[-1], population, similar, city_type)
        )
        out.append(entry)
    alerts = service.list_alerts(session, viewer, repo.AlertFilter(area_code=code))
    return {
        "area": {
            "code": area.code,
            "name": area.name,
            "type": area.type_code,
            "vintage": area.vintage,
        },
        "benchmark": f"every {city_type} area together (the city)",
        "similar": similar.summary() if isinstance(similar, SimilarAreas) else None,
        "similar_why": similar if isinstance(similar, str) else None,
        "indicators": out,
        "alerts": alerts["alerts"],
        "alerts_run": alerts["run"],
    }


def _benchmarks(
    session: Session,
    hidden: Disclosure,
    indicator: Indicator,
    latest: Row[Any],
    population: list[Row[Any]],
    similar: SimilarAreas | str,
    city_type: str,
) -> dict[str, Any]:
    """The entry's comparisons: with the city (``benchmark``, every area of
    ``city_type`` together) and with the similar areas (``similar``; None, with
    ``similar_why``, when the area has no deprivation group)."""
    type_code, period = str(latest.area_type), str(latest.period)
    suppressed = hidden.hides(latest)
    city: list[Row[Any]] | None = None

    def city_values() -> list[Row[Any]]:
        nonlocal city
        if city is None:
            city = fetch_series(session, indicator, city_type, None, latest.period_start)
        return city

    if suppressed:
        benchmark = {"label": "not compared", "why": "the value is suppressed"}
    elif hidden.hides_total(city_type, period) or hidden.hides_total(type_code, period):
        benchmark = {"label": "not compared", "why": CITY_WITHHELD}
    else:
        benchmark = _benchmark(indicator, latest, city_values(), population)
    out: dict[str, Any] = {"benchmark": benchmark, "similar": None, "similar_why": None}
    if isinstance(similar, str):
        out["similar_why"] = similar
    elif suppressed:
        out["similar"] = {"label": "not compared", "why": "the value is suppressed"}
    elif hidden.hides_similar(type_code, similar.group, period):
        out["similar"] = {"label": "not compared", "why": SIMILAR_WITHHELD}
    else:
        out["similar"] = similar_benchmark(indicator, latest, city_values(), population, similar)
    return out


def _city_type(session: Session, type_code: str) -> str:
    """The type whose areas together are the city an area is compared with: its own,
    but for a custom area (the only one of its type), the finest type's."""
    if not custom.is_custom_type(session, type_code):
        return type_code
    finest = overlay.finest_type(session)
    return type_code if finest is None else finest[0]


def fetch_series(
    session: Session,
    indicator: Indicator | None,
    type_code: str,
    area: str | None,
    start: date | None = None,
    codes: Sequence[str] | None = None,
) -> list[Row[Any]]:
    """Values of ``indicator`` for one area (or all, ``area`` None; or those with
    ``codes``), one period if given."""
    if indicator is None:
        return []
    value_filter = values_repo.ValueFilter(type_code, area, start, start)
    query = values_sql(session, indicator, value_filter, "f_", [])
    return [] if query is None else list(values_repo.fetch(session, query, codes))


def describe_estimate(derived_from: str | None, fit: float | None) -> str | None:
    """ "estimated from LSOAs, 94% fit" for a value carried from smaller areas or converted
    across a boundary change (with "a rough estimate" below the flag); None otherwise."""
    if fit is None or derived_from is None:
        return None
    rough = " (a rough estimate)" if fit < LOW_FIT else ""
    return f"{estimated_from(derived_from)}, {fit:.0%} fit{rough}"


def _entry(hidden: Disclosure, indicator: Indicator, series: list[Row[Any]]) -> dict[str, Any]:
    """The latest value, its trends and the series, each made only of what the viewer
    may see (a hidden point is a gap, so no trend gives it away)."""
    seen = [_Point.of(r, hidden.hides(r)) for r in series]
    latest = seen[-1]
    return {
        "indicator": indicator.summary(),
        "period": latest.period,
        "value": latest.value,
        "suppressed": latest.suppressed,
        "numerator": latest.numerator,
        "denominator": latest.denominator,
        "fit": None if series[-1].fit is None else round(float(series[-1].fit), 3),
        "estimated": describe_estimate(series[-1].derived_from, series[-1].fit),
        "low_fit": series[-1].fit is not None and float(series[-1].fit) < LOW_FIT,
        "trend": _trend(indicator, seen),
        "recent_trend": _recent_trend(indicator, seen),
        "series": [{"period": p.period, "value": p.value} for p in seen[-TREND_POINTS:]],
    }


class _Point(NamedTuple):
    """One period of an area's series as the viewer sees it."""

    period: str
    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool

    @classmethod
    def of(cls, row: Row[Any], hidden: bool) -> _Point:
        if hidden:
            return cls(row.period, None, None, None, True)
        return cls(row.period, row.value, row.numerator, row.denominator, False)


def _trend(indicator: Indicator, series: Sequence[_Point]) -> dict[str, Any]:
    """Mann-Kendall over the latest points (up to two years of months)."""
    values = np.array([np.nan if r.value is None else r.value for r in series[-TREND_POINTS:]])
    result = mann_kendall(values[None, :])
    p, slope = float(result.p[0]), float(result.slope[0])
    if np.isnan(p):
        return {
            "label": "could not be calculated",
            "reason": str(result.reason[0]),
            "points": int(np.count_nonzero(~np.isnan(values))),
        }
    return {
        "label": trend_label(indicator, p, slope),
        "p": round(p, 6),
        "sen_slope": round(slope, 6),
        "points": int(result.n[0]),
        "from": series[-len(values)].period,
        "to": series[-1].period,
        "method": "Mann-Kendall with Sen's slope",
    }


def trend_label(indicator: Indicator, p: float, slope: float) -> str:
    """A Mann-Kendall result in words, judged by the indicator's polarity."""
    if np.isnan(p):
        return "could not be calculated"
    if p >= 0.05:
        return "no significant change"
    rising = slope > 0
    label = "rising" if rising else "falling"
    worse = {Polarity.HIGHER_IS_WORSE: rising, Polarity.HIGHER_IS_BETTER: not rising}.get(
        indicator.polarity
    )
    if worse is not None:
        label += " and getting worse" if worse else " and getting better"
    return label


def _recent_trend(indicator: Indicator, series: Sequence[_Point]) -> dict[str, Any] | None:
    """Fingertips' recent trend marker for annual series: the last five points, from
    counts (chi-squared test for trend in proportions, or the rate method)."""
    if indicator.period_type not in ANNUAL:
        return None
    last = series[-FINGERTIPS_POINTS:]
    num = np.array([[np.nan if r.numerator is None else r.numerator for r in last]])
    den = np.array([[np.nan if r.denominator is None else r.denominator for r in last]])
    if len(last) < FINGERTIPS_POINTS or np.isnan(num).any() or np.isnan(den).any():
        return {
            "label": CANNOT_BE_CALCULATED,
            "reason": f"needs {FINGERTIPS_POINTS} points with counts; has "
            f"{int(np.sum(~np.isnan(num)))}",
            "method": "Fingertips recent trend",
        }
    if indicator.kind.measure == "proportion":
        result = recent_trend_proportion(num, den, judged(indicator))
    else:
        result = recent_trend_rate(
            num, den, judged(indicator), multiplier=float(indicator.multiplier or 1)
        )
    return {
        "label": str(result.label[0]),
        "reason": str(result.reason[0]),
        "chi_square": rounded(result.chi_square[0]),
        "from": last[0].period,
        "to": last[-1].period,
        "method": "Fingertips recent trend",
    }


def _benchmark(
    indicator: Indicator, latest: Row[Any], city: list[Row[Any]], population: list[Row[Any]]
) -> dict[str, Any]:
    """The city's value for the same period, and how the area compares with it."""
    counts = _counts(indicator, latest, city, population)
    if counts is None:
        return {"label": "not compared", "why": "no counts for a confidence interval"}
    k, n, city_value, measure, scale = counts
    result = compare_counts_to_benchmark(
        [k], [n], [city_value], judged(indicator), measure=measure, multiplier=scale
    )
    out: dict[str, Any] = {
        "period": latest.period,
        "per": scale,
        "area_value": rounded(k / n * scale),
        "city_value": rounded(city_value),
        "method": "Wilson score"
        if measure == "proportion"
        else "Byar (exact Poisson below 10 events)",
    }
    for level, comparison in result.items():
        key = "95" if level < 0.99 else "99.8"
        out[key] = {
            "label": str(comparison.label[0]),
            "interval": [rounded(comparison.lower[0]), rounded(comparison.upper[0])],
        }
    out["label"] = out["95"]["label"]
    return out


def _counts(
    indicator: Indicator, latest: Row[Any], city: list[Row[Any]], population: list[Row[Any]]
) -> tuple[float, float, float, Measure, float] | None:
    """(count, denominator, city value on the same scale, measure, scale) of one area."""
    if latest.value is None:
        return None
    counts = city_counts(indicator, city, population, latest.period_start)
    if counts is None:
        return None
    # A custom area is not one of the city's areas it is compared with.
    own = (
        counts
        if latest.area_code in counts.k
        else (city_counts(indicator, [latest], population, latest.period_start))
    )
    code = latest.area_code
    if own is None or code not in own.k:
        return None
    return own.k[code], own.n[code], counts.city, counts.measure, counts.scale
