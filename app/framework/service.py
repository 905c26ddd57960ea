"""The framework's structure: delivery boards (members, meetings, interests), the
outcome tree, measures and their targets. Administrators set it (or import it, see
:mod:`app.framework.importer`); partners read it. Every change is recorded whole
(:mod:`app.framework.history`); services only flush, the request commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.areas import custom
from app.areas import repository as area_repo
from app.errors import FrameworkRejectedError, NotFoundError
from app.framework import checks, history
from app.framework import repository as repo
from app.framework.models import (
    BOARD_KINDS,
    FREQUENCIES,
    INTEREST_KINDS,
    SCOPES,
    STATISTICS,
    Board,
    BoardMember,
    Interest,
    Measure,
    Meeting,
    Outcome,
    Target,
)
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator, Polarity
from app.indicators.service import visible_indicator, visible_indicators

Spec = dict[str, Any]


# --- reading ---------------------------------------------------------------------------


def boards(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    policy.require_partner(viewer)
    every = history.as_of(session, "board", None).values()
    # Strategic first, then executive, thematic and task-and-finish, by name.
    order = {kind: n for n, kind in enumerate(BOARD_KINDS)}
    return sorted(
        (seen_board(session, viewer, b) for b in every),
        key=lambda b: (order.get(b["kind"], len(order)), b["name"]),
    )


def board(session: Session, viewer: Viewer, code: str) -> dict[str, Any]:
    policy.require_partner(viewer)
    return seen_board(session, viewer, repo.snapshot(session, "board", _board(session, code).id))


def hidden_measures(session: Session, viewer: Viewer) -> set[str]:
    """The codes of the measures of indicators the viewer may not see."""
    return {
        m["code"]
        for m in history.as_of(session, "measure", None).values()
        if not may_see_measure(session, viewer, m)
    }


def seen_action(session: Session, viewer: Viewer, snap: dict[str, Any]) -> dict[str, Any]:
    """The action (a snapshot) as the viewer may see it: without links to measures they
    may not see, areas of custom areas hidden from them, and the alert it answers only
    when they may see every indicator of that alert."""
    hidden = hidden_measures(session, viewer)
    hidden_types = custom.hidden_types(session, viewer)
    out = {
        **snap,
        "measures": [m for m in snap.get("measures") or [] if m["measure"] not in hidden],
        "areas": [a for a in snap.get("areas") or [] if a.get("type") not in hidden_types],
    }
    alert_codes = snap.get("alert_indicators") or []
    if snap.get("alert_id") is not None and not all(
        may_see_measure(session, viewer, {"indicator": c}) for c in alert_codes
    ):
        out.update(alert_id=None, alert_sentence=None, alert_indicators=[])
    return out


def seen_board(session: Session, viewer: Viewer, snap: dict[str, Any]) -> dict[str, Any]:
    """The board (a snapshot) without its interests in what the viewer may not see: an
    indicator of another agency's, or a measure of one."""
    hidden = hidden_measures(session, viewer)
    hidden_types = custom.hidden_types(session, viewer)
    kept = [
        i
        for i in snap.get("interests") or []
        if not (i["kind"] == "indicator" and not may_see_measure(session, viewer, i))
        and i.get("measure") not in hidden
        and i.get("area_type") not in hidden_types
    ]
    return {**snap, "interests": kept}


