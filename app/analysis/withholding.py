"""Alerts as the public may see them: the figures of an alert that rests on hidden
values are withheld.

An analysis run reads every value, small counts included, so its statistics (the
observed count over a window, a change, a z score, even q) are made of what the public
may not see: a window's total minus the months on show gives the hidden month back.
For a viewer who does not see small counts, an alert whose indicators hide a value in
the periods it was worked out from (its recent window and the baseline before it),
for its area (or, for clusters and gaps, for any area of its type) keeps what it is
about (kind, area, indicators, periods) and loses its numbers and its sentence's
figures.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator
from app.observations import disclosure
from app.observations.query import available_periods

WITHHELD = "the figures rest on counts too small to publish, so they are shown to partners only"
# Kinds worked out from one area's own series (the rest from many areas at once).
ONE_AREA = frozenset({"deterioration", "correlated"})


def as_seen_by(session: Session, viewer: Viewer, alerts: list[dict[str, Any]]) -> None:
    """Withhold, in place, the figures of ``alerts`` that the viewer may not see."""
    if policy.sees_small_counts(viewer) or not alerts:
        return
    codes = {c for a in alerts for c in a["indicators"]}
    indicators = indicator_repo.indicators_by_code(session, codes)
    for alert in alerts:
        if _rests_on_hidden(session, viewer, indicators, alert):
            _withhold(alert, indicators)


def _rests_on_hidden(
    session: Session, viewer: Viewer, indicators: dict[str, Indicator], alert: dict[str, Any]
) -> bool:
    for code in alert["indicators"]:
        indicator = indicators[code]
        hidden = disclosure.for_viewer(session, viewer, indicator)
        if hidden.mask is None or hidden.mask == disclosure.NOTHING_HIDDEN:
            continue
        type_code = alert["area_type"] or indicator.area_types[0]
        labels = available_periods(session, viewer, indicator, type_code)
        periods = _periods(labels, _window(alert["stats"], code), alert["period_to"])
        one_area = alert["kind"] in ONE_AREA and alert["area_id"] is not None
        for period in periods:
            if hidden.hides_total(type_code, period):
                return True
            if one_area:
                if (alert["area_id"], period) in hidden.mask.cells:
                    return True
            elif hidden.hides_at(alert["area_type"], period):
                return True
    return False


def _window(stats: dict[str, Any], code: str) -> dict[str, Any] | None:
    window = stats.get("window") or stats.get("indicators", {}).get(code, {}).get("window")
    return window if isinstance(window, dict) else None


def _periods(labels: list[str], window: dict[str, Any] | None, period_to: str | None) -> list[str]:
    """The periods an alert was worked out from: its recent window and the baseline
    before it, or (when the run did not say) every period up to its last."""
    recent = (window or {}).get("recent") or []
    if recent and recent[0] in labels and recent[-1] in labels:
        first, last = labels.index(recent[0]), labels.index(recent[-1])
        baseline = int((window or {}).get("baseline_periods") or 0)
        return labels[max(0, first - baseline) : last + 1]
    if period_to in labels:
        return labels[: labels.index(period_to) + 1]
    return labels


_FOUND = {
    "deterioration": "got worse",
    "correlated": "got worse together",
    "hotspot": "got worse in a cluster of neighbouring areas",
    "gap": "widened the gap between the most deprived areas and the rest",
}


def _withhold(alert: dict[str, Any], indicators: dict[str, Indicator]) -> None:
    titles = " and ".join(str(indicators[c].title) for c in alert["indicators"])
    where = f" in {alert['area_name']}" if alert["area_name"] else ""
    span = alert["period_from"]
    if alert["period_to"] and alert["period_to"] != span:
        span = f"{span} to {alert['period_to']}"
    found = _FOUND.get(alert["kind"], "changed")
    alert["sentence"] = f"{titles}{where} {found} ({span}); {WITHHELD}."
    alert["stats"] = {"withheld": WITHHELD}
    alert["details"] = []
    alert["q"] = None
