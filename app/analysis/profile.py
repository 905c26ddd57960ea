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

from app.access import repository as access_repo
from app.access.audited import note_read
from app.access.viewer import Viewer
from app.analysis import repository as repo
from app.analysis import service
from app.analysis.detect import judged
from app.analysis.profile_counts import CityCounts
from app.analysis.profile_grid import (
    CITY_WITHHELD,
    POPULATION,
    TREND_POINTS,
    Column,
    Compared,
    Grid,
    type_grids,
)
from app.analysis.rounding import rounded
from app.analysis.similar_areas import (
    SIMILAR_WITHHELD,
    SimilarAreas,
    similar_areas,
    similar_benchmark,
)
from app.analysis.stats.compare import compare_counts_to_benchmark
from app.analysis.stats.trend import (
    CANNOT_BE_CALCULATED,
    MannKendallResult,
    mann_kendall,
    recent_trend_proportion,
    recent_trend_rate,
)
from app.areas import custom, overlay
from app.areas.overlay import LOW_FIT, estimated_from
from app.areas.service import newest_area
from app.indicators.indicator import Indicator, Polarity
from app.indicators.periods import PeriodType
from app.indicators.service import visible_indicators
from app.observations import values as values_repo
from app.observations.derivation import values_sql

__all__ = ["POPULATION", "TREND_POINTS", "area_profile", "fetch_series", "trend_label"]

FINGERTIPS_POINTS = 5
ANNUAL = (PeriodType.CALENDAR_YEAR, PeriodType.FINANCIAL_YEAR, PeriodType.ACADEMIC_YEAR)


def area_profile(session: Session, viewer: Viewer, code: str) -> dict[str, Any]:
    area = newest_area(session, viewer, code)
    type_code = str(area.type_code)
    city_type = _city_type(session, type_code)
    own_grids = type_grids(session, viewer, type_code)
    city_grids = own_grids if city_type == type_code else type_grids(session, viewer, city_type)
    indicators = [g.indicator for g in own_grids.values()]
    similar = similar_areas(session, area, {i.code for i in visible_indicators(session, viewer)})
    alerts = service.list_alerts(session, viewer, repo.AlertFilter(area_code=code))
    names = agency_names(session)
    out = []
    for indicator in indicators:
        grid = own_grids[indicator.code]
        row = grid.index.get(code)
        if row is None or not grid.present[row].any():
            continue
        note_read(session, viewer, indicator, indicator.code, type_code, "profile")
        city = city_grids.get(indicator.code)
        entry = _entry(grid, row, city, names)
        entry.update(_benchmarks(grid, row, city, similar))
        entry["alerts"] = [
            {k: a[k] for k in ("id", "kind", "period_from", "period_to")}
            for a in alerts["alerts"]
            if indicator.code in a["indicators"]
        ]
        out.append(entry)
    groups = profile_groups(out)
    place = {c: i for i, c in enumerate(c for g in groups for c in g["indicators"])}
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
        "groups": groups,
        "indicators": sorted(out, key=lambda e: place[e["indicator"]["code"]]),
        "alerts": alerts["alerts"],
        "alerts_run": alerts["run"],
    }


LAST_TOPICS = ("population", "deprivation")  # context, not partners' measures: last


