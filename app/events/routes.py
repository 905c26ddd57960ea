"""HTTP routes for point events."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from app.deps import PrincipalDep, SessionDep, SettingsDep
from app.events.service import upload_events
from app.uploads import receive_upload

router = APIRouter(tags=["events"])


@router.post("/events")
async def post_events(
    request: Request, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
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
    return result.as_json()
