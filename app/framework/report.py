"""A board's performance report: the measures it leads or registered an interest in
(risk levels with reasons, trajectory, milestones, projection), the actions with their
latest updates (the one row each, whichever board reports it), innovation flags, and the
NIS alerts in the board's areas and indicators.

A report is built as the framework stood at a time (``at``; now by default) from what was
recorded by then: the framework's revisions, the owners' updates, the measures'
assessments and the newest analysis run. Issuing a report (:func:`issue`) records fresh
assessments and the report itself, so that the report regenerated at its issue time is
what the board saw, and lists the revisions made since.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.analysis.repository import AlertFilter
from app.analysis.service import list_alerts
from app.errors import NotFoundError
from app.framework import assessments, history, risks
from app.framework import repository as repo
from app.framework.models import Report
from app.framework.series import Memo
from app.framework.service import hidden_measures, may_see_measure, seen_action, seen_board
from app.reports import marks

SOURCE = "Neighbourhood Information System: the partnership's performance framework"
MAX_ALERTS = 50


def board_report(
    session: Session,
    viewer: Viewer,
    code: str,
    *,
    at: datetime | None = None,
    meeting: date | None = None,
) -> dict[str, Any]:
    """The report of board ``code`` as it stood at ``at`` (now when None)."""
    policy.require_partner(viewer)
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    boards = history.as_of(session, "board", at)
    board = next((b for b in boards.values() if b["code"] == code.strip().lower()), None)
    if board is None:
        raise NotFoundError(f"There is no board {code!r}" + (f" at {at}" if at else ""))
    board = seen_board(session, viewer, board)
    measures_all = history.as_of(session, "measure", at)
    actions_all = history.as_of(session, "action", at)
    interests = board["interests"]
    wanted = {i["measure"] for i in interests if i["kind"] == "measure"}
    measures = [
        m
        for m in sorted(measures_all.values(), key=lambda m: m["code"])
        if (m["lead_board"] == board["code"] or m["code"] in wanted)
        and may_see_measure(session, viewer, m)
    ]
    codes = {m["code"] for m in measures}
    action_codes = {i["action"] for i in interests if i["kind"] == "action"}
    actions = [
        a
        for a in sorted(actions_all.values(), key=lambda a: a["code"])
        if a["code"] in action_codes or any(link["measure"] in codes for link in a["measures"])
    ]
    updates = _latest_updates(session, [a["id"] for a in actions], at)
    judged = _assessments(session, measures, actions_all, at)
    flags = repo.open_flags(session, [m["id"] for m in measures], at)
    mark, run = repo.batch_mark(session, at), repo.run_at(session, at)
    issued = None if at is None else repo.issued_report_at(session, int(board["id"]), at)
    if issued is not None:
        # The report issued then: exactly what it recorded it showed.
        content = issued.content or {}
        judged |= repo.assessments_by_id(session, content.get("assessments") or [])
        updates |= repo.updates_by_id(session, content.get("updates") or [])
        mark, run = issued.batch_mark, issued.run_id
    shown_measures = []
    for m in measures:
        found = judged.get(m["id"])
        shown_measures.append(
            {
                "measure": m,
                "risks": None if found is None else found["result"],
                "assessed_at": None if found is None else found["assessed_at"],
                "assessment": None if found is None else found["id"],
                "led": m["lead_board"] == board["code"],
                "flag": flags.get(m["id"]),
            }
        )
    shown_actions = [
        {
            "action": seen_action(session, viewer, a),
            "latest_update": updates.get(a["id"]),
            "interest": a["code"] in action_codes,
        }
        for a in actions
    ]
    out: dict[str, Any] = {
        "board": board,
        "meeting": _meeting(board, at, meeting),
        "as_of": at,
        "generated_at": repo.now(session) if at is None else at,
        "batch_mark": mark,
        "run": run,
        "measures": shown_measures,
        "actions": shown_actions,
        "flags": [
            {"measure": m["measure"]["code"], "title": m["measure"]["title"], **m["flag"]}
            for m in shown_measures
            if m["flag"]
        ],
        "alerts": _alerts(session, viewer, board, measures, run),
        "source": SOURCE,
        "marking": policy.MARKING,
        "revisions_since": _since(session, viewer, at, mark, measures) if at else None,
    }
    return out


def issue(
    session: Session, viewer: Viewer, code: str, meeting: date | None = None
) -> dict[str, Any]:
    """Issue the board's report now: assess its measures afresh, record them and the
    report (the batch and run it saw), and return it."""
    board = _board_row(session, code)
    policy.require_board_member(
        viewer, repo.is_member(session, int(board.id), viewer.user_id), str(board.name)
    )
    preview = board_report(session, viewer, code, meeting=meeting)
    codes = [m["measure"]["code"] for m in preview["measures"]]
    assessments.assess_measures(session, viewer, codes, reported=True)
    report = board_report(session, viewer, code, meeting=meeting)
    at = repo.now(session)
    meeting_id = (report["meeting"] or {}).get("id")
    row = Report(
        board_id=board.id, meeting_id=meeting_id, issued_by=viewer.actor,
        batch_mark=report["batch_mark"], run_id=report["run"],
        content={
            "assessments": [m["assessment"] for m in report["measures"]],
            "updates": [a["latest_update"]["id"] for a in report["actions"] if a["latest_update"]],
            "alerts": [a["id"] for a in report["alerts"]],
        },
    )  # fmt: skip
    session.add(row)
    session.flush()
    return {**report, "report": {"id": row.id, "issued_at": at, "issued_by": viewer.actor}}


def issued(session: Session, viewer: Viewer, code: str) -> list[dict[str, Any]]:
    """The board's issued reports, newest first."""
    policy.require_partner(viewer)
    board = _board_row(session, code)
    return repo.issued_reports(session, int(board.id))


