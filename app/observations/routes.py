"""HTTP routes for reading observations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from app.access.deps import ViewerDep
from app.deps import SessionDep
from app.observations import query
from app.observations.schemas import ObservationsOut
from app.responses import CSV, JSON, NOT_FOUND, VIEWER_READ, ok

router = APIRouter(tags=["observations"])


@router.get(
    "/observations",
    response_model=None,
    responses={**ok(JSON, CSV, model=ObservationsOut), **VIEWER_READ, **NOT_FOUND},
)
def get_observations(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
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
        viewer,
        query.ObservationQuery(indicator, type, area, period, from_, to),
    )
    if "text/csv" in request.headers.get("accept", ""):
        return Response(result.as_csv(), media_type="text/csv; charset=utf-8")
    return JSONResponse(result.as_json())