def outcomes(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    policy.require_partner(viewer)
    return sorted(history.as_of(session, "outcome", None).values(), key=lambda o: o["code"])


def measures(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    """The measures of indicators the viewer may see."""
    policy.require_partner(viewer)
    every = history.as_of(session, "measure", None).values()
    return sorted(
        (m for m in every if may_see_measure(session, viewer, m)), key=lambda m: m["code"]
    )


def measure(session: Session, viewer: Viewer, code: str) -> dict[str, Any]:
    policy.require_partner(viewer)
    found = repo.by_code(session, "measure", code)
    if found is None:
        raise NotFoundError(f"There is no measure {code!r}")
    snap = repo.snapshot(session, "measure", found.id)
    if not may_see_measure(session, viewer, snap):
        raise NotFoundError(f"There is no measure {code!r}")
    return snap


def may_see_measure(session: Session, viewer: Viewer, snap: dict[str, Any]) -> bool:
    """A measure (or anything naming an ``indicator``) is as visible as its indicator:
    an agency's own stays the agency's."""
    return str(snap["indicator"]) in _visible_codes(session, viewer)


_VISIBLE = "nis.framework.visible_indicators"


def _visible_codes(session: Session, viewer: Viewer) -> frozenset[str]:
    """The codes of the indicators the viewer may see, worked out once a unit of work
    (a report asks of every measure, action and interest)."""
    memo: dict[str, frozenset[str]] = session.info.setdefault(_VISIBLE, {})
    who = policy.audience(viewer)
    if who not in memo:
        memo[who] = frozenset(i.code for i in visible_indicators(session, viewer))
    return memo[who]


def revisions(session: Session, viewer: Viewer, entity: str, code: str) -> list[dict[str, Any]]:
    """Every change to one board, outcome, measure or action: what it became, who, when."""
    policy.require_partner(viewer)
    entity = checks.choice("entity", entity, history.ENTITIES)
    found = repo.by_code(session, entity, code)
    if found is None:
        raise NotFoundError(f"There is no {entity} {code!r}")
    if entity == "measure":
        measure(session, viewer, code)  # refuses a measure the viewer may not see
    changes = repo.revisions_of(session, entity, int(found.id))
    for change in changes:
        data = change["data"]
        if data is not None and entity == "board":
            change["data"] = seen_board(session, viewer, data)
        elif data is not None and entity == "action":
            change["data"] = seen_action(session, viewer, data)
    return changes


# --- boards ------------------------------------------------------------------------------


def create_board(session: Session, viewer: Viewer, spec: Spec) -> dict[str, Any]:
    policy.require_framework_editor(viewer)
    code = checks.code("code", spec.get("code"))
    if repo.by_code(session, "board", code) is not None:
        raise FrameworkRejectedError(f"There is a board {code!r} already")
    row = Board(code=code, name="", kind="thematic", updated_by=viewer.actor)
    _apply_board(session, row, {"kind": "thematic", **spec})
    session.add(row)
    history.touch(session, "board", row, viewer.actor, op="create")
    return repo.snapshot(session, "board", row.id)


def update_board(
    session: Session, viewer: Viewer, code: str, spec: Spec, version: int | None = None
) -> dict[str, Any]:
    policy.require_framework_editor(viewer)
    row = _board(session, code)
    _apply_board(session, row, spec)
    history.touch(session, "board", row, viewer.actor, expected_version=version)
    return repo.snapshot(session, "board", row.id)


def _apply_board(session: Session, row: Board, spec: Spec) -> None:
    if "name" in spec or not row.name:
        row.name = checks.words("name", spec.get("name"))
    if "kind" in spec:
        row.kind = checks.choice("kind", spec["kind"], BOARD_KINDS)
    if "parent" in spec:
        parent = None if not spec["parent"] else _entity(session, "board", str(spec["parent"]))
        if parent is not None and parent.code == row.code:
            raise FrameworkRejectedError("A board cannot report to itself")
        row.parent_id = None if parent is None else parent.id
    if "email" in spec:
        email = str(spec["email"] or "").strip()
        if email and ("@" not in email or any(c in email for c in "\r\n ,;")):
            raise FrameworkRejectedError(f"email {email!r} is not one address")
        row.email = email or None
    if "webhook_url" in spec:
        url = str(spec["webhook_url"] or "").strip()
        if url and not url.startswith(("https://", "http://")):
            raise FrameworkRejectedError("webhook_url must be an http(s) URL")
        row.webhook_url = url or None
    if "webhook_secret" in spec:
        secret = str(spec["webhook_secret"] or "")
        if secret and len(secret) < 16:
            raise FrameworkRejectedError("webhook_secret needs at least 16 characters")
        row.webhook_secret = secret or None


def add_member(
    session: Session, viewer: Viewer, code: str, username: str, role: str = "member"
) -> dict[str, Any]:
    policy.require_framework_editor(viewer)
    row = _board(session, code)
    user = _user(session, username)
    role = checks.choice("role", role, ("chair", "member"))
    existing = session.get(BoardMember, (row.id, user.id))
    if existing is None:
        session.add(BoardMember(board_id=row.id, user_id=user.id, role=role))
    else:
        existing.role = role
    history.touch(session, "board", row, viewer.actor)
    return repo.snapshot(session, "board", row.id)


def add_meeting(
    session: Session, viewer: Viewer, code: str, meets_on: Any, updates_due: Any = None
) -> dict[str, Any]:
    row = _board(session, code)
    policy.require_board_member(viewer, repo.is_member(session, row.id, viewer.user_id), row.name)
    day = checks.day("meets_on", meets_on)
    due = checks.day("updates_due", updates_due) if updates_due else _week_before(day)
    if due > day:
        raise FrameworkRejectedError("updates_due must be on or before meets_on")
    meetings = repo.snapshot(session, "board", row.id)["meetings"]
    if any(m["meets_on"] == day.isoformat() for m in meetings):
        raise FrameworkRejectedError(f"{row.name} meets on {day} already")
    session.add(Meeting(board_id=row.id, meets_on=day, updates_due=due))
    history.touch(session, "board", row, viewer.actor)
    return repo.snapshot(session, "board", row.id)


def _week_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 7)


def add_interest(session: Session, viewer: Viewer, code: str, spec: Spec) -> dict[str, Any]:
    """Register the board's interest in an action, a measure, an indicator or an area:
    its report then carries it (an action's one update, a measure's risks, the alerts
    of an indicator or in an area)."""
    row = _board(session, code)
    policy.require_board_member(viewer, repo.is_member(session, row.id, viewer.user_id), row.name)
    kind = checks.choice("kind", spec.get("kind"), INTEREST_KINDS)
    subject = str(spec.get(kind) or spec.get("code") or "").strip()
    interest = Interest(board_id=row.id, kind=kind, created_by=viewer.actor)
    if kind == "action":
        action = _entity(session, "action", subject)
        interest.action_id, subject = action.id, action.code
    elif kind == "measure":
        chosen = _entity(session, "measure", subject)
        if not may_see_measure(session, viewer, {"indicator": chosen.indicator_code}):
            raise FrameworkRejectedError(f"There is no measure {subject!r}")
        interest.measure_id, subject = chosen.id, chosen.code
    elif kind == "indicator":
        try:
            subject = visible_indicator(session, viewer, subject).code
        except NotFoundError as exc:
            raise FrameworkRejectedError(exc.message) from exc
        interest.indicator_code = subject
    else:
        found = repo.area_ids(session, [subject])
        hidden = custom.hidden_types(session, viewer)
        if subject not in found or repo.area_type_of(session, found[subject]) in hidden:
            raise FrameworkRejectedError(f"There is no area {subject!r}")
        interest.area_id = found[subject]
    registered = repo.snapshot(session, "board", row.id)["interests"]
    if any(i["kind"] == kind and i.get(kind) == subject for i in registered):
        raise FrameworkRejectedError(f"{row.name} has an interest in {kind} {subject!r} already")
    session.add(interest)
    history.touch(session, "board", row, viewer.actor)
    return repo.snapshot(session, "board", row.id)


def remove_interest(session: Session, viewer: Viewer, code: str, interest_id: int) -> None:
    row = _board(session, code)
    policy.require_board_member(viewer, repo.is_member(session, row.id, viewer.user_id), row.name)
    interest = session.get(Interest, interest_id)
    if interest is None or interest.board_id != row.id:
        raise NotFoundError(f"{row.name} has no interest {interest_id}")
    session.delete(interest)
    history.touch(session, "board", row, viewer.actor)


# --- outcomes, measures and targets ------------------------------------------------------


def create_outcome(session: Session, viewer: Viewer, spec: Spec) -> dict[str, Any]:
    policy.require_framework_editor(viewer)
    code = checks.code("code", spec.get("code"))
    if repo.by_code(session, "outcome", code) is not None:
        raise FrameworkRejectedError(f"There is an outcome {code!r} already")
    parent = spec.get("parent")
    row = Outcome(
        code=code,
        title=checks.words("title", spec.get("title")),
        parent_id=None if not parent else _entity(session, "outcome", str(parent)).id,
        updated_by=viewer.actor,
    )
    session.add(row)
    history.touch(session, "outcome", row, viewer.actor, op="create")
    return repo.snapshot(session, "outcome", row.id)


def create_measure(session: Session, viewer: Viewer, spec: Spec) -> dict[str, Any]:
    policy.require_framework_editor(viewer)
    code = checks.code("code", spec.get("code"))
    if repo.by_code(session, "measure", code) is not None:
        raise FrameworkRejectedError(f"There is a measure {code!r} already")
    row = Measure(code=code, updated_by=viewer.actor)
    _apply_measure(session, row, spec, new=True)
    session.add(row)
    session.flush()
    for target in spec.get("targets") or []:
        _set_target(session, row, _indicator(session, row.indicator_code), target)
    history.touch(session, "measure", row, viewer.actor, op="create")
    return repo.snapshot(session, "measure", row.id)


def update_measure(
    session: Session, viewer: Viewer, code: str, spec: Spec, version: int | None = None
) -> dict[str, Any]:
    policy.require_framework_editor(viewer)
    row = found(session, "measure", code)
    _apply_measure(session, row, spec, new=False)
    history.touch(session, "measure", row, viewer.actor, expected_version=version)
    return repo.snapshot(session, "measure", row.id)


def set_target(session: Session, viewer: Viewer, code: str, spec: Spec) -> dict[str, Any]:
    """Set the measure's target (or a milestone) due in a period, replacing the one due
    then."""
    policy.require_framework_editor(viewer)
    row = found(session, "measure", code)
    _set_target(session, row, _indicator(session, row.indicator_code), spec)
    history.touch(session, "measure", row, viewer.actor)
    return repo.snapshot(session, "measure", row.id)


def _set_target(session: Session, row: Measure, indicator: Indicator, spec: Spec) -> None:
    due = checks.period("due_period", spec.get("due_period"), indicator)
    if due <= row.baseline_period and len(due) == len(row.baseline_period):
        raise FrameworkRejectedError(
            f"due_period {due} is not after the baseline period {row.baseline_period}"
        )
    trajectory = checks.choice("trajectory", spec.get("trajectory") or "straight",
                               ("straight", "seasonal"))  # fmt: skip
    weights = checks.profile("profile", spec.get("profile")) if trajectory == "seasonal" else None
    value = checks.number("value", spec.get("value"))
    found = next(
        (t for t in session.query(Target).filter_by(measure_id=row.id) if t.due_period == due),
        None,
    )
    if found is None:
        found = Target(measure_id=row.id, due_period=due, updated_by="")
        session.add(found)
    found.value = value
    found.milestone = bool(spec.get("milestone", False))
    found.trajectory = trajectory
    found.profile = weights
    found.updated_by = row.updated_by
    session.flush()


def _apply_measure(session: Session, row: Measure, spec: Spec, *, new: bool) -> None:
    if new or "title" in spec:
        row.title = checks.words("title", spec.get("title"))
    if new or "indicator" in spec:
        row.indicator_code = _indicator(session, str(spec.get("indicator") or "")).code
    indicator = _indicator(session, row.indicator_code)
    if new or "scope" in spec:
        row.scope = checks.choice("scope", spec.get("scope") or "city", SCOPES)
    if new or "area_type" in spec:
        area_type = str(spec.get("area_type") or "").strip().lower() or _default_type(session)
        private = {t for t, (_, sharing) in custom.custom_types(session).items()
                   if sharing != "partnership"}  # fmt: skip
        if not area_repo.area_type_exists(session, area_type) or area_type in private:
            # A measure is every partner's: never of someone's private patch.
            raise FrameworkRejectedError(f"There is no area type {area_type!r} to measure in")
        row.area_type = area_type
    if new or "area_code" in spec:
        row.area_code = str(spec.get("area_code") or "").strip() or None
    in_type = row.area_code is not None and any(
        r.type_code == row.area_type for r in area_repo.find_areas_by_code(session, row.area_code)
    )
    if row.scope == "area" and not in_type:
        raise FrameworkRejectedError(
            f"A measure of one area needs area_code, an area of {row.area_type}"
        )
    if new or "groups" in spec:
        row.groups = checks.whole("groups", spec.get("groups") or 5, 5, 10)
        if row.groups not in (5, 10):
            raise FrameworkRejectedError("groups is 5 (fifths) or 10 (tenths)")
    if new or "statistic" in spec:
        default = "gap" if row.scope == "gap" else ("rate" if indicator.kind.counted else "level")
        row.statistic = checks.choice("statistic", spec.get("statistic") or default, STATISTICS)
    if row.statistic == "level" and indicator.kind.counted:
        raise FrameworkRejectedError(
            f"{indicator.code} is a count: measure it as a rate (counts per head of "
            "population), which is fair between areas and years"
        )
    gap_stat = row.statistic in ("gap", "sii")
    if gap_stat != (row.scope == "gap"):
        raise FrameworkRejectedError(
            "statistic gap or sii goes with scope gap (the most deprived against the rest), "
            "level or rate with the others"
        )
    if new or "improvement" in spec:
        row.improvement = _improvement(indicator, spec.get("improvement"))
    if new or "baseline_period" in spec:
        row.baseline_period = checks.period("baseline_period", spec.get("baseline_period"),
                                            indicator)  # fmt: skip
    if new or "baseline_value" in spec:
        raw = spec.get("baseline_value")
        row.baseline_value = None if raw in (None, "") else checks.number("baseline_value", raw)
    if new or "lead_board" in spec:
        lead = spec.get("lead_board")
        row.lead_board_id = None if not lead else _entity(session, "board", str(lead)).id
    if new or "outcome" in spec:
        outcome = spec.get("outcome")
        row.outcome_id = None if not outcome else _entity(session, "outcome", str(outcome)).id
    if new or "frequency" in spec:
        row.frequency = checks.choice("frequency", spec.get("frequency") or "quarter",
                                      FREQUENCIES)  # fmt: skip


def _improvement(indicator: Indicator, given: Any) -> str:
    """Which way is better: as given, else the indicator's polarity."""
    if given:
        return checks.choice("improvement", given, ("down", "up"))
    if indicator.polarity is Polarity.HIGHER_IS_WORSE:
        return "down"
    if indicator.polarity is Polarity.HIGHER_IS_BETTER:
        return "up"
    raise FrameworkRejectedError(
        f"{indicator.code} is neither better higher nor lower: say which way is better "
        "(improvement down or up)"
    )


def _default_type(session: Session) -> str:
    from app.areas.overlay import finest_type

    finest = finest_type(session)
    if finest is None:
        raise FrameworkRejectedError("There are no areas yet to measure in")
    return finest[0]


# --- lookups -----------------------------------------------------------------------------


def _board(session: Session, code: str) -> Board:
    row: Board = found(session, "board", code)
    return row


def found(session: Session, entity: str, code: str) -> Any:
    """The row of ``entity`` a route names (404 when there is none)."""
    row = repo.by_code(session, entity, code.strip().lower())
    if row is None:
        raise NotFoundError(f"There is no {entity} {code!r}")
    return row


def _entity(session: Session, entity: str, code: str) -> Any:
    """The row of ``entity`` a request refers to (422 when there is none)."""
    found = repo.by_code(session, entity, code.strip().lower())
    if found is None:
        raise FrameworkRejectedError(f"There is no {entity} {code!r}")
    return found


def _indicator(session: Session, code: str) -> Indicator:
    found = indicator_repo.indicator(session, code.strip())
    if found is None:
        raise FrameworkRejectedError(f"There is no indicator {code!r} in the catalogue")
    return found


def _user(session: Session, username: str) -> Any:
    found = repo.user_named(session, username)
    if found is None or found.disabled_at is not None:
        raise FrameworkRejectedError(f"There is no (enabled) account {username!r}")
    return found
