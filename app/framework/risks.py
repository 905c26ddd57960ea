"""A measure's three risks, computed from the data, each with its reason in words.

- **speed**: the rate of change the measure needs to reach its target by the due period,
  against the rate observed (the trend of :mod:`app.analysis.stats.targets`: a
  quasi-Poisson count model where the measure is a rate of counts, weighted least squares
  on the values otherwise, overdispersion included either way), and the probability of
  reaching the target on time;
- **effectiveness**: for each linked action reported on track or complete, whether its
  areas improved beyond comparable areas with no action (the same deprivation group),
  after the stated lag (a difference in differences on city-standardised series,
  :mod:`app.analysis.stats.effect`); "delivered but not working" is told apart from "not
  yet delivered";
- **gap to the future outcome**: the measure projected to the due period with its
  interval, red when the interval excludes the target on the wrong side.

And the **innovation flag**: every linked action complete or on track, effectiveness not
shown at this assessment and the one before, and speed at risk: something new is needed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from app.analysis.rounding import significant
from app.analysis.stats import targets as stats
from app.errors import NisError
from app.framework import effectiveness
from app.framework.effectiveness import DELIVERED
from app.framework.series import (
    Z95,
    MeasureScope,
    MeasureSeries,
    Memo,
    SeriesUnavailableError,
    measure_series,
    period_time,
)
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator
from app.indicators.periods import PeriodError

Floats = NDArray[np.float64]

SPEED_AT_RISK = (stats.MEDIUM, stats.HIGH)
PER_YEAR = 12.0
WORDS = {"month": "months", "quarter": "quarters", "year": "years"}


def assess(
    session: Session,
    measure: dict[str, Any],
    actions: list[dict[str, Any]],
    previous: dict[str, Any] | None,
    memo: Memo | None = None,
) -> dict[str, Any]:
    """The risks of ``measure`` (a snapshot) given the ``actions`` linked to it and the
    measure's ``previous`` assessment (for the innovation flag)."""
    memo = memo or Memo()
    indicator = indicator_repo.indicator(session, str(measure["indicator"]))
    if indicator is None:
        return _unavailable(measure, f"indicator {measure['indicator']} is not in the catalogue")
    scope = MeasureScope(
        indicator, measure["scope"], measure["area_type"], measure["area_code"],
        int(measure["groups"]), measure["statistic"], measure["frequency"],
    )  # fmt: skip
    try:
        series = measure_series(session, scope)
    except (SeriesUnavailableError, NisError) as exc:
        return _unavailable(measure, str(exc))
    try:
        return _assessed(session, memo, indicator, measure, series, actions, previous)
    except PeriodError as exc:  # a target's period the indicator's type cannot read
        return _unavailable(measure, f"a period of its targets cannot be read: {exc}")