def profile_groups(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries' groups by partner agency and topic: by agency name and topic, but
    population and then deprivation last; each with its indicators' codes in order."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for e in entries:
        g = e["group"]
        found = groups.setdefault((g["agency"], g["topic"]), {**g, "indicators": []})
        found["indicators"].append(e["indicator"]["code"])

    def order(g: dict[str, Any]) -> tuple[int, str, str]:
        last = LAST_TOPICS.index(g["topic"]) + 1 if g["topic"] in LAST_TOPICS else 0
        return last, g["agency_name"].lower(), g["topic"]

    return sorted(groups.values(), key=order)


def agency_names(session: Session) -> dict[str, str]:
    """Each agency's name (its title, "South Yorkshire Police"; else its code)."""
    return {str(r.name): str(r.title or r.name) for r in access_repo.list_agencies(session)}


def _benchmarks(
    grid: Grid, row: int, city: Grid | None, similar: SimilarAreas | str
) -> dict[str, Any]:
    """The entry's comparisons, over its headline (the 12-month window of monthly
    values, else the latest period): with the city (``benchmark``, every area of the
    city's type together) and with the similar areas (``similar``; None, with
    ``similar_why``, when the area has no deprivation group)."""
    indicator, head = grid.indicator, grid.headline
    suppressed = bool(head.hidden[row]) or bool(np.isnan(head.value[row]))
    own = _own_counts(grid, row)
    city_head = None if city is None else city.headline
    withheld = city_head is None or city_head.city_why is not None or head.city_why is not None
    # The area's comparisons were worked out with its type's (a custom area's are not).
    done = head.compared if city is grid else None
    if suppressed:
        benchmark = {"label": "not compared", "why": "the value is suppressed"}
    elif withheld:
        benchmark = {"label": "not compared", "why": CITY_WITHHELD}
    else:
        assert city_head is not None
        benchmark = _benchmark(indicator, own, head.label, city_head.counts, done, row)
    out: dict[str, Any] = {"benchmark": benchmark, "similar": None, "similar_why": None}
    if isinstance(similar, str):
        out["similar_why"] = similar
    elif suppressed:
        out["similar"] = {"label": "not compared", "why": "the value is suppressed"}
    elif city is None or any(city.hides_similar(similar.group, p) for p in _head_periods(city)):
        out["similar"] = {"label": "not compared", "why": SIMILAR_WITHHELD}
    elif done is not None and done.similar is not None:
        out["similar"] = _similar_done(indicator, own, head, done, row, similar)
    else:
        out["similar"] = similar_benchmark(
            indicator, own, head.label, city.headline.counts, similar
        )
    return out


def _levels(comparisons: dict[float, Any], row: int) -> dict[str, dict[str, Any]]:
    out = {}
    for level, comparison in comparisons.items():
        out["95" if level < 0.99 else "99.8"] = {
            "label": str(comparison.label[row]),
            "interval": [rounded(comparison.lower[row]), rounded(comparison.upper[row])],
        }
    return out


def _method(counts: CityCounts) -> str:
    if counts.measure == "proportion":
        return "Wilson score"
    return "Byar (exact Poisson below 10 events)"


def _similar_done(
    indicator: Indicator,
    own: tuple[str, float, float],
    head: Column,
    done: Compared,
    row: int,
    similar: SimilarAreas,
) -> dict[str, Any]:
    """:func:`similar_benchmark`'s answer from the comparisons of every area at once."""
    counts = head.counts
    assert counts is not None
    assert done.similar is not None
    assert done.group is not None
    assert done.k is not None
    assert done.n is not None
    assert done.m is not None
    _, k, n = own
    if not done.ok[row]:
        return {"label": "not compared", "why": "no counts for a confidence interval"}
    if done.m[row] <= 0:
        return {"label": "not compared", "why": "no similar area has counts in this period"}
    gk, gn = float(done.k[row]), float(done.n[row])
    out: dict[str, Any] = {
        "period": head.label,
        "per": counts.scale,
        "description": similar.describe(int(done.m[row])),
        "areas": int(done.m[row]),
        "area_value": rounded(k / n * counts.scale),
        "similar_value": rounded(gk / gn * counts.scale),
        "numerator": rounded(gk),
        "denominator": rounded(gn),
        "similar_interval": {key: v["interval"] for key, v in _levels(done.group, row).items()},
        "method": _method(counts),
    }
    out.update(_levels(done.similar, row))
    out["label"] = out["95"]["label"]
    out["against_city"] = str(done.group[min(done.group)].label[row])
    return out


def _head_periods(grid: Grid) -> list[str]:
    return grid.periods[grid.window.first :] if grid.window else grid.periods[-1:]


def _own_counts(grid: Grid, row: int) -> tuple[str, float, float]:
    """The area's count and denominator in its headline (per resident for counts)."""
    head = grid.headline
    if grid.indicator.kind.counted:
        k, n = head.value[row], head.pop[row]
    else:
        k, n = head.num[row], head.den[row]
    ok = not (np.isnan(k) or np.isnan(n)) and n > 0
    return grid.codes[row], float(k) if ok else 0.0, float(n) if ok else 0.0


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


def _entry(grid: Grid, row: int, city: Grid | None, names: dict[str, str]) -> dict[str, Any]:
    """The area's headline value (a 12-month total or rate for monthly counts, else the
    latest period) with its interval, the city's, the spine of every area of the city's
    type, its trends and the series, each made only of what the viewer may see (a hidden
    point is a gap, so no trend gives it away)."""
    indicator = grid.indicator
    cols = [p for p in range(len(grid.periods)) if grid.present[row, p]]
    seen = [_point(grid, row, p) for p in cols]
    last = cols[-1]
    head, head_city = grid.headline, None if city is None else city.headline
    headline = _headline(grid, head, row, head_city)
    entry: dict[str, Any] = {
        "indicator": indicator.summary(),
        "group": {
            "agency": indicator.agency,
            "agency_name": names.get(indicator.agency, indicator.agency),
            "topic": indicator.topic,
        },
        "definition": indicator.definition,
        "source": indicator.source,
        "licence": indicator.licence,
        "period": head.label,
        "window": None if grid.window is None else grid.window.summary(),
        **headline,
        "fit": None if np.isnan(grid.fit[row, last]) else round(float(grid.fit[row, last]), 3),
        "estimated": describe_estimate(
            grid.derived.get((row, last)),
            None if np.isnan(grid.fit[row, last]) else float(grid.fit[row, last]),
        ),
        "low_fit": bool(grid.fit[row, last] < LOW_FIT),
        "latest_month": None,
        "trend": _trend(indicator, seen, _done_trend(grid, row)),
        "recent_trend": _recent_trend(indicator, seen),
        "series": [_series_point(grid, row, p, city) for p in cols[-TREND_POINTS:]],
    }
    if grid.window is not None:
        latest_city = None if city is None else city.latest
        entry["latest_month"] = {
            "period": grid.periods[-1],
            **_headline(grid, grid.latest, row, latest_city),
        }
    entry["trend_word"] = trend_word(entry["trend"], entry["recent_trend"])
    return entry


def _done_trend(grid: Grid, row: int) -> tuple[MannKendallResult, int] | None:
    """The grid's trend of the area, where it is of the area's own last points."""
    if grid.trend is None or not grid.present[row, -TREND_POINTS:].all():
        return None
    return grid.trend, row


def _headline(grid: Grid, head: Column, row: int, city: Column | None) -> dict[str, Any]:
    """The value of one headline column for the area, its interval, the city's value
    on the same scale and the spine of the city's type's areas."""
    indicator = grid.indicator
    hidden = bool(head.hidden[row])
    value = None if hidden else _number(head.value[row])
    out: dict[str, Any] = {
        "value": value,
        "suppressed": hidden,
        "numerator": None if hidden else _number(head.num[row]),
        "denominator": None if hidden else _number(head.den[row]),
        "interval": None,
        "city": _city(indicator, head, row, city),
        "spine": None,
        "rate": None,
    }
    if value is not None and not np.isnan(head.low[row]):
        out["interval"] = {"low": rounded(head.low[row]), "high": rounded(head.high[row]),
                           "level": 0.95}  # fmt: skip
    if city is not None and city.spine is not None:
        spine = {k: v for k, v in city.spine.items() if k != "sorted"}
        spine["area_rank"] = None
        if value is not None and not np.isnan(head.value[row]):
            ordered = city.spine["sorted"]
            spine["area_rank"] = int(len(ordered) - np.searchsorted(ordered, head.value[row],
                                                                    side="right")) + 1  # fmt: skip
        out["spine"] = spine
    if indicator.kind.counted:
        out["rate"] = _rate(head, row, city)
    return out


def _rate(head: Column, row: int, city: Column | None) -> dict[str, Any] | None:
    """A count per 1,000 residents (the population at the period's start), with the
    interval and the city's rate: what the count is compared with the city on."""
    pop = head.pop[row]
    if head.hidden[row] or np.isnan(head.value[row]) or np.isnan(pop) or pop <= 0:
        return None
    per = 1000.0 / pop
    return {
        "value": rounded(head.value[row] * per),
        "low": None if np.isnan(head.low[row]) else rounded(head.low[row] * per),
        "high": None if np.isnan(head.high[row]) else rounded(head.high[row] * per),
        "city": None if city is None or city.city is None else rounded(city.city),
        "per": 1000,
        "unit": "per 1,000 residents",
        "population": rounded(pop),
    }


def _city(indicator: Indicator, head: Column, row: int, city: Column | None) -> dict[str, Any]:
    """The city's value on the scale of the area's: for a count, the count the area
    would have at the city's rate per resident (what the analysis compares it with)."""
    if city is None or city.city is None:
        why = CITY_WITHHELD if city is not None else "no value for the city"
        return {"value": None, "what": None, "why": why}
    if indicator.kind.counted:
        pop = head.pop[row]
        if np.isnan(pop):
            return {"value": None, "what": None, "why": "no population for the area"}
        return {
            "value": rounded(city.city * pop / 1000.0),
            "what": f"at the city's rate ({rounded(city.city)} per 1,000 residents)",
            "why": None,
        }
    has_counts = not np.isnan(city.num).all()
    what = "the city as a whole" if has_counts else f"the {indicator.kind.typical} area"
    return {"value": rounded(city.city), "what": what, "why": None}


def _series_point(grid: Grid, row: int, p: int, city: Grid | None) -> dict[str, Any]:
    hidden = bool(grid.hidden[row, p])
    value = None if hidden else _number(grid.value[row, p])
    out: dict[str, Any] = {"period": grid.periods[p], "value": value, "suppressed": hidden,
                           "low": None, "high": None, "city": None}  # fmt: skip
    if value is not None and not np.isnan(grid.low[row, p]):
        out["low"], out["high"] = rounded(grid.low[row, p]), rounded(grid.high[row, p])
    if city is not None:
        try:
            q = city.periods.index(grid.periods[p])
        except ValueError:
            return out
        level = city.city[q]
        if not np.isnan(level):
            if grid.indicator.kind.counted:
                pop = grid.pop[row, p]
                out["city"] = None if np.isnan(pop) else rounded(level * pop / 1000.0)
            else:
                out["city"] = rounded(level)
    return out


def _point(grid: Grid, row: int, p: int) -> _Point:
    if grid.hidden[row, p]:
        return _Point(grid.periods[p], None, None, None, True)
    return _Point(grid.periods[p], _number(grid.value[row, p]), _number(grid.num[row, p]),
                  _number(grid.den[row, p]), False)  # fmt: skip


def _number(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


TREND_WORDS = ("getting worse", "getting better", "no significant change")
CANNOT = "cannot be calculated"


def trend_word(trend: dict[str, Any], recent: dict[str, Any] | None) -> str:
    """The recent trend in a word: Fingertips' recent trend for annual values where it
    can be calculated, else the Mann-Kendall trend; "getting worse", "getting better",
    "no significant change", "cannot be calculated", or for an indicator with no
    judgement of better or worse "increasing" or "decreasing"."""
    label = str(trend["label"]).lower()
    if recent is not None and recent["label"] != CANNOT_BE_CALCULATED:
        label = str(recent["label"]).lower()
    for word in TREND_WORDS:
        if word in label:
            return word
    if "could not" in label or "cannot" in label:
        return CANNOT
    return "increasing" if label.startswith(("rising", "increasing")) else "decreasing"


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


def _trend(
    indicator: Indicator, series: Sequence[_Point], done: tuple[MannKendallResult, int] | None
) -> dict[str, Any]:
    """Mann-Kendall over the latest points (up to two years of months); ``done``: the
    grid's result for these very points (every area's worked out together) and the row."""
    values = np.array([np.nan if r.value is None else r.value for r in series[-TREND_POINTS:]])
    result, i = done if done is not None else (mann_kendall(values[None, :]), 0)
    p, slope = float(result.p[i]), float(result.slope[i])
    if np.isnan(p):
        return {
            "label": "could not be calculated",
            "reason": str(result.reason[i]),
            "points": int(np.count_nonzero(~np.isnan(values))),
        }
    return {
        "label": trend_label(indicator, p, slope),
        "p": round(p, 6),
        "sen_slope": round(slope, 6),
        "points": int(result.n[i]),
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
    indicator: Indicator,
    own: tuple[str, float, float],
    period: str,
    counts: CityCounts | None,
    done: Compared | None = None,
    row: int = 0,
) -> dict[str, Any]:
    """The city's value for the same headline, and how the area compares with it (on
    counts per 1,000 residents for a count); ``done``: every area's comparison, worked
    out together, of which the area's is ``row``."""
    _, k, n = own
    if counts is None or not n:
        return {"label": "not compared", "why": "no counts for a confidence interval"}
    if done is not None:
        result, i = done.city, row
    else:
        result, i = compare_counts_to_benchmark(
            [k], [n], [counts.city], judged(indicator), measure=counts.measure,
            multiplier=counts.scale,
        ), 0  # fmt: skip
    out: dict[str, Any] = {
        "period": period,
        "per": counts.scale,
        "area_value": rounded(k / n * counts.scale),
        "city_value": rounded(counts.city),
        "method": _method(counts),
        **_levels(result, i),
    }
    out["label"] = out["95"]["label"]
    return out
