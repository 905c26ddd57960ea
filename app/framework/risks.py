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

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.analysis.detect import counts_of
from app.analysis.panels import Areas, Panel, load_areas, load_panel
from app.analysis.stats import effect as did
from app.analysis.stats import targets as stats
from app.errors import NisError
from app.framework.series import (
    POPULATION,
    Z95,
    MeasureScope,
    MeasureSeries,
    SeriesUnavailableError,
    measure_series,
    month_index,
    period_time,
)
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator
from app.observations.deprivation import city_ranking

Floats = NDArray[np.float64]
DELIVERED = ("on_track", "complete")
SPEED_AT_RISK = (stats.MEDIUM, stats.HIGH)
PER_YEAR = 12.0
WORDS = {"month": "months", "quarter": "quarters", "year": "years"}


@dataclass
class Memo:
    """Panels shared by the measures of one assessment (several measures often read one
    indicator at one area type)."""

    areas: dict[str, Areas] = field(default_factory=dict)
    panels: dict[tuple[str, str], Panel | None] = field(default_factory=dict)

    def areas_of(self, session: Session, type_code: str) -> Areas:
        if type_code not in self.areas:
            self.areas[type_code] = load_areas(session, type_code)
        return self.areas[type_code]

    def panel(self, session: Session, indicator: Indicator, type_code: str) -> Panel | None:
        key = (indicator.code, type_code)
        if key not in self.panels:
            self.panels[key] = load_panel(session, indicator, self.areas_of(session, type_code))
        return self.panels[key]


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
            out["future"] = _future(fit, series, measure, target, due_t, direction)
    out["effectiveness"] = [
        _effectiveness(session, memo, indicator, measure, a, actions) for a in actions
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
    in_place = bool(actions) and all(a["status"] in DELIVERED for a in actions)
    if not in_place:
        reasons.append(
            "no action is linked" if not actions else "not every action is on track or complete"
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
            f"Something new is needed: all {len(actions)} linked action(s) are on track or "
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
    return value / series.scale if series.counts is not None else value


def _speed(
    fit: stats.TrendFit,
    series: MeasureSeries,
    measure: dict[str, Any],
    target: dict[str, Any],
    due_t: float,
    direction: stats.Direction,
) -> dict[str, Any]:
    if fit.scale == "log" and target["value"] <= 0:
        return {"level": None, "reason": "a target of 0 or below cannot be reached by a rate"}
    risk = stats.speed_risk(fit, _g_target(series, target["value"]), due_t, direction)
    now = fit.value(fit.t_last) * (series.scale if series.counts is not None else 1)
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
    measure: dict[str, Any],
    target: dict[str, Any],
    due_t: float,
    direction: stats.Direction,
) -> dict[str, Any]:
    if fit.scale == "log" and target["value"] <= 0:
        return {"level": None, "reason": "a target of 0 or below cannot be reached by a rate"}
    proj = stats.project(fit, _g_target(series, target["value"]), due_t, direction)
    k = series.scale if series.counts is not None else 1.0
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
        "value": _round(value),
        "lower": _round(lower),
        "upper": _round(upper),
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
        "baseline": _round(float(baseline)),
        "periods": [*series.periods, target["due_period"]],
        "values": [_round(v) for v in plan],
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
        hit = np.flatnonzero(series.t == t)
        seen = float(series.value[hit[0]]) if hit.size else None
        status = "due"
        if seen is not None and np.isfinite(seen):
            met = seen <= m["value"] if better_low else seen >= m["value"]
            status = "met" if met else "missed"
        out.append({**m, "observed": _round(seen), "status": status})
    return out


# --- effectiveness -----------------------------------------------------------------------


def _effectiveness(
    session: Session,
    memo: Memo,
    indicator: Indicator,
    measure: dict[str, Any],
    action: dict[str, Any],
    every_action: list[dict[str, Any]],
) -> dict[str, Any]:
    link = next(m for m in action["measures"] if m["measure"] == measure["code"])
    base = {"action": action["code"], "title": action["title"], "status": action["status"]}
    lag = int(link["lag_months"])
    if action["status"] not in DELIVERED:
        words = action["status"].replace("_", " ")
        return _said(base, "not_delivered", f"Not yet delivered ({words}): not judged yet.")
    type_code = measure["area_type"]
    areas = memo.areas_of(session, type_code)
    treated = _treated(session, areas, action)
    if not treated.any():
        return _said(base, "no_areas", f"The action names no {type_code} areas to judge it in.")
    panel = memo.panel(session, indicator, type_code)
    if panel is None:
        return _said(base, "no_data", f"No values at {type_code}.")
    others = np.zeros(len(areas), dtype=bool)
    for a in every_action:
        others |= _treated(session, areas, a)
    ranking = city_ranking(session, type_code)
    if ranking is None:
        why = f"{type_code} has no deprivation ranking to find comparable areas."
        return _said(base, "no_comparators", why)
    groups = np.array(
        [ranking.group_of(int(i), int(measure["groups"])) if int(i) in ranking.rank else -1
         for i in areas.ids]
    )  # fmt: skip
    treated_groups = set(groups[treated].tolist()) - {-1}
    comparators = np.isin(groups, list(treated_groups)) & ~others
    start = date.fromisoformat(str(action["starts_on"]))
    starts = np.array([month_index(s) for s in panel.starts])
    begin = month_index(start)
    post = starts >= begin + lag
    pre = starts < begin
    expected_dir: did.Direction = "down" if link["expected"] == "down" else "up"
    try:
        found = _did(session, memo, indicator, panel, type_code, treated, comparators,
                     post, pre, expected_dir)  # fmt: skip
    except ValueError as exc:  # no period before the action, or no usable area
        return _said(base, "no_data", f"Its effect cannot be judged: {exc}.")
    return {**base, **_verdict(found, indicator, lag, start)}


def _did(
    session: Session,
    memo: Memo,
    indicator: Indicator,
    panel: Panel,
    type_code: str,
    treated: NDArray[np.bool_],
    comparators: NDArray[np.bool_],
    post: NDArray[np.bool_],
    pre: NDArray[np.bool_],
    expected_dir: did.Direction,
) -> did.Effect:
    """The difference in differences on the city-standardised series: counts against
    the city's rate times each area's population, values less the city's value."""
    population = indicator_repo.indicator(session, POPULATION)
    pop_panel = None if population is None else memo.panel(session, population, type_code)
    counted = counts_of(panel, pop_panel)
    if indicator.kind.counted and counted is not None and counted[1] is not None:
        counts, exposure = counted[0], counted[1]
        ok = np.isfinite(counts) & np.isfinite(exposure)
        city_rate = np.where(ok, counts, 0).sum(axis=0) / np.maximum(
            np.where(ok, exposure, 0).sum(axis=0), 1e-12
        )
        found = did.did_counts(counts, exposure * city_rate[None, :], treated, comparators,
                               post, expected_dir, pre=pre)  # fmt: skip
    else:
        weights = None
        if counted is not None and counted[1] is not None:
            weights = np.nanmean(np.where(np.isfinite(counted[1]), counted[1], np.nan), axis=1)
            weights = np.where(np.isfinite(weights), weights, 0.0)
        city = np.nanmean(panel.value, axis=0)
        found = did.did_values(panel.value, city, treated, comparators, post, expected_dir,
                               pre=pre, weights=weights)  # fmt: skip
    return found


def _treated(session: Session, areas: Areas, action: dict[str, Any]) -> NDArray[np.bool_]:
    """The areas of ``areas``' type the action works in: named, or lying mostly in one
    it names (a ward's LSOAs)."""
    named = [int(a["id"]) for a in action.get("areas") or []]
    if not named:
        return np.zeros(len(areas), dtype=bool)
    inside = session.execute(
        text(
            "SELECT source_id FROM area_overlay WHERE target_id = ANY(:ids) AND best "
            "UNION SELECT unnest(CAST(:ids AS bigint[]))"
        ),
        {"ids": named},
    ).scalars()
    return np.isin(areas.ids, np.array(list(inside), dtype=np.int64))


def _verdict(found: did.Effect, indicator: Indicator, lag: int, start: date) -> dict[str, Any]:
    after = f"{lag} month(s) after it began on {start}" if lag else f"since it began on {start}"
    n = f"{found.treated} area(s) against {found.comparators} comparable area(s)"
    if found.verdict == did.TOO_EARLY:
        return _said({}, "too_early", f"Too early to judge: fewer than 2 periods of data {after}.")
    if found.verdict == did.NO_COMPARATORS:
        why = f"Too few comparable areas without an action ({found.comparators})."
        return _said({}, "no_comparators", why)
    if found.scale == "log":
        size = f"{np.expm1(found.estimate):+.0%}"
        ci = f"{np.expm1(found.lower):+.0%} to {np.expm1(found.upper):+.0%}"
    else:
        size = f"{found.estimate:+.3g}"
        ci = f"{found.lower:+.3g} to {found.upper:+.3g}"
    working = found.verdict == did.WORKING
    said = (
        "working: its areas improved beyond comparable areas"
        if working
        else "delivered but not working: its areas have not improved beyond comparable areas"
    )
    return {
        "verdict": "working" if working else "not_working",
        "estimate": _round(found.estimate),
        "lower": _round(found.lower),
        "upper": _round(found.upper),
        "p": _round(found.p),
        "scale": found.scale,
        "treated": found.treated,
        "comparators": found.comparators,
        "reason": (
            f"{said.capitalize()} ({size} relative to them {after}, 95% CI {ci}; {n}; "
            f"one-sided p = {found.p:.2g})."
        ),
    }


# --- shaping -----------------------------------------------------------------------------


def _said(base: dict[str, Any], verdict: str, reason: str) -> dict[str, Any]:
    return {**base, "verdict": verdict, "reason": reason}


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
        "value": [_round(v) for v in series.value],
        "lower": [_round(v) for v in series.lower],
        "upper": [_round(v) for v in series.upper],
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


def _round(value: float | None) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return float(f"{value:.6g}")
