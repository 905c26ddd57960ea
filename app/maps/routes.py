"""HTTP routes for choropleth maps."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from app.deps import OptionalPrincipalDep, SessionDep, SettingsDep
from app.maps.classify import MAX_CLASSES, MIN_CLASSES, SCHEMES
from app.maps.service import MapRequest, indicator_map, map_values

router = APIRouter(tags=["maps"])


@router.get("/maps/{indicator}", response_class=Response)
def get_map(
    indicator: str,
    session: SessionDep,
    principal: OptionalPrincipalDep,
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
        return JSONResponse(map_values(session, principal, request))
    return Response(indicator_map(session, principal, request), media_type="application/geo+json")


@router.get("/config")
def get_config(settings: SettingsDep) -> dict[str, Any]:
    """What the web page needs to know of this instance (no secrets)."""
    return {"tile_url": settings.tile_url, "tile_attribution": settings.tile_attribution}
