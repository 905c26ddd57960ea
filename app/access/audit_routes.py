"""``GET /api/audit``: the audit trail, for administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.access.audited import read_trail
from app.access.deps import PartnerDep
from app.audit import service
from app.audit.repository import AuditFilter
from app.audit.schemas import AuditPage
from app.deps import MAX_INT, Offset, SessionDep
from app.responses import CSV, JSON, PARTNER, ok

router = APIRouter(tags=["audit"])

Text = Annotated[str | None, Query(max_length=200)]


@router.get(
    "/audit",
    response_model=AuditPage,
    responses={**ok(JSON, CSV, model=AuditPage), **PARTNER},
)
def audit_trail(
    session: SessionDep,
    viewer: PartnerDep,
    since: Annotated[datetime | None, Query(description="From this time (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="Before this time")] = None,
    actor: Annotated[
        str | None, Query(max_length=200, description="e.g. user jo, key 1a2b3c4d")
    ] = None,
    action: Annotated[
        str | None, Query(max_length=200, description="sign-in, read, upload, key.create...")
    ] = None,
    outcome: Annotated[
        str | None, Query(max_length=20, description="ok, refused, throttled")
    ] = None,
    indicator: Text = None,
    channel: Annotated[
        str | None, Query(max_length=20, description="api, map, ogc, tile, download, export, cli")
    ] = None,
    agency: Text = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
    offset: Offset = 0,
    format: Annotated[Literal["json", "csv"], Query(description="json or csv")] = "json",
) -> Any:
    """What happened, newest first: sign-ins (and failed ones), every read of restricted
    data, uploads, reverts, key and account changes. Administrators only."""
    assert offset <= MAX_INT
    found = read_trail(
        session, viewer,
        AuditFilter(since, until, actor, action, outcome, indicator, channel, agency, limit,
                    offset),
    )  # fmt: skip
    if format == "csv":
        return Response(
            service.as_csv(found["events"]),
            media_type=CSV,
            headers={"Content-Disposition": 'attachment; filename="nis-audit.csv"'},
        )
    return found
