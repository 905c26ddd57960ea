"""Effectiveness: whether an action reported on track or complete worked, judged from
outcome data. Its areas (at the measure's area type: named, or lying mostly in one it
names) against comparable areas with no action in the same deprivation group, from before
the action to after its lag: a difference in differences of the city-standardised series
(:mod:`app.analysis.stats.effect`). "Not yet delivered" is told apart from "delivered but
not working"."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from app.analysis.detect import counts_of
from app.analysis.panels import Areas, Panel
from app.analysis.rounding import significant
from app.analysis.stats import effect as did
from app.framework import repository as repo
from app.framework.series import POPULATION, Memo, month_index
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator
from app.observations.deprivation import city_ranking

DELIVERED = ("on_track", "complete")


def judge(
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
    # Before the action, and before the data its areas were chosen on.
    chosen = action.get("selected_from")
    first = min(begin, month_index(date.fromisoformat(str(chosen)))) if chosen else begin
    pre = starts < first
    expected_dir: did.Direction = "down" if link["expected"] == "down" else "up"
    try:
        found = _did(session, memo, indicator, panel, type_code, treated, comparators,
                     post, pre, expected_dir)  # fmt: skip
    except ValueError as exc:  # no period before the action, or no usable area
        return _said(base, "no_data", f"Its effect cannot be judged: {exc}.")
    return {**base, **_verdict(found, lag, start, chosen)}


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
    inside = repo.small_area_ids(session, named)
    return np.isin(areas.ids, np.array(inside, dtype=np.int64))


def _verdict(found: did.Effect, lag: int, start: date, chosen: Any) -> dict[str, Any]:
    after = f"{lag} month(s) after it began on {start}" if lag else f"since it began on {start}"
    n = f"{found.treated} area(s) against {found.comparators} comparable area(s)"
    if chosen:
        n += f", against the time before {chosen}, when the data its areas were chosen on begin"
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
        "estimate": significant(found.estimate),
        "lower": significant(found.lower),
        "upper": significant(found.upper),
        "p": significant(found.p),
        "scale": found.scale,
        "treated": found.treated,
        "comparators": found.comparators,
        "reason": (
            f"{said.capitalize()} ({size} relative to them {after}, 95% CI {ci}; {n}; "
            f"one-sided p = {found.p:.2g})."
        ),
    }


def _said(base: dict[str, Any], verdict: str, reason: str) -> dict[str, Any]:
    return {**base, "verdict": verdict, "reason": reason}