def _assessed(
    session: Session,
    memo: Memo,
    indicator: Indicator,
    measure: dict[str, Any],
    series: MeasureSeries,
    actions: list[dict[str, Any]],
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    direction: stats.Direction = "down" if measure["improvement"] == "down" else "up"
    target = main_target(indicator, measure, series)
    out: dict[str, Any] = {
        "available": True,
        "series": _series_out(series),
        "unit": series.unit,
        "target": target,
        "milestones": [],
        "trajectory": None,
        "speed": {"level": None, "reason": "no target is set"},
        "future": {"level": None, "reason": "no target is set"},
    }
    fit = _fit(series)
    if target is not None:
        due_t = period_time(indicator, target["due_period"])
        out["trajectory"] = _trajectory(indicator, measure, series, target, due_t)
        out["milestones"] = _milestones(indicator, measure, series)
        if isinstance(fit, str):
            out["speed"] = out["future"] = {"level": None, "reason": fit}
        else:
            out["speed"] = _speed(fit, series, measure, target, due_t, direction)
            out["future"] = _future(fit, series, target, due_t, direction)
    out["effectiveness"] = [
        effectiveness.judge(session, memo, indicator, measure, a, actions) for a in actions
    ]
    judged = [e for e in out["effectiveness"] if e["verdict"] in ("working", "not_working")]
    out["effective"] = None if not judged else any(e["verdict"] == "working" for e in judged)
    out["innovation"] = innovation(out, actions, previous)
    return out


def main_target(
    indicator: Indicator, measure: dict[str, Any], series: MeasureSeries
) -> dict[str, Any] | None:
    """The target the risks are of: the first (not a milestone) due after the newest
    period, else the last one set."""
    targets = [t for t in measure.get("targets") or [] if not t.get("milestone")]
    if not targets:
        return None
    ahead = [t for t in targets if period_time(indicator, t["due_period"]) > series.t[-1]]
    return dict(min(ahead, key=lambda t: t["due_period"]) if ahead else targets[-1])


def innovation(
    result: dict[str, Any], actions: list[dict[str, Any]], previous: dict[str, Any] | None
) -> dict[str, Any]:
    """Whether something new is needed, and why (or why not)."""
    reasons = []
    live = [a for a in actions if a["status"] != "cancelled"]  # a dropped action is no gap
    in_place = bool(live) and all(a["status"] in DELIVERED for a in live)
    if not in_place:
        reasons.append(
            "no action is linked" if not live else "not every action is on track or complete"
        )
    not_shown_now = result.get("effective") is False
    not_shown_before = previous is not None and previous.get("effective") is False
    if not (not_shown_now and not_shown_before):
        reasons.append("effectiveness has not gone unshown at two consecutive reports")
    speed = (result.get("speed") or {}).get("level")
    if speed not in SPEED_AT_RISK:
        reasons.append("the target is not at risk on speed")
    if reasons:
        return {"raised": False, "reason": "No: " + "; ".join(reasons) + "."}
    return {
        "raised": True,
        "reason": (
            f"Something new is needed: all {len(live)} linked action(s) are on track or "
            "complete, their areas have not improved beyond comparable areas at this report "
            f"or the last, and the target is at {speed} risk on speed."
        ),
    }


# --- the trend, speed and projection ------------------------------------------------------


def _fit(series: MeasureSeries) -> stats.TrendFit | str:
    ok = np.isfinite(series.value)
    if ok.sum() < stats.MIN_POINTS:
        return f"{int(ok.sum())} period(s) with a value: a trend needs {stats.MIN_POINTS}"
    try:
        if series.counts is not None and series.exposure is not None:
            keep = ok & (series.exposure > 0)
            return stats.fit_counts(series.t[keep], series.counts[keep], series.exposure[keep])
        se = (series.upper - series.lower) / (2 * Z95)
        good = ok & np.isfinite(se) & (se > 0)
        if good.sum() >= stats.MIN_POINTS:
            return stats.fit_values(series.t[good], series.value[good], se[good])
        return stats.fit_values(series.t[ok], series.value[ok])
    except ValueError as exc:
        return f"no trend could be fitted: {exc}"


def _g_target(series: MeasureSeries, value: float) -> float:
    """A target in the measure's units on the fit's natural scale (a rate per unit of
    exposure for counts)."""
    return value / series.fit_scale


def _unreachable(fit: stats.TrendFit, target: dict[str, Any]) -> dict[str, Any] | None:
    """Why a trend of rates cannot reach the target (none below 0 is), or None."""
    if fit.scale == "log" and target["value"] <= 0:
        return {"level": None, "reason": "a target of 0 or below cannot be reached by a rate"}
    return None


def _speed(
    fit: stats.TrendFit,
    series: MeasureSeries,
    measure: dict[str, Any],
    target: dict[str, Any],
    due_t: float,
    direction: stats.Direction,
) -> dict[str, Any]:
    if (refused := _unreachable(fit, target)) is not None:
        return refused
    risk = stats.speed_risk(fit, _g_target(series, target["value"]), due_t, direction)
    now = fit.value(fit.t_last) * series.fit_scale
    unit = series.unit
    verb = "fall" if direction == "down" else "rise"
    periods = f"{len(series)} {WORDS.get(measure['frequency'], 'periods')}"
    observed = _rate(fit.scale, risk.observed, unit)
    ci = f"95% CI {_rate(fit.scale, risk.lower, unit)} to {_rate(fit.scale, risk.upper, unit)}"
    if risk.already_met:
        need = f"The trend is at {_num(now)}{unit}, already better than the target"
    elif np.isnan(risk.needed):
        need = f"The target was due in {target['due_period']}"
    else:
        need = (
            f"To reach {_num(target['value'])}{unit} by {target['due_period']} from "
            f"{_num(now)}{unit} now, it needs to {verb} "
            f"{_rate(fit.scale, abs(risk.needed), unit, signed=False)} a year"
        )
    reason = (
        f"{need}; over {periods} it has changed by {observed} a year ({ci}). Chance of "
        f"reaching the target on time: {risk.p_on_time:.0%} ({risk.level} risk)."
    )
    return {
        "level": risk.level,
        "needed_per_year": _per_year(risk.needed),
        "observed_per_year": _per_year(risk.observed),
        "lower_per_year": _per_year(risk.lower),
        "upper_per_year": _per_year(risk.upper),
        "scale": fit.scale,
        "p_on_time": round(float(risk.p_on_time), 4),
        "dispersion": round(float(fit.dispersion), 3),
        "already_met": risk.already_met,
        "reason": reason,
    }


def _future(
    fit: stats.TrendFit,
    series: MeasureSeries,
    target: dict[str, Any],
    due_t: float,
    direction: stats.Direction,
) -> dict[str, Any]:
    if (refused := _unreachable(fit, target)) is not None:
        return refused
    proj = stats.project(fit, _g_target(series, target["value"]), due_t, direction)
    k = series.fit_scale
    value, lower, upper = proj.value * k, proj.lower * k, proj.upper * k
    unit = series.unit
    said = {
        "red": "the interval excludes the target: on this trend it will be missed",
        "amber": "the interval holds the target: it may or may not be met",
        "green": "the interval is wholly on the right side of the target",
    }[proj.level]
    reason = (
        f"Projected {_num(value)}{unit} in {target['due_period']} (95% CI {_num(lower)} to "
        f"{_num(upper)}) against a target of {_num(target['value'])}{unit}: {said}."
    )
    return {
        "level": proj.level,
        "due_period": target["due_period"],
        "value": significant(value),
        "lower": significant(lower),
        "upper": significant(upper),
        "target": target["value"],
        "reason": reason,
    }


def _trajectory(
    indicator: Indicator,
    measure: dict[str, Any],
    series: MeasureSeries,
    target: dict[str, Any],
    due_t: float,
) -> dict[str, Any]:
    """The planned path from the baseline to the target, at each observed period and at
    the due period."""
    base_t = period_time(indicator, measure["baseline_period"])
    baseline = measure.get("baseline_value")
    if baseline is None:
        at = np.flatnonzero(series.t <= base_t)
        known = [i for i in at if np.isfinite(series.value[i])]
        baseline = float(series.value[known[-1]]) if known else float(np.nanmean(series.value))
    times = np.append(series.t, due_t)
    months = (times.astype(np.int64) % 12) + 1
    profile = target.get("profile") if target.get("trajectory") == "seasonal" else None
    try:
        plan = stats.trajectory(
            float(baseline), base_t, float(target["value"]), due_t, times,
            profile=profile, months=months if profile else None,
        )  # fmt: skip
    except ValueError as exc:
        return {"reason": str(exc), "periods": [], "values": []}
    return {
        "baseline_period": measure["baseline_period"],
        "baseline": significant(float(baseline)),
        "periods": [*series.periods, target["due_period"]],
        "values": [significant(v) for v in plan],
        "kind": target.get("trajectory") or "straight",
    }


def _milestones(
    indicator: Indicator, measure: dict[str, Any], series: MeasureSeries
) -> list[dict[str, Any]]:
    """Each milestone, and whether the value in its period met it (where it has one)."""
    out = []
    better_low = measure["improvement"] == "down"
    for m in (t for t in measure.get("targets") or [] if t.get("milestone")):
        t = period_time(indicator, m["due_period"])
        # The reporting period its due month falls in (a quarter holds three months).
        hit = np.flatnonzero((series.t - series.span <= t) & (t <= series.t))
        seen = float(series.value[hit[0]]) if hit.size else None
        status = "due"
        if seen is not None and np.isfinite(seen):
            met = seen <= m["value"] if better_low else seen >= m["value"]
            status = "met" if met else "missed"
        out.append({**m, "observed": significant(seen), "status": status})
    return out


# --- shaping -----------------------------------------------------------------------------


def _unavailable(measure: dict[str, Any], why: str) -> dict[str, Any]:
    said = {"level": None, "reason": f"Not assessed: {why}"}
    return {
        "available": False, "reason": why, "series": None, "unit": "", "target": None,
        "milestones": [], "trajectory": None, "speed": said, "future": said,
        "effectiveness": [], "effective": None,
        "innovation": {"raised": False, "reason": f"No: {why}."},
    }  # fmt: skip


def _series_out(series: MeasureSeries) -> dict[str, Any]:
    return {
        "periods": series.periods,
        "value": [significant(v) for v in series.value],
        "lower": [significant(v) for v in series.lower],
        "upper": [significant(v) for v in series.upper],
    }


def _rate(scale: str, slope: float, unit: str, *, signed: bool = True) -> str:
    """A slope per month as a change a year: a percentage on the log scale."""
    if not np.isfinite(slope):
        return "–"
    if scale == "log":
        change = np.expm1(slope * PER_YEAR)
        return f"{change:+.1%}" if signed else f"{abs(change):.1%}"
    per_year = slope * PER_YEAR
    shown = f"{per_year:+.3g}" if signed else f"{abs(per_year):.3g}"
    return f"{shown}{' points' if unit == '%' else unit}"  # a change of a percentage


def _per_year(slope: float) -> float | None:
    return None if not np.isfinite(slope) else round(float(slope * PER_YEAR), 6)


def _num(value: float | None) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
