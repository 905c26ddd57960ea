"""HTTP routes for choropleth maps."""

from __future__ import annotations

import re
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from app.access.deps import ViewerDep
from app.demo_indicators.marking import DEMO_NOTICE, shows_demo_data
from app.deps import SessionDep, SettingsDep
from app.maps import export
from app.maps.classify import MAX_CLASSES, MIN_CLASSES, SCHEMES
from app.maps.schemas import ConfigOut, MapCollection, MapValues
from app.maps.service import MapRequest, indicator_map, map_values
from app.reports import marks
from app.responses import GEOJSON, HTML, JSON, NOT_FOUND, PNG, VIEWER_READ, ok
from app.security_headers import CSP

router = APIRouter(tags=["maps"])
# Every map reads the database as its viewer (an optional key), and may not find the map.
_MAP = {**VIEWER_READ, **NOT_FOUND}


@router.get(
    "/maps/{indicator}",
    response_class=Response,
    responses={
        **ok(
            GEOJSON,
            JSON,
            model=MapCollection | MapValues,
            description="GeoJSON (MapCollection), or with geometry=false JSON (MapValues)",
        ),
        **_MAP,
    },
)
def get_map(
    indicator: str,
    session: SessionDep,
    viewer: ViewerDep,
    type: Annotated[str | None, Query(description="Area type; default the first published")] = None,
    period: Annotated[str | None, Query(description="Period; default the newest")] = None,
    scheme: Annotated[str, Query(description=" | ".join(SCHEMES))] = "quantiles",
    classes: Annotated[int, Query(ge=MIN_CLASSES, le=MAX_CLASSES)] = 5,
    simplify: Annotated[int, Query(ge=0, le=3, description="Display level (0: full)")] = 1,
    geometry: Annotated[
        bool, Query(description="false: the legend and values by area code, no geometries")
    ] = True,
) -> Response:
    """The indicator as a choropleth: a GeoJSON FeatureCollection whose features carry
    ``value``, ``class``, ``colour`` and ``status`` (data, suppressed or no data), with a
    ``legend`` member giving the classes, their ranges and colours, and why areas have none.
    """
    request = MapRequest(indicator, type, period, scheme, classes, simplify)
    if not geometry:
        # orjson: ten times json's speed on a nation's areas (the floor of every repaint).
        values = map_values(session, viewer, request)
        body = orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY)
        return Response(body, media_type="application/json")
    # Inline (the page reads it), but named: the page's GeoJSON download saves it so.
    name = _attachment(request, "geojson")["Content-Disposition"].replace("attachment", "inline")
    return Response(
        indicator_map(session, viewer, request),
        media_type="application/geo+json",
        headers={"Content-Disposition": name},
    )


def export_request(
    indicator: str,
    type: Annotated[str | None, Query(description="Area type")] = None,
    period: Annotated[str | None, Query(description="Period; default the newest")] = None,
    scheme: Annotated[str, Query(description=" | ".join(SCHEMES))] = "quantiles",
    classes: Annotated[int, Query(ge=MIN_CLASSES, le=MAX_CLASSES)] = 5,
) -> MapRequest:
    """The map an export shows (display level 1: detailed enough for print)."""
    return MapRequest(indicator, type, period, scheme, classes, simplify=1)


ExportDep = Annotated[MapRequest, Depends(export_request)]


@router.get(
    "/maps/{indicator}/export.html",
    response_class=HTMLResponse,
    responses={**ok(HTML, description="A standalone HTML page"), **_MAP},
)
def export_html(request: ExportDep, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    """The map as a standalone HTML page (folium, scripts inlined: it opens offline)."""
    collection = export.parse(indicator_map(session, viewer, request))
    page = export.standalone_html(collection, marks.map_footer(session, collection["legend"]))
    return HTMLResponse(page.html, headers={**_attachment(request, "html"), CSP: page.policy})


@router.get(
    "/maps/{indicator}/export.png",
    response_class=Response,
    responses={**ok(PNG, description="A PNG image"), **_MAP},
)
def export_png(request: ExportDep, session: SessionDep, viewer: ViewerDep) -> Response:
    """The map as a PNG with its title and legend, for board papers."""
    collection = export.parse(indicator_map(session, viewer, request))
    body = export.png(collection, marks.map_footer(session, collection["legend"]))
    return Response(body, media_type="image/png", headers=_attachment(request, "png"))


def _attachment(request: MapRequest, extension: str) -> dict[str, str]:
    """The file's name: indicator, type and period, with the format's extension (a
    financial year's ``/``, and anything else unsafe in a name, becomes ``-``)."""
    name = "-".join(p for p in (request.indicator, request.type_code, request.period) if p)
    safe = _UNSAFE.sub("-", name).strip("-") or "map"
    return {"Content-Disposition": f'attachment; filename="{safe}.{extension}"'}


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@router.get("/config", response_model=ConfigOut)
def get_config(settings: SettingsDep, session: SessionDep) -> dict[str, Any]:
    """What the web page needs to know of this instance (no secrets); ``demo`` says the
    data are the demo's generated values (mark the page DEMO, with ``demo_notice``)."""
    demo = shows_demo_data(session)
    return {
        "tile_url": settings.tile_url,
        "tile_attribution": settings.tile_attribution,
        "map_tiles_above": settings.map_tiles_above,
        "partnership_name": settings.partnership_name,
        "demo": demo,
        "demo_notice": DEMO_NOTICE if demo else None,
    }
