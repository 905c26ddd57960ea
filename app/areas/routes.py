"""HTTP routes for areas: parse, call the service, shape the output."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response, StreamingResponse

from app.access.deps import ViewerDep
from app.areas import search, service
from app.areas.schemas import AreaNamesOut, AreaSearchOut, AreaTypeOut
from app.contracts import Feature, FeatureCollection
from app.deps import EngineDep, SessionDep, SettingsDep, Vintage
from app.responses import GEOJSON, NOT_FOUND, VIEWER_READ, ok

router = APIRouter(tags=["areas"], responses=VIEWER_READ)


@router.get("/area-types", response_model=list[AreaTypeOut])
def list_area_types(session: SessionDep, viewer: ViewerDep) -> list[dict[str, object]]:
    """Area types, their place in the hierarchy and the vintages loaded."""
    return service.list_area_types(session, viewer)


@router.get(
    "/area-types/{type_code}/names",
    response_model=AreaNamesOut,
    responses=NOT_FOUND,
    summary="Every area's name by code, without geometries",
)
def list_area_names(
    session: SessionDep,
    viewer: ViewerDep,
    type_code: Annotated[str, Path(description="Area type code, e.g. lsoa")],
    vintage: Vintage = None,
) -> dict[str, Any]:
    """Names by code of one area type (newest vintage by default), for finding an area by
    name where the map draws the type from vector tiles and holds no GeoJSON of it."""
    return service.area_names(session, viewer, type_code, vintage)


@router.get(
    "/areas",
    response_class=StreamingResponse,
    responses={**ok(GEOJSON, model=FeatureCollection, description="RFC 7946"), **NOT_FOUND},
    summary="Areas of one type as a GeoJSON FeatureCollection",
)
def list_areas(
    session: SessionDep,
    viewer: ViewerDep,
    engine: EngineDep,
    settings: SettingsDep,
    type: Annotated[str, Query(description="Area type code, e.g. lsoa, ward")],
    bbox: Annotated[
        str | None, Query(description="minx,miny,maxx,maxy in longitude/latitude")
    ] = None,
    parent: Annotated[
        str | None, Query(description="Only areas below the area with this code")
    ] = None,
    simplify: Annotated[
        int, Query(ge=0, description="Display level: 0 full detail, 1-3 ever simpler")
    ] = 0,
    vintage: Vintage = None,
) -> StreamingResponse:
    query = service.resolve_area_query(
        session,
        viewer,
        service.AreaFilter(type, vintage=vintage, bbox=bbox, parent=parent, simplify=simplify),
        settings.geojson_precision,
    )
    return StreamingResponse(
        service.feature_collection_chunks(engine, query, settings.stream_batch_rows),
        media_type=GEOJSON,
    )


# Before /areas/{code}, which would otherwise take "search" for a code.
@router.get(
    "/areas/search",
    response_model=AreaSearchOut,
    summary="Find areas of every type by part of their name or code, or by postcode",
)
def search_areas(
    session: SessionDep,
    viewer: ViewerDep,
    q: Annotated[
        str,
        Query(
            description=(
                "Part of an area's name or code, in any case (`burngreave`, `032c`); or a "
                "full postcode (`S4 7AA`, `s47aa`) once a postcode directory is imported. "
                f"At most {search.MAX_QUERY_CHARS} characters; `%` and `_` match themselves"
            ),
        ),
    ],
    limit: Annotated[
        int, Query(ge=1, le=search.MAX_LIMIT, description="The most areas a name search returns")
    ] = search.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Areas of the newest vintage of every type whose code or name holds `q`: exact
    codes first, then exact names, names or codes that start with it, names with a word
    that does, and the rest; shorter names first. A postcode of the directory finds the
    areas holding it: the LSOA the directory names and, of every other type, the area
    whose boundary covers its point."""
    return search.search(session, viewer, q, limit)


@router.get(
    "/areas/{code}",
    response_class=Response,
    responses={**ok(GEOJSON, model=Feature, description="RFC 7946"), **NOT_FOUND},
    summary="One area as a GeoJSON Feature",
)
def get_area(
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    code: Annotated[str, Path(description="Official code, e.g. E01007321")],
    type: Annotated[str | None, Query(description="Area type, when codes clash")] = None,
    vintage: Vintage = None,
    simplify: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    feature = service.area_feature(
        session, viewer, code, type, vintage, settings.geojson_precision, simplify
    )
    return Response(feature, media_type=GEOJSON)
