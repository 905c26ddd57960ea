"""HTTP routes for alerts, analysis runs and area profiles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.access import policy
from app.access.deps import PartnerDep, ViewerDep
from app.analysis import acknowledgements, compare_areas, profile, service
from app.analysis.params import AnalysisParams
from app.analysis.repository import AlertFilter
from app.analysis.schemas import (
    AcknowledgementIn,
    AlertHistoryOut,
    AlertOut,
    AlertsOut,
    AssignmentIn,
    ProfileOut,
    RunListed,
    RunOut,
)
from app.deps import MAX_INT, Offset, RunId, SessionDep
from app.responses import NOT_FOUND, PARTNER, VIEWER_READ

router = APIRouter(tags=["analysis"])
AlertId = Annotated[int, Path(ge=0, le=MAX_INT, description="An alert's id")]


@router.get("/alerts", response_model=AlertsOut, responses={**VIEWER_READ, **NOT_FOUND})
def get_alerts(
    session: SessionDep,
    viewer: ViewerDep,
    area: Annotated[str | None, Query(description="One area's code")] = None,
    indicator: Annotated[str | None, Query(description="Alerts involving this indicator")] = None,
    agency: Annotated[str | None, Query(description="Alerts involving this agency")] = None,
    kind: Annotated[
        str | None, Query(description="deterioration | correlated | hotspot | gap")
    ] = None,
    area_type: Annotated[
        str | None, Query(description="Alerts found at this area type (lsoa, ward, ...)")
    ] = None,
    run: Annotated[
        int | None, Query(ge=0, le=MAX_INT, description="A run's id; default the newest")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Alerts of the newest finished analysis run (or of ``run``), newest and surest
    first; each names the area type it was found at (a run analyses several). Without a
    key, alerts that involve partners-only indicators are left out."""
    return service.list_alerts(
        session,
        viewer,
        AlertFilter(run, area, indicator, agency, kind, area_type, limit=limit, offset=offset),
    )


@router.post(
    "/alerts/{alert_id}/acknowledgements",
    status_code=201,
    response_model=AlertOut,
    responses={**PARTNER, **NOT_FOUND},
)
def acknowledge_alert(
    alert_id: AlertId, session: SessionDep, viewer: ViewerDep, body: AcknowledgementIn | None = None
) -> dict[str, Any]:
    """Acknowledge an alert, with an optional note (signed-in officers of any role, not
    API keys). It stays acknowledged while later runs raise it again; the history keeps
    every acknowledgement. Returns the alert as it now stands."""
    return acknowledgements.acknowledge(session, viewer, alert_id, body.note if body else None)


@router.post(
    "/alerts/{alert_id}/assignment", response_model=AlertOut, responses={**PARTNER, **NOT_FOUND}
)
def assign_alert(
    alert_id: AlertId, body: AssignmentIn, session: SessionDep, viewer: ViewerDep
) -> dict[str, Any]:
    """Assign an alert to an officer's account, by user name or id (signed-in officers,
    not API keys); a new assignment replaces the last, which the history keeps."""
    return acknowledgements.assign(session, viewer, alert_id, body.user)


@router.get(
    "/alerts/{alert_id}/history",
    response_model=AlertHistoryOut,
    responses={**PARTNER, **NOT_FOUND},
)
def alert_history(alert_id: AlertId, session: SessionDep, viewer: PartnerDep) -> dict[str, Any]:
    """Everything officers did about the alert (in its series of runs), oldest first:
    acknowledgements with their notes and assignments, by whom and when (partners)."""
    return acknowledgements.history(session, viewer, alert_id)


class RunRequest(BaseModel):
    area_types: list[str] = Field(
        default_factory=list,
        max_length=20,
        description=(
            "Area types to analyse, each with its own false discovery rate; default the "
            "most numerous and the first of ward, neighbourhood, msoa the city has"
        ),
    )
    area_type: str | None = Field(
        None, description="One area type to analyse (the same as area_types of one)"
    )
    q: float = Field(0.05, gt=0, lt=1, description="False discovery rate")
    deprivation_groups: int = Field(5, description="5 (quintiles) or 10 (deciles)")
    permutations: int = Field(999, ge=0, le=9999)
    min_expected: float = Field(10.0, ge=0, description="No test below this expected count")

    def params(self) -> AnalysisParams:
        """The run's parameters: ``area_type`` is one more of ``area_types``."""
        asked = self.model_dump(exclude={"area_type", "area_types"})
        one = () if self.area_type is None else (self.area_type,)
        return AnalysisParams(area_types=(*self.area_types, *one), **asked)


@router.post("/analysis/runs", status_code=201, response_model=RunOut, responses=PARTNER)
async def start_run(
    session: SessionDep, viewer: PartnerDep, body: RunRequest | None = None
) -> dict[str, Any]:
    """Run the analysis now (administrators); returns the finished run."""
    policy.require_admin(viewer)
    params = (body or RunRequest()).params()
    outcome = await run_in_threadpool(
        service.run_analysis, session, params, trigger="api", actor=viewer.actor
    )
    session.flush()
    return service.get_run(session, viewer, outcome.run_id)


@router.get("/analysis/runs", response_model=list[RunListed], responses=PARTNER)
def list_runs(
    session: SessionDep,
    viewer: PartnerDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[dict[str, Any]]:
    """Analysis runs, newest first, with their parameters (partners and administrators)."""
    return service.list_runs(session, viewer, limit)


@router.get("/analysis/runs/{run_id}", response_model=RunOut, responses={**PARTNER, **NOT_FOUND})
def get_run(run_id: RunId, session: SessionDep, viewer: PartnerDep) -> dict[str, Any]:
    """One run: parameters, what it saw, what it found."""
    return service.get_run(session, viewer, run_id)


@router.get(
    "/areas/{code}/profile", response_model=ProfileOut, responses={**VIEWER_READ, **NOT_FOUND}
)
def get_profile(code: str, session: SessionDep, viewer: ViewerDep) -> dict[str, Any]:
    """Every indicator's latest value for one area, compared with the city, its trend,
    and the area's alerts."""
    return profile.area_profile(session, viewer, code)


@router.get(
    "/indicators/{code}/compare",
    response_model=compare_areas.CompareOut,
    responses={**VIEWER_READ, **NOT_FOUND},
)
def get_compare(
    code: str,
    session: SessionDep,
    viewer: ViewerDep,
    type: Annotated[str | None, Query(description="Area type; default the first published")] = None,
    period: Annotated[str | None, Query(description="Period; default the newest")] = None,
) -> dict[str, Any]:
    """Every area of a type for one indicator and period with its value and 95% interval
    (a sortable bar chart), highest first, beside the city's value: what the map shows
    the viewer, suppressed and partners-only values withheld as there."""
    return compare_areas.compare_areas(session, viewer, code, type, period)