def _board_row(session: Session, code: str) -> Any:
    row = repo.by_code(session, "board", code.strip().lower())
    if row is None:
        raise NotFoundError(f"There is no board {code!r}")
    return row


def _assessments(
    session: Session,
    measures: list[dict[str, Any]],
    actions_all: dict[int, dict[str, Any]],
    at: datetime | None,
) -> dict[int, dict[str, Any]]:
    """Each measure's assessment: as recorded by ``at``; for a report of now, the newest
    recorded one while it is current (no data or framework change since), else
    computed now (and not recorded)."""
    ids = [m["id"] for m in measures]
    recorded = assessments.assessments_at(session, ids, at)
    if at is not None:
        return recorded
    reported = repo.latest_assessments(session, ids, reported=True)
    mark = repo.batch_mark(session, None)
    changed = repo.last_changes(session)
    memo = Memo()
    out = {}
    for m in measures:
        found = recorded.get(m["id"])
        linked = assessments.linked_actions(actions_all, m["code"])
        newest = max(
            [changed.get(("measure", m["id"]))]
            + [changed.get(("action", a["id"])) for a in linked],
            key=lambda t: t or datetime.min.replace(tzinfo=UTC),
        )
        if (
            found is not None
            and found["batch_mark"] == mark
            and (newest is None or newest <= found["assessed_at"])
        ):
            out[m["id"]] = found
            continue
        before = reported.get(m["id"])
        result = risks.assess(session, m, linked, before[0] if before else None, memo)
        out[m["id"]] = {"id": None, "assessed_at": repo.now(session), "result": result}
    return out


def _latest_updates(
    session: Session, action_ids: list[int], at: datetime | None
) -> dict[int, dict[str, Any]]:
    latest: dict[int, dict[str, Any]] = {}
    for u in repo.updates(session, action_ids, at):
        latest.setdefault(int(u["action_id"]), u)
    return latest


def _meeting(
    board: dict[str, Any], at: datetime | None, given: date | None
) -> dict[str, Any] | None:
    """The meeting the report is for: the one named, else the next on or after the day."""
    day = (at or datetime.now(UTC)).date()
    meetings = board["meetings"]
    if given is not None:
        chosen = [m for m in meetings if m["meets_on"] == given.isoformat()]
        if not chosen:
            raise NotFoundError(f"{board['name']} has no meeting on {given}")
        return dict(chosen[0])
    ahead = [m for m in meetings if m["meets_on"] >= day.isoformat()]
    return dict(ahead[0]) if ahead else (dict(meetings[-1]) if meetings else None)


def _alerts(
    session: Session,
    viewer: Viewer,
    board: dict[str, Any],
    measures: list[dict[str, Any]],
    run: int | None,
) -> list[dict[str, Any]]:
    """The alerts of ``run`` the viewer may see that fall in the board's areas (or in
    the small areas within them) or are of its indicators."""
    if run is None:
        return []
    interests = board["interests"]
    indicators = {i["indicator"] for i in interests if i["kind"] == "indicator"}
    indicators |= {m["indicator"] for m in measures}
    area_ids = [int(i["area_id"]) for i in interests if i["kind"] == "area" and i["area_id"]]
    areas = repo.area_codes_within(session, area_ids)
    seen = list_alerts(session, viewer, AlertFilter(run_id=run, limit=100_000))["alerts"]
    chosen = []
    for a in seen:
        in_area = a.get("area_code") in areas or bool(
            set((a.get("stats") or {}).get("areas") or []) & areas
        )
        of_indicator = bool(set(a["indicators"]) & indicators)
        if in_area or of_indicator:
            chosen.append(
                {k: a.get(k) for k in ("id", "kind", "area_code", "area_name", "indicators",
                                       "sentence", "q", "period_to", "created_at")}
                | {"why": "in the board's areas" if in_area else "of the board's indicators"}
            )  # fmt: skip
    return chosen[:MAX_ALERTS]


def _since(
    session: Session,
    viewer: Viewer,
    at: datetime,
    mark: int | None,
    measures: list[dict[str, Any]],
) -> dict[str, Any]:
    """What changed after ``at``: the framework's revisions (not of measures the viewer
    may not see), and the batches that wrote values of the report's indicators or
    reverted a batch that had."""
    indicators = sorted({m["indicator"] for m in measures})
    hidden = hidden_measures(session, viewer)
    return {
        "framework": [
            r
            for r in history.since(session, at)
            if not (r["entity"] == "measure" and r["code"] in hidden)
        ],
        "batches": repo.batches_since(session, mark, indicators),
    }


def is_demo(session: Session) -> bool:
    """Whether the data include the demo's generated values (the report is marked DEMO)."""
    return marks.is_demo(session)
