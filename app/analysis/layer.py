"""The analysis fields of an indicator layer's areas: how each compares with the city in
one period (Fingertips-style, 95%), its trend up to that period, and its alerts as of that
period. GIS users get them as attributes (OGC API Features, downloads) beside the map's
value and class.

``benchmark`` is in the unit of ``value``: the city's value for rates and percentages,
and for counts the count the area would have at the city's rate per resident (its expected
count), so that ``value - benchmark`` is the area's excess.

Which alerts a period shows: for the newest period, those of the newest finished analysis
run; for an older period P, those of the newest run with an alert on the indicator whose
window (``period_from`` to ``period_to``) ends at P, or failing that covers P, and of that
run only the alerts whose windows end at or cover P. An analysis of later data does not
date its findings back to a period it never saw as the newest.

The rules are the profile's (:mod:`app.analysis.profile`), applied to many areas in one
pass instead of one area at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.analysis import repository as repo
from app.analysis import service
from app.analysis.detect import judged
from app.analysis.profile import (
    POPULATION,
    TREND_POINTS,
    fetch_series,
    trend_label,
)
from app.analysis.profile_counts import city_counts
from app.analysis.rounding import rounded
from app.analysis.stats.compare import compare_counts_to_benchmark
from app.analysis.stats.trend import mann_kendall
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator
from app.indicators.periods import PeriodError, parse_period
from app.observations import disclosure
from app.observations.query import available_periods
from app.snapshots import cached

NOT_COMPARED = "not compared"
FIELDS: dict[str, dict[str, Any]] = {
    "benchmark": {"type": ["number", "null"],
                  "title": "In the unit of value: the city's value for the period (every "
                           "area together); for counts, the count the area would have at "
                           "the city's rate per resident (its expected count)"},
    "compared": {"type": "string",
                 "title": "Against the city at 95%: better, similar, worse (or higher, "
                          "lower), or not compared"},
    "trend": {"type": "string",
              "title": "Mann-Kendall trend over up to 24 periods ending at this one"},
    "alerts": {"type": "integer", "title": "Alerts naming this indicator and area as of the "
                                           "period: the newest analysis run's for the newest "
                                           "period, else the run whose window ends at (or "
                                           "covers) the period"},
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
    viewer: Viewer,
    indicator: Indicator,
    type_code: str,
    period: str | None,
    codes: Sequence[str],
) -> dict[str, dict[str, Any]]:
    """:data:`FIELDS` of the areas with ``codes``, for ``period`` (None: the newest).

    Trends read only these areas' series (a page of 10 of a nation's LSOAs reads 10);
    the comparison with the city and the alerts are worked out for every area once per
    database state (:mod:`app.snapshots`) and shared by all pages."""
    code = indicator.code
    labels = available_periods(session, viewer, indicator, type_code)
    newest = labels[-1] if labels else None
    if period is not None:
        labels = labels[: labels.index(period) + 1] if period in labels else []
    out: dict[str, dict[str, Any]] = {area: dict(NONE) for area in codes}
    if not labels or not codes:
        return out
    for area, trend in _trends(session, viewer, indicator, type_code, labels, codes).items():
        out[area]["trend"] = trend
    latest = labels[-1]
    compared = cached(session, policy.cache_key(viewer, "layer-compared", code, type_code, latest),
                      lambda: _compared(session, viewer, indicator, type_code, latest))  # fmt: skip
    # The newest period's alerts are the newest run's (None); an older one's, its own.
    as_of = None if period is None or period == newest else latest
    alerts = cached(session, policy.cache_key(viewer, "layer-alerts", code, as_of),
                    lambda: _alerts(session, viewer, indicator, as_of))  # fmt: skip
    for area, fields in out.items():
        fields.update(compared.get(area, {}))
        fields.update(alerts.get(area, {}))
    return out


def _trends(
    session: Session,
    viewer: Viewer,
    indicator: Indicator,
    type_code: str,
    labels: list[str],
    codes: Sequence[str],
) -> dict[str, str]:
    """Mann-Kendall over up to :data:`TREND_POINTS` periods ending at ``labels[-1]``."""
    window = labels[-TREND_POINTS:]
    column = {p: j for j, p in enumerate(window)}
    index = {area: i for i, area in enumerate(codes)}
    values = np.full((len(codes), len(window)), np.nan)
    hidden = disclosure.for_viewer(session, viewer, indicator)
    for r in fetch_series(session, indicator, type_code, None, codes=codes):
        j = column.get(r.period)
        if j is not None and r.value is not None and not hidden.hides(r):
            values[index[r.area_code], j] = r.value
    trend = mann_kendall(values)
    return {
        area: trend_label(indicator, float(trend.p[i]), float(trend.slope[i]))
        for area, i in index.items()
    }


def _compared(
    session: Session, viewer: Viewer, indicator: Indicator, type_code: str, period: str
) -> dict[str, dict[str, Any]]:
    """Every area's comparison with the city in ``period`` (95%), as the profile's."""
    start = parse_period(period, indicator.period_type).start
    hidden = disclosure.for_viewer(session, viewer, indicator, start, start)
    if hidden.hides_total(type_code, period):
        return {}  # the city's value would give hidden counts away
    at_period = fetch_series(session, indicator, type_code, None, start)
    pops = []
    if indicator.kind.counted:
        population = indicator_repo.indicator(session, POPULATION)
        pops = fetch_series(session, population, type_code, None)
    counts = city_counts(indicator, at_period, pops, start)
    if counts is None:
        return {}
    k, n, city_value, measure, scale = counts
    usable = [r for r in at_period if r.area_code in k and not hidden.hides(r)]
    result = compare_counts_to_benchmark(
        [k[r.area_code] for r in usable],
        [n[r.area_code] for r in usable],
        [city_value] * len(usable),
        judged(indicator),
        measure=measure,
        multiplier=scale,
    )
    labels = result[min(result)].label  # 95%
    return {
        r.area_code: {"benchmark": _benchmark(indicator, city_value, n[r.area_code], scale),
                      "compared": str(label)}
        for r, label in zip(usable, labels.tolist(), strict=True)
    }  # fmt: skip


def _benchmark(indicator: Indicator, city_value: float, exposure: float, scale: float) -> Any:
    """The city's value in the unit of the layer's ``value``: for a count, the count at
    the city's rate (per ``scale`` residents) of the area's ``exposure`` (residents)."""
    if indicator.kind.counted:
        return rounded(city_value * exposure / scale)
    return rounded(city_value)


def _alerts(
    session: Session, viewer: Viewer, indicator: Indicator, period: str | None
) -> dict[str, dict[str, Any]]:
    """Each area's alerts on the indicator as of ``period`` (None: the newest run's):
    count, kinds, smallest q."""
    run_id = None
    if period is not None:
        run_id = _run_as_of(session, indicator, period)
        if run_id is None:
            return {}
    found = service.list_alerts(
        session, viewer,
        repo.AlertFilter(run_id=run_id, indicator=str(indicator.code), limit=1_000_000),
    )  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    for alert in found["alerts"]:
        if alert["area_code"] is None:  # not about an area (a gap)
            continue
        if period is not None and _window_at(indicator, alert, period) is None:
            continue
        fields = out.setdefault(alert["area_code"], {"alerts": 0, "kinds": set(), "alert_q": None})
        fields["alerts"] += 1
        fields["kinds"].add(alert["kind"])
        q = alert["q"]
        if q is not None and (fields["alert_q"] is None or q < fields["alert_q"]):
            fields["alert_q"] = rounded(q)
    return {
        area: {"alerts": f["alerts"], "alert_kinds": ",".join(sorted(f["kinds"])),
               "alert_q": f["alert_q"]}
        for area, f in out.items()
    }  # fmt: skip


def _run_as_of(session: Session, indicator: Indicator, period: str) -> int | None:
    """The newest run with an alert on the indicator whose window ends at ``period``, or
    failing one, whose window covers it."""
    ends = covers = None
    for row in repo.alert_windows(session, str(indicator.code)):
        at = _window_at(indicator, row._mapping, period)
        if at == "ends" and ends is None:
            ends = int(row.run_id)
        elif at == "covers" and covers is None:
            covers = int(row.run_id)
    return ends if ends is not None else covers


def _window_at(indicator: Indicator, alert: Any, period: str) -> str | None:
    """Where ``period`` lies in an alert's window: "ends" at its last period, "covers"
    within it otherwise, None outside it (or when its periods are not of the indicator's
    type, as a correlated alert's may be)."""
    kind = indicator.period_type
    try:
        first = parse_period(str(alert["period_from"] or alert["period_to"]), kind)
        last = parse_period(str(alert["period_to"] or alert["period_from"]), kind)
        asked = parse_period(period, kind)
    except PeriodError:
        return None
    if last.text == asked.text:
        return "ends"
    return "covers" if first.start <= asked.start < last.end else None
