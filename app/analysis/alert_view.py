"""What the page needs of an alert beside its sentence: the window it was found over,
what the map should show for it, and what officers did about it (for partners only:
officers' names are not public, :func:`app.access.policy.sees_alert_handling`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.analysis import acknowledgement_repository as ack_repo
from app.analysis.sentences import window_label
from app.indicators.indicator import Indicator
from app.indicators.periods import PeriodType

# Periods from the finest: a correlated alert's map shows the indicator whose window is
# the alert's months (criminal damage over the last 12 months) rather than one school year.
_FINEST_FIRST = (PeriodType.MONTH, PeriodType.QUARTER)


def mapped_indicator(alert: dict[str, Any], indicators: dict[str, Indicator]) -> str | None:
    """The indicator the map shows for the alert: of its indicators, the first with the
    finest periods (the strongest when they are alike: the server lists it first)."""
    codes = list(alert["indicators"])
    if not codes:
        return None

    def fineness(code: str) -> int:
        found = indicators.get(code)
        kind = found.period_type if found is not None else None
        return _FINEST_FIRST.index(kind) if kind in _FINEST_FIRST else len(_FINEST_FIRST)

    return str(min(codes, key=fineness))


def _recent(alert: dict[str, Any], lead: str | None) -> list[str]:
    """The periods of the window the alert was found over (the mapped indicator's)."""
    stats = alert["stats"]
    window = stats.get("indicators", {}).get(lead, {}).get("window") or stats.get("window")
    if isinstance(window, dict) and window.get("recent"):
        return [str(p) for p in window["recent"]]
    if isinstance(stats.get("recent"), list) and stats["recent"]:
        return [str(p) for p in stats["recent"]]
    if alert["kind"] == "gap" and isinstance(stats.get("periods"), list) and stats["periods"]:
        return [str(p) for p in stats["periods"]]
    return [p for p in (alert["period_from"], alert["period_to"]) if p is not None]


def _last_period(period: str) -> str:
    """A gap's pooled period "2023-10 to 2023-12" ends with a period the map knows."""
    return period.rsplit(" to ", 1)[-1]


def place(alert: dict[str, Any], indicators: dict[str, Indicator]) -> None:
    """Give ``alert`` (in place, from its statistics: before any are withheld) its
    ``window`` and its ``map``: the indicator (:func:`mapped_indicator`), area type and
    period to show, the window being that indicator's, and the areas
    to outline (a cluster's every area, else the alert's one; none for a gap, which is
    about the city)."""
    lead = mapped_indicator(alert, indicators)
    recent = _recent(alert, lead)
    indicator = indicators.get(lead) if lead is not None else None
    pooled = alert["kind"] == "gap" and any(" to " in p for p in recent)
    period_type = None if indicator is None or pooled else indicator.period_type
    label = window_label(recent, period_type)
    if pooled and recent:
        label = (
            f"the {len(recent)} quarters {recent[0].split(' to ')[0]} to {_last_period(recent[-1])}"
        )
    alert["window"] = {
        "from": recent[0].split(" to ")[0] if recent else None,
        "to": _last_period(recent[-1]) if recent else None,
        "periods": len(recent),
        "label": label,
    }
    if alert["kind"] == "hotspot" and isinstance(alert["stats"].get("areas"), list):
        areas = [str(a) for a in alert["stats"]["areas"]]
    elif alert["area_code"] is not None:
        areas = [alert["area_code"]]
    else:
        areas = []
    alert["map"] = {
        "indicator": lead,
        "type": alert["area_type"],
        "period": alert["window"]["to"],
        "areas": areas,
    }


def _person(username: str | None, display: str | None) -> str | None:
    return display or username


def add_handling(session: Session, viewer: Viewer, alerts: list[dict[str, Any]]) -> None:
    """Give each alert (in place) ``acknowledged`` ({by, at, note}) and ``assigned_to``
    ({name, by, at}), each None where nothing was done; always None for a viewer who may
    not see who handles alerts."""
    for alert in alerts:
        alert["acknowledged"] = None
        alert["assigned_to"] = None
    if not policy.sees_alert_handling(viewer) or not alerts:
        return
    by_id = {int(a["id"]): a for a in alerts}
    for row in ack_repo.states(session, list(by_id)):
        alert = by_id[int(row.for_alert)]
        if row.action == "acknowledge":
            alert["acknowledged"] = handling_event(row)
        else:
            alert["assigned_to"] = handling_event(row)


def handling_event(row: Any) -> dict[str, Any]:
    """One thing done about an alert, as routes give it."""
    out: dict[str, Any] = {
        "by": row.by,
        "by_name": _person(row.by, row.by_name),
        "at": row.at.isoformat(),
    }
    if row.action == "acknowledge":
        out["note"] = row.note
    else:
        out["name"] = row.assignee
        out["display_name"] = _person(row.assignee, row.assignee_name)
    return out
