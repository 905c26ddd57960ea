"""The analysis fields of an indicator layer, for every area at once: how each area
compares with the city in one period (Fingertips-style, 95%), its trend up to that
period, and its alerts in the newest analysis run. GIS users get them as attributes
(OGC API Features, downloads) beside the map's value and class.

The rules are the profile's (:mod:`app.analysis.profile`), applied to all areas in one
pass instead of one area at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.agencies.service import Principal
from app.analysis import repository as repo
from app.analysis import service
from app.analysis.numbers import rounded
from app.analysis.profile import (
    POPULATION,
    TREND_POINTS,
    city_counts,
    fetch_series,
    period_labels,
    trend_label,
)
from app.analysis.stats.compare import compare_counts_to_benchmark
from app.analysis.stats.trend import mann_kendall
from app.indicators import repository as indicator_repo
from app.observations.periods import PeriodType, parse_period
from app.observations.query import is_suppressed

NOT_COMPARED = "not compared"
FIELDS: dict[str, dict[str, Any]] = {
    "benchmark": {"type": ["number", "null"],
                  "title": "The city's value for the period (every area together)"},
    "compared": {"type": "string",
                 "title": "Against the city at 95%: better, similar, worse (or higher, "
                          "lower), or not compared"},
    "trend": {"type": "string",
              "title": "Mann-Kendall trend over up to 24 periods ending at this one"},
    "alerts": {"type": "integer", "title": "Alerts naming this indicator and area in the "
                                           "newest analysis run"},
    "alert_kinds": {"type": ["string", "null"],
                    "title": "Their kinds (deterioration, correlated, hotspot), comma-separated"},
    "alert_q": {"type": ["number", "null"], "title": "The smallest q (false discovery rate)"},
}  # fmt: skip
NONE: dict[str, Any] = {
    "benchmark": None, "compared": NOT_COMPARED, "trend": "could not be calculated",
    "alerts": 0, "alert_kinds": None, "alert_q": None,
}  # fmt: skip


def layer_fields(
    session: Session,
    principal: Principal | None,
    indicator: Row[Any],
    type_code: str,
    period: str | None,
    codes: Sequence[str],
) -> dict[str, dict[str, Any]]:
    """:data:`FIELDS` of the areas with ``codes``, for ``period`` (None: the newest).
    The cost grows with the areas asked for, not the layer's (a page of 10 of a nation's
    LSOAs reads 10 areas' series), beside one period of every area for the city."""
    public = principal is None
    labels = period_labels(session, indicator, type_code)
    if period is not None:
        labels = labels[: labels.index(period) + 1] if period in labels else []
    out: dict[str, dict[str, Any]] = {code: dict(NONE) for code in codes}
    if not labels or not codes:
        return out
    window = labels[-TREND_POINTS:]
    column = {p: j for j, p in enumerate(window)}
    index = {code: i for i, code in enumerate(codes)}
    values = np.full((len(codes), len(window)), np.nan)
    for r in fetch_series(session, indicator, type_code, None, codes=codes):
        j = column.get(r.period)
        if j is not None and r.value is not None and not is_suppressed(indicator, r, public):
            values[index[r.area_code], j] = r.value
    trend = mann_kendall(values)
    for code, i in index.items():
        out[code]["trend"] = trend_label(indicator, float(trend.p[i]), float(trend.slope[i]))
    start = parse_period(labels[-1], PeriodType(indicator.period_type)).start
    at_period = fetch_series(session, indicator, type_code, None, start)
    _compare(session, indicator, type_code, at_period, start, public, out)
    _alerts(session, principal, indicator, out)
    return out


def _compare(
    session: Session,
    indicator: Row[Any],
    type_code: str,
    at_period: list[Row[Any]],
    start: Any,
    public: bool,
    out: dict[str, dict[str, Any]],
) -> None:
    population = indicator_repo.indicators_by_code(session, [POPULATION]).get(POPULATION)
    pops = []
    if indicator.value_type == "count":
        pops = fetch_series(session, population, type_code, None)
    counts = city_counts(indicator, at_period, pops, start)
    if counts is None:
        return
    k, n, city_value, measure, scale = counts
    usable = [r for r in at_period if r.area_code in out and r.area_code in k
              and not is_suppressed(indicator, r, public)]  # fmt: skip
    result = compare_counts_to_benchmark(
        [k[r.area_code] for r in usable],
        [n[r.area_code] for r in usable],
        [city_value] * len(usable),
        indicator.polarity,
        measure=measure,
        multiplier=scale,
    )
    labels = result[min(result)].label  # 95%
    for r, label in zip(usable, labels.tolist(), strict=True):
        out[r.area_code]["benchmark"] = rounded(city_value)
        out[r.area_code]["compared"] = str(label)


def _alerts(
    session: Session, principal: Principal | None, indicator: Row[Any], out: dict[str, Any]
) -> None:
    found = service.list_alerts(
        session, principal, repo.AlertFilter(indicator=str(indicator.code), limit=1_000_000)
    )
    for alert in found["alerts"]:
        fields = out.get(alert["area_code"])
        if fields is None:  # not asked for, or not about an area
            continue
        fields["alerts"] += 1
        kinds = set(filter(None, (fields["alert_kinds"] or "").split(","))) | {alert["kind"]}
        fields["alert_kinds"] = ",".join(sorted(kinds))
        q = alert["q"]
        if q is not None and (fields["alert_q"] is None or q < fields["alert_q"]):
            fields["alert_q"] = rounded(q)
