"""HTTP routes of the neighbourhood report: a page to print, and its PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from app.access.deps import ViewerDep
from app.access.viewer import Viewer
from app.area_report import rendering, service
from app.deps import SessionDep
from app.reports.rendering import page_policy
from app.responses import HTML, NOT_FOUND, VIEWER_READ, ok, problems
from app.security_headers import CSP

router = APIRouter(tags=["areas"])
Indicator = Annotated[
    str | None,
    Query(description="The indicator the map is coloured by; default the first alert's, "
                      "else the first with a value"),
]  # fmt: skip


@router.get(
    "/areas/{code}/report.html",
    response_class=HTMLResponse,
    responses={**ok(HTML), **VIEWER_READ, **NOT_FOUND},
)
def get_area_report_html(
    code: str, session: SessionDep, viewer: ViewerDep, indicator: Indicator = None
) -> HTMLResponse:
    """The area's neighbourhood report as a page to read or print (two A4 pages): a map
    among its neighbours, its alerts, trend charts and its profile, with the footer."""
    page = _page(session, viewer, code, indicator)
    return HTMLResponse(page, headers={CSP: page_policy(page)})


@router.get(
    "/areas/{code}/report.pdf",
    response_class=Response,
    responses={**ok("application/pdf"), **VIEWER_READ, **NOT_FOUND, **problems(503)},
)
def get_area_report_pdf(
    code: str, session: SessionDep, viewer: ViewerDep, indicator: Indicator = None
) -> Response:
    """The neighbourhood report as a PDF (A4), printed by headless Chromium."""
    pdf = rendering.report_pdf(_page(session, viewer, code, indicator))
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in code)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}-report.pdf"'},
    )


def _page(session: SessionDep, viewer: Viewer, code: str, indicator: str | None) -> str:
    return rendering.report_html(service.area_report(session, viewer, code, indicator))
