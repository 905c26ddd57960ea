"""HTTP routes of the performance framework: parse, call a service, shape the output.
Partners read everything here; administrators set the structure, board members issue
reports and register interests, action owners give updates (:mod:`app.access.policy`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import HTMLResponse

from app.access.deps import ViewerDep
from app.deps import MAX_INT, SessionDep
from app.framework import actions, assessments, rendering, report, service
from app.framework.schemas import (
    ActionIn,
    ActionOut,
    ActionPatch,
    BoardIn,
    BoardOut,
    BoardPatch,
    InterestIn,
    IssuedOut,
    LinkIn,
    MeasureIn,
    MeasureOut,
    MeasurePatch,
    MeasureRisksOut,
    MeetingIn,
    MemberIn,
    OutcomeIn,
    OutcomeOut,
    ReportOut,
    RevisionOut,
    TargetIn,
    UpdateIn,
    UpdateOut,
)
from app.responses import HTML, PARTNER, ok, problems
from app.security_headers import CSP

router = APIRouter(prefix="/framework", tags=["performance framework"], responses=PARTNER)

Code = Annotated[str, Path(max_length=200, description="The code it was given")]
At = Annotated[
    datetime | None,
    Query(description="The report as it stood at this time (ISO 8601); default now"),
]
OnDay = Annotated[date | None, Query(description="The meeting's day; default the next")]
WRITE = problems(404, 409, 422)


def _spec(body: Any) -> dict[str, Any]:
    """The fields the body set (a PATCH changes only those), without ``version``."""
    spec: dict[str, Any] = body.model_dump(exclude_unset=True, mode="json")
    spec.pop("version", None)
    return spec


# --- boards ------------------------------------------------------------------------------


@router.get("/boards", response_model=list[BoardOut])
def list_boards(session: SessionDep, viewer: ViewerDep) -> Any:
    """The delivery boards, with members, meetings and registered interests."""
    return service.boards(session, viewer)


@router.post("/boards", status_code=201, response_model=BoardOut, responses=WRITE)
def create_board(body: BoardIn, session: SessionDep, viewer: ViewerDep) -> Any:
    """Make a delivery board (administrators)."""
    return service.create_board(session, viewer, _spec(body))


@router.get("/boards/{code}", response_model=BoardOut, responses=problems(404))
def get_board(code: Code, session: SessionDep, viewer: ViewerDep) -> Any:
    return service.board(session, viewer, code)


@router.patch("/boards/{code}", response_model=BoardOut, responses=WRITE)
def update_board(code: Code, body: BoardPatch, session: SessionDep, viewer: ViewerDep) -> Any:
    return service.update_board(session, viewer, code, _spec(body), body.version)


@router.post("/boards/{code}/members", response_model=BoardOut, responses=WRITE)
def add_member(code: Code, body: MemberIn, session: SessionDep, viewer: ViewerDep) -> Any:
    """Add a signed-in user to the board, as chair or member (administrators)."""
    return service.add_member(session, viewer, code, body.username, body.role)


@router.post("/boards/{code}/meetings", response_model=BoardOut, responses=WRITE)
def add_meeting(code: Code, body: MeetingIn, session: SessionDep, viewer: ViewerDep) -> Any:
    """Add a meeting, and the day owners' updates are due for it (board members)."""
    return service.add_meeting(session, viewer, code, body.meets_on, body.updates_due)


@router.post("/boards/{code}/interests", response_model=BoardOut, responses=WRITE)
def add_interest(code: Code, body: InterestIn, session: SessionDep, viewer: ViewerDep) -> Any:
    """Register the board's interest in an action, measure, indicator or area (members)."""
    return service.add_interest(session, viewer, code, {"kind": body.kind, "code": body.code})


@router.delete("/boards/{code}/interests/{interest_id}", status_code=204, responses=WRITE)
def remove_interest(
    code: Code,
    interest_id: Annotated[int, Path(ge=0, le=MAX_INT)],
    session: SessionDep,
    viewer: ViewerDep,
) -> Response:
    service.remove_interest(session, viewer, code, interest_id)
    return Response(status_code=204)


@router.get("/boards/{code}/report", response_model=ReportOut, responses=problems(404))
def get_report(
    code: Code, session: SessionDep, viewer: ViewerDep, at: At = None, meeting: OnDay = None
) -> Any:
    """The board's report: its measures' risks with reasons, trajectories, the actions'
    latest updates, innovation flags and alerts; with ``at``, as it stood then, and the
    revisions made since."""
    return report.board_report(session, viewer, code, at=at, meeting=meeting)


@router.get(
    "/boards/{code}/report.html",
    response_class=HTMLResponse,
    responses={**ok(HTML), **problems(404)},
)
def get_report_html(
    code: Code, session: SessionDep, viewer: ViewerDep, at: At = None, meeting: OnDay = None
) -> HTMLResponse:
    """The report as a page to read or print (A4)."""
    page = _page(session, viewer, code, at, meeting)
    return HTMLResponse(page, headers={CSP: rendering.page_policy(page)})


@router.get(
    "/boards/{code}/report.pdf",
    response_class=Response,
    responses={**ok("application/pdf"), **problems(404, 503)},
)
def get_report_pdf(
    code: Code, session: SessionDep, viewer: ViewerDep, at: At = None, meeting: OnDay = None
) -> Response:
    """The report as a PDF (A4), printed by headless Chromium."""
    pdf = rendering.report_pdf(_page(session, viewer, code, at, meeting))
    name = f"{code}-report-{(at or datetime.now()).date().isoformat()}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_safe(name)}"'},
    )


