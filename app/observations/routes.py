"""HTTP routes for observations and their batches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from app.deps import AnalysisDep, OptionalPrincipalDep, PrincipalDep, SessionDep, SettingsDep
from app.observations import batches, query
from app.observations.upload import upload_observations
from app.uploads import receive_upload

router = APIRouter(tags=["observations"])


@router.get("/observations", response_model=None)
def get_observations(
    request: Request,
    session: SessionDep,
    principal: OptionalPrincipalDep,
    indicator: Annotated[str, Query(description="Indicator code")],
    type: Annotated[str | None, Query(description="Area type; default the first published")] = None,
    area: Annotated[str | None, Query(description="One area's code")] = None,
    period: Annotated[str | None, Query(description="One period, e.g. 2021-03")] = None,
    from_: Annotated[str | None, Query(alias="from", description="First period")] = None,
    to: Annotated[str | None, Query(description="Last period")] = None,
) -> Response:
    """Values as JSON, or as CSV with ``Accept: text/csv``."""
    result = query.query_observations(
        session,
        principal,
        query.ObservationQuery(indicator, type, area, period, from_, to),
    )
    if "text/csv" in request.headers.get("accept", ""):
        return Response(result.as_csv(), media_type="text/csv; charset=utf-8")
    return JSONResponse(result.as_json())


@router.post("/observations", status_code=200)
async def post_observations(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    analysis: AnalysisDep,
    period: Annotated[
        str | None, Query(description="Period of a wide file that has no period column")
    ] = None,
) -> dict[str, Any]:
    """Upload values (CSV long or wide layout, or JSON): all or nothing."""
    upload = await receive_upload(request, settings.max_upload_bytes)
    try:
        result = await run_in_threadpool(
            upload_observations, session, principal, upload, default_period=period
        )
    finally:
        upload.data.close()
    if result.changed:
        analysis.after_change(result.batch_id, principal.actor)
    return {
        "batch": result.batch_id,
        "changed": result.changed,
        "rows": result.rows,
        "inserted": result.inserted,
        "revised": result.revised,
        "unchanged": result.unchanged,
        "notes": result.notes,
        "message": result.message,
    }


@router.get("/batches")
def list_batches(
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Uploads, newest first: an agency's own, or everyone's for administrators."""
    return batches.list_batches(session, principal, limit)


@router.get("/batches/{batch_id}")
def get_batch(batch_id: int, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return batches.batch_out(batches.get_batch(session, principal, batch_id))


@router.post("/batches/{batch_id}/revert")
def revert_batch(
    batch_id: int, session: SessionDep, principal: PrincipalDep, analysis: AnalysisDep
) -> dict[str, Any]:
    """Withdraw a batch's values and restore those it replaced (recorded as a new batch)."""
    revert = batches.revert_batch(session, principal, batch_id)
    analysis.after_change(revert["id"], principal.actor)
    return revert
