"""Actions and their updates.

An action has a person as owner (a signed-in account) and is linked to the measures it
is meant to move (which way, and after what lag) and to the areas it works in. It can be
opened from an alert: the alert's areas become the action's, and its sentence is kept.
Its owner gives one update per reporting cycle (a month, YYYY-MM); the update is
immutable, and every board with an interest in the action reports that one row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.analysis.repository import AlertFilter
from app.analysis.service import list_alerts
from app.areas import custom
from app.errors import FrameworkRejectedError
from app.framework import checks, history
from app.framework import repository as repo
from app.framework.models import ACTION_STATUSES, Action, ActionArea, ActionMeasure, ActionUpdate
from app.framework.service import Spec, found, may_see_measure, seen_action
from app.indicators import repository as indicator_repo
from app.indicators.periods import PeriodError, parse_period

MAX_AREAS = 5000
CYCLE = "a reporting month, YYYY-MM"


def actions(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    policy.require_partner(viewer)
    every = history.as_of(session, "action", None).values()
    return sorted((_seen(session, viewer, a) for a in every), key=lambda a: a["code"])


def action(session: Session, viewer: Viewer, code: str) -> dict[str, Any]:
    policy.require_partner(viewer)
    row = found(session, "action", code)
    snap = _seen(session, viewer, repo.snapshot(session, "action", row.id))
    snap["updates"] = repo.updates(session, [row.id])
    return snap


def _seen(session: Session, viewer: Viewer, snap: dict[str, Any]) -> dict[str, Any]:
    return seen_action(session, viewer, snap)


def create_action(session: Session, viewer: Viewer, spec: Spec) -> dict[str, Any]:
    """Open an action: its owner is the signed-in officer unless ``owner`` names
    another account (an administrator's to do); from ``alert`` its areas and sentence."""
    policy.require_partner(viewer)
    if spec.get("owner"):
        owner = repo.user_named(session, str(spec["owner"]))
        if owner is None or owner.disabled_at is not None:
            raise FrameworkRejectedError(f"There is no (enabled) account {spec['owner']!r}")
        owner_id = int(owner.id)
        if owner_id != viewer.user_id:
            policy.require_framework_editor(viewer)  # someone else's action
    else:
        owner_id = policy.require_signed_in_person(viewer, "Opening an action")
    code = checks.code("code", spec.get("code"))
    if repo.by_code(session, "action", code) is not None:
        raise FrameworkRejectedError(f"There is an action {code!r} already")
    row = Action(code=code, owner_id=owner_id, updated_by=viewer.actor)
    _apply(session, row, {"status": "not_started", "percent_complete": 0, **spec}, new=True)
    session.add(row)
    session.flush()
    areas = list(spec.get("areas") or [])
    if spec.get("alert") is not None:
        areas += _from_alert(session, viewer, row, int(spec["alert"]))
    _set_areas(session, viewer, row, areas)
    for link in spec.get("measures") or []:
        _link(session, viewer, row, link)
    history.touch(session, "action", row, viewer.actor, op="create")
    return action(session, viewer, code)


def update_action(
    session: Session, viewer: Viewer, code: str, spec: Spec, version: int | None = None
) -> dict[str, Any]:
    row = found(session, "action", code)
    _require_editor(session, viewer, row)
    _apply(session, row, spec, new=False)
    if "areas" in spec:
        _set_areas(session, viewer, row, list(spec["areas"] or []), replace=True)
    history.touch(session, "action", row, viewer.actor, expected_version=version)
    return action(session, viewer, code)


def link_measure(session: Session, viewer: Viewer, code: str, spec: Spec) -> dict[str, Any]:
    """Link the action to a measure it should move (or change the link's direction and
    lag). A new link clears the measure's innovation flag: something new is tried."""
    row = found(session, "action", code)
    _require_editor(session, viewer, row)
    _link(session, viewer, row, spec)
    history.touch(session, "action", row, viewer.actor)
    return action(session, viewer, code)


def add_update(session: Session, viewer: Viewer, code: str, spec: Spec) -> dict[str, Any]:
    """The owner's update for a cycle: narrative, progress, status and blockers. One per
    cycle; the action's status and progress become the update's."""
    row = found(session, "action", code)
    owner = repo.snapshot(session, "action", row.id)["owner"]
    author_id = policy.require_update_author(viewer, row.owner_id, owner)
    cycle = _cycle(spec.get("cycle"))
    if repo.has_update(session, row.id, cycle):
        raise FrameworkRejectedError(
            f"{row.code} has its update for {cycle} already: an update is never changed "
            "(say what changed in the next cycle's)"
        )
    status = checks.choice("status", spec.get("status") or row.status, ACTION_STATUSES)
    progress = checks.whole("progress", spec.get("progress", row.percent_complete), 0, 100)
    update = ActionUpdate(
        action_id=row.id, cycle=cycle, author_id=author_id, author=owner, status=status,
        progress=progress, narrative=checks.words("narrative", spec.get("narrative"),
                                                  limit=checks.MAX_TEXT),
        blockers=checks.words("blockers", spec.get("blockers"), limit=checks.MAX_TEXT,
                              empty=True),
    )  # fmt: skip
    session.add(update)
    row.status, row.percent_complete = status, progress
    history.touch(session, "action", row, viewer.actor)
    return {
        "id": update.id,
        "action": row.code,
        **{k: getattr(update, k) for k in ("cycle", "author", "status", "progress")},
        "narrative": update.narrative,
        "blockers": update.blockers,
        "created_at": repo.now(session),
    }


def _cycle(value: Any) -> str:
    raw = str(value or "").strip()
    try:
        year, month = raw.split("-")
        date(int(year), int(month), 1)
    except ValueError as exc:
        raise FrameworkRejectedError(f"cycle {value!r} is not {CYCLE}") from exc
    return f"{int(year):04d}-{int(month):02d}"


def _require_editor(session: Session, viewer: Viewer, row: Action) -> None:
    owner = repo.snapshot(session, "action", row.id)["owner"]
    policy.require_action_editor(viewer, row.owner_id, owner)


def _apply(session: Session, row: Action, spec: Spec, *, new: bool) -> None:
    if new or "title" in spec:
        row.title = checks.words("title", spec.get("title"))
    if new or "description" in spec:
        row.description = checks.words("description", spec.get("description"),
                                       limit=checks.MAX_TEXT, empty=True)  # fmt: skip
    if new or "lead_agency" in spec:
        name = str(spec.get("lead_agency") or "").strip()
        agency = repo.agency_id(session, name) if name else None
        if name and agency is None:
            raise FrameworkRejectedError(f"There is no agency {name!r}")
        row.lead_agency_id = agency
    if new or "partners" in spec:
        row.partners = [checks.words("partners", p) for p in spec.get("partners") or []]
    if new or "starts_on" in spec:
        row.starts_on = checks.day("starts_on", spec.get("starts_on") or date.today())
    if new or "selected_from" in spec:
        raw = spec.get("selected_from")
        row.selected_from = checks.day("selected_from", raw) if raw else None
    if new or "ends_on" in spec:
        row.ends_on = checks.day("ends_on", spec["ends_on"]) if spec.get("ends_on") else None
    if row.ends_on is not None and row.ends_on < row.starts_on:
        raise FrameworkRejectedError("ends_on is before starts_on")
    if "status" in spec:
        row.status = checks.choice("status", spec["status"], ACTION_STATUSES)
    if "percent_complete" in spec:
        row.percent_complete = checks.whole("percent_complete", spec["percent_complete"], 0, 100)


def _set_areas(
    session: Session, viewer: Viewer, row: Action, codes: list[str], *, replace: bool = False
) -> None:
    wanted = list(dict.fromkeys(str(c).strip() for c in codes if str(c).strip()))
    if len(wanted) > MAX_AREAS:
        raise FrameworkRejectedError(f"An action works in at most {MAX_AREAS:,} areas")
    ids = repo.area_ids(session, wanted)
    hidden = custom.hidden_types(session, viewer)
    ids = {c: i for c, i in ids.items() if repo.area_type_of(session, i) not in hidden}
    unknown = [c for c in wanted if c not in ids]
    if unknown:
        raise FrameworkRejectedError(f"There are no areas {', '.join(map(repr, unknown[:10]))}")
    if replace:
        session.query(ActionArea).filter_by(action_id=row.id).delete()
    for area_id in ids.values():
        if session.get(ActionArea, (row.id, area_id)) is None:
            session.add(ActionArea(action_id=row.id, area_id=area_id))
    session.flush()


def _link(session: Session, viewer: Viewer, row: Action, spec: Spec) -> None:
    code = str(spec.get("measure") or "").strip().lower()
    measure = repo.by_code(session, "measure", code)
    if measure is None or not may_see_measure(
        session, viewer, {"indicator": measure.indicator_code}
    ):
        raise FrameworkRejectedError(f"There is no measure {spec.get('measure')!r}")
    expected = checks.choice("expected", spec.get("expected") or measure.improvement,
                             ("down", "up"))  # fmt: skip
    lag = checks.whole("lag_months", spec.get("lag_months") or 0, 0, 120)
    link = session.get(ActionMeasure, (row.id, measure.id))
    if link is None:
        session.add(ActionMeasure(action_id=row.id, measure_id=measure.id, expected=expected,
                                  lag_months=lag))  # fmt: skip
        # Something new is tried: the flag comes off the lead board's agenda, when the
        # link is made by one of its members (or an administrator), not by anyone.
        lead = measure.lead_board_id
        if policy.is_admin(viewer) or (
            lead is not None and repo.is_member(session, int(lead), viewer.user_id)
        ):
            repo.clear_flags(session, measure.id, row.id)
    else:
        link.expected, link.lag_months = expected, lag
    session.flush()


def _from_alert(session: Session, viewer: Viewer, row: Action, alert_id: int) -> list[str]:
    """The areas of the alert the action answers (a cluster's, or its one area), and its
    sentence kept with the action (runs are pruned; the action outlives them). Only an
    alert the viewer may see, as they see it."""
    alert = visible_alert(session, viewer, alert_id)
    row.alert_id, row.alert_sentence = int(alert["id"]), str(alert["sentence"])
    row.alert_indicators = [str(c) for c in alert["indicators"]]
    if row.selected_from is None:
        row.selected_from = _window_start(session, alert)
    codes = [str(c) for c in (alert.get("stats") or {}).get("areas") or []]
    return codes or ([str(alert["area_code"])] if alert.get("area_code") else [])


def _window_start(session: Session, alert: dict[str, Any]) -> date | None:
    """The first day of the data the alert was found in (its recent window).

    A correlated alert's ``period_from`` is the earliest of its indicators' windows, in
    the notation of whichever indicator it came from (``2023-01`` of a monthly one beside
    a school year's ``2023/24``): the first indicator whose period type reads it."""
    if not alert.get("period_from"):
        return None
    for code in alert["indicators"]:
        indicator = indicator_repo.indicator(session, str(code))
        if indicator is None:
            continue
        try:
            return parse_period(str(alert["period_from"]), indicator.period_type).start
        except PeriodError:
            continue
    return None


def visible_alert(session: Session, viewer: Viewer, alert_id: int) -> dict[str, Any]:
    run_id = repo.alert_run(session, alert_id)
    if run_id is not None:
        seen = list_alerts(session, viewer, AlertFilter(run_id=run_id, limit=100_000))
        for alert in seen["alerts"]:
            if int(alert["id"]) == alert_id:
                return dict(alert)
    raise FrameworkRejectedError(f"There is no alert {alert_id}")
