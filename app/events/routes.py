"""HTTP routes for point events."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from app.deps import AnalysisDep, PrincipalDep, SessionDep, SettingsDep
from app.errors import InvalidParameterError
from app.events import service
from app.events.service import upload_events
from app.uploads import receive_upload

router = APIRouter(tags=["events"])


@router.post("/events")
async def post_events(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    analysis: AnalysisDep,
) -> dict[str, Any]:
    """Upload point events (a police.uk street-level CSV as downloaded, gzipped or not; a
    CSV with longitude/latitude or easting/northing, category and date; GeoJSON points).
    They are counted per area and month into the indicators whose event categories match.
    """
    upload = await receive_upload(request, settings.max_upload_bytes)
    try:
        result = await run_in_threadpool(upload_events, session, principal, upload)
    finally:
        upload.data.close()
    analysis.after_change(result.batch_id, principal.actor)
    return result.as_json()


@router.post("/events/recount")
def recount_events(
    session: SessionDep, principal: PrincipalDep, analysis: AnalysisDep, agency: str | None = None
) -> dict[str, Any]:
    """Count the agency's kept events again into the newest boundaries (for example after
    a new boundary vintage is imported). Administrators name the agency."""
    name = agency or principal.agency
    if name is None:
        raise InvalidParameterError("Name the agency whose events to recount (?agency=)")
    result = service.recount_events(session, principal, name)
    analysis.after_change(result.batch_id, principal.actor)
    return result.as_json()