def _page(session: Any, viewer: Any, code: str, at: datetime | None, meeting: date | None) -> str:
    found = report.board_report(session, viewer, code, at=at, meeting=meeting)
    return rendering.report_html(found, demo=report.is_demo(session))


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


@router.post("/boards/{code}/reports", status_code=201, response_model=ReportOut, responses=WRITE)
def issue_report(code: Code, session: SessionDep, viewer: ViewerDep, meeting: OnDay = None) -> Any:
    """Issue the board's report now (members): its measures are assessed afresh and
    recorded, with the data batch and analysis run the report saw."""
    return report.issue(session, viewer, code, meeting)


@router.get("/boards/{code}/reports", response_model=list[IssuedOut], responses=problems(404))
def list_reports(code: Code, session: SessionDep, viewer: ViewerDep) -> Any:
    """The board's issued reports, newest first (regenerate one with ``report?at=``)."""
    return report.issued(session, viewer, code)


# --- outcomes and measures ---------------------------------------------------------------


@router.get("/outcomes", response_model=list[OutcomeOut])
def list_outcomes(session: SessionDep, viewer: ViewerDep) -> Any:
    return service.outcomes(session, viewer)


@router.post("/outcomes", status_code=201, response_model=OutcomeOut, responses=WRITE)
def create_outcome(body: OutcomeIn, session: SessionDep, viewer: ViewerDep) -> Any:
    return service.create_outcome(session, viewer, _spec(body))


@router.get("/measures", response_model=list[MeasureOut])
def list_measures(session: SessionDep, viewer: ViewerDep) -> Any:
    """The measures of indicators the viewer may see, with their targets."""
    return service.measures(session, viewer)


@router.post("/measures", status_code=201, response_model=MeasureOut, responses=WRITE)
def create_measure(body: MeasureIn, session: SessionDep, viewer: ViewerDep) -> Any:
    """Make a measure of an indicator, in a scope, as a statistic (administrators)."""
    return service.create_measure(session, viewer, _spec(body))


@router.get("/measures/{code}", response_model=MeasureOut, responses=problems(404))
def get_measure(code: Code, session: SessionDep, viewer: ViewerDep) -> Any:
    return service.measure(session, viewer, code)


@router.patch("/measures/{code}", response_model=MeasureOut, responses=WRITE)
def update_measure(code: Code, body: MeasurePatch, session: SessionDep, viewer: ViewerDep) -> Any:
    return service.update_measure(session, viewer, code, _spec(body), body.version)


@router.post("/measures/{code}/targets", response_model=MeasureOut, responses=WRITE)
def set_target(code: Code, body: TargetIn, session: SessionDep, viewer: ViewerDep) -> Any:
    """Set the target (or a milestone) due in a period, replacing the one due then."""
    return service.set_target(session, viewer, code, _spec(body))


@router.get("/measures/{code}/risks", response_model=MeasureRisksOut, responses=problems(404))
def get_risks(code: Code, session: SessionDep, viewer: ViewerDep) -> Any:
    """The measure's three risks from the data as they stand, each with its reason."""
    return assessments.measure_risks(session, viewer, code)


# --- actions -----------------------------------------------------------------------------


@router.get("/actions", response_model=list[ActionOut])
def list_actions(session: SessionDep, viewer: ViewerDep) -> Any:
    return actions.actions(session, viewer)


@router.post("/actions", status_code=201, response_model=ActionOut, responses=WRITE)
def create_action(body: ActionIn, session: SessionDep, viewer: ViewerDep) -> Any:
    """Open an action (a signed-in officer; its owner), perhaps from an alert (``alert``):
    the alert's areas become the action's."""
    return actions.create_action(session, viewer, _spec(body))


@router.get("/actions/{code}", response_model=ActionOut, responses=problems(404))
def get_action(code: Code, session: SessionDep, viewer: ViewerDep) -> Any:
    """The action with its links and every update, newest first."""
    return actions.action(session, viewer, code)


@router.patch("/actions/{code}", response_model=ActionOut, responses=WRITE)
def update_action(code: Code, body: ActionPatch, session: SessionDep, viewer: ViewerDep) -> Any:
    return actions.update_action(session, viewer, code, _spec(body), body.version)


@router.post("/actions/{code}/measures", response_model=ActionOut, responses=WRITE)
def link_measure(code: Code, body: LinkIn, session: SessionDep, viewer: ViewerDep) -> Any:
    """Link the action to a measure it should move, the way and after what lag."""
    return actions.link_measure(session, viewer, code, _spec(body))


@router.post("/actions/{code}/updates", status_code=201, response_model=UpdateOut, responses=WRITE)
def add_update(code: Code, body: UpdateIn, session: SessionDep, viewer: ViewerDep) -> Any:
    """The owner's one update for a reporting cycle (immutable once given)."""
    return actions.add_update(session, viewer, code, _spec(body))


# --- history -----------------------------------------------------------------------------


@router.get("/revisions/{entity}/{code}", response_model=list[RevisionOut], responses=problems(404))
def list_revisions(
    entity: Annotated[str, Path(pattern="^(board|outcome|measure|action)$")],
    code: Code,
    session: SessionDep,
    viewer: ViewerDep,
) -> Any:
    """Every change to one board, outcome, measure or action: what it became, who, when."""
    return service.revisions(session, viewer, entity, code)
