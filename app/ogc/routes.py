"""HTTP routes of the OGC API - Features at /ogc."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from app.access import policy
from app.access.deps import ViewerDep
from app.contracts import Feature, FeatureCollection
from app.deps import EngineDep, Offset, SessionDep, SettingsDep
from app.ogc import downloads as downloads_service
from app.ogc import layer_tiles, openapi, service
from app.ogc.schemas import (
    Collection,
    Collections,
    Conformance,
    ItemsPage,
    JsonSchemaDocument,
    LandingPage,
    OpenApiDocument,
    TileJson,
)
from app.responses import (
    CSV,
    GEOJSON,
    GEOPACKAGE,
    MVT,
    NOT_FOUND,
    OPENAPI_30,
    SCHEMA_JSON,
    VIEWER_READ,
    ok,
    problems,
)

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])
# A layer's reads: as the viewer (an optional key), of a collection that may not exist.
_LAYER = {**VIEWER_READ, **NOT_FOUND}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("", response_model=LandingPage)
def landing(request: Request) -> dict[str, Any]:
    return service.landing(_base(request))


@router.get("/api", response_model=None, responses=ok(OPENAPI_30, model=OpenApiDocument))
def api_document(request: Request) -> JSONResponse:
    return JSONResponse(openapi.document(_base(request)), media_type=service.OPENAPI_30)


@router.get("/conformance", response_model=Conformance)
def conformance() -> dict[str, Any]:
    return {"conformsTo": service.CONFORMANCE}


@router.get("/collections", response_model=Collections, responses=problems(401, 503))
def collections(request: Request, session: SessionDep, viewer: ViewerDep) -> dict[str, Any]:
    """Area types, and one layer per indicator (public ones without a key)."""
    return service.collections(session, _base(request), viewer)


@router.get("/collections/{collection_id}", response_model=Collection, responses=_LAYER)
def collection(
    collection_id: str, request: Request, session: SessionDep, viewer: ViewerDep
) -> dict[str, Any]:
    return service.collection(session, _base(request), collection_id, viewer)


@router.get(
    "/collections/{collection_id}/queryables",
    response_model=None,
    responses={**ok(SCHEMA_JSON, model=JsonSchemaDocument), **_LAYER},
)
def queryables(
    collection_id: str, request: Request, session: SessionDep, viewer: ViewerDep
) -> JSONResponse:
    body = service.queryables(session, _base(request), collection_id, viewer)
    return JSONResponse(body, media_type=SCHEMA_JSON)


@router.get(
    "/collections/{collection_id}/schema",
    response_model=None,
    responses={**ok(SCHEMA_JSON, model=JsonSchemaDocument), **_LAYER},
)
def schema(
    collection_id: str, request: Request, session: SessionDep, viewer: ViewerDep
) -> JSONResponse:
    body = service.schema(session, _base(request), collection_id, viewer)
    return JSONResponse(body, media_type=SCHEMA_JSON)


@router.get(
    "/collections/{collection_id}/items",
    response_class=Response,
    responses={**ok(GEOJSON, model=ItemsPage), **_LAYER},
)
def items(
    collection_id: str,
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT,
    offset: Offset = 0,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy (CRS84)")] = None,
    datetime: Annotated[
        str | None,
        Query(
            description="Indicator layers: an RFC 3339 date, date-time or interval "
            "(../2022-12-31 open) or a period (2022-06, 2022-Q1, 2022, 2022/23)"
        ),
    ] = None,
    crs: Annotated[str, Query(description="Output CRS URI (CRS84 or EPSG 27700)")] = (
        service.CRS84
    ),
    bbox_crs: Annotated[str, Query(alias="bbox-crs", description="The bbox's CRS URI")] = (
        service.CRS84
    ),
    code: Annotated[str | None, Query(description="Only the area with this code")] = None,
    name: Annotated[str | None, Query(description="Only areas with this name")] = None,
) -> Response:
    equals = {k: v for k, v in (("code", code), ("name", name)) if v is not None}
    req = service.ItemsRequest(collection_id, limit, offset, bbox, datetime, crs, bbox_crs, equals)
    page = service.items(session, _base(request), req, viewer, settings.geojson_precision)
    headers = {"Content-Crs": f"<{crs}>"}
    if page.query is None:
        return Response(page.text(session), media_type=service.GEOJSON, headers=headers)
    # Area types stream from a server-side cursor: a whole national layer in one page.
    chunks = page.stream(engine, settings.stream_batch_rows)
    return StreamingResponse(chunks, media_type=service.GEOJSON, headers=headers)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    response_class=Response,
    responses={**ok(GEOJSON, model=Feature), **_LAYER},
)
def item(
    collection_id: str,
    feature_id: str,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
) -> Response:
    body = service.item(session, collection_id, feature_id, viewer, settings.geojson_precision)
    return Response(body, media_type=service.GEOJSON)


downloads = APIRouter(prefix="/api/downloads", tags=["downloads"])


@downloads.get(
    "/{collection_id}.{fmt}",
    response_class=Response,
    responses={
        **ok(
            GEOJSON,
            GEOPACKAGE,
            CSV,
            model=FeatureCollection,
            description="GeoJSON, a GeoPackage or CSV (properties only), by the suffix",
        ),
        **_LAYER,
    },
)
def download(
    collection_id: str,
    fmt: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    datetime: Annotated[
        str | None,
        Query(
            description="Indicator layers: the period (2022-06, 2022/23, an RFC 3339 date "
            "or interval); with periods=all, the periods it overlaps"
        ),
    ] = None,
    periods: Annotated[
        str | None, Query(description="all: every period of the indicator in one file")
    ] = None,
    layout: Annotated[
        str,
        Query(
            description="With periods=all: long (a row per area and period) or wide "
            "(a row per area, a column of values per period)"
        ),
    ] = "long",
) -> Response:
    """A whole layer (an area type or an indicator, as at /ogc) as a GeoPackage, GeoJSON or
    CSV file: one period, or every period (``periods=all``) long or wide."""
    req = downloads_service.DownloadRequest(collection_id, fmt, datetime, periods, layout)
    got = downloads_service.download(
        session, _base(request), req, viewer, settings.geojson_precision
    )
    disposition = f'attachment; filename="{got.filename}"'
    return Response(got.body, media_type=got.media_type,
                    headers={"Content-Disposition": disposition})  # fmt: skip


tiles_router = APIRouter(prefix="/tiles", tags=["vector tiles"])


@tiles_router.get("/{layer}.json", response_model=TileJson, responses=_LAYER)
def tile_json(
    layer: str, request: Request, session: SessionDep, viewer: ViewerDep
) -> dict[str, Any]:
    """TileJSON 3.0 for a layer (an area type or an indicator, as at /ogc)."""
    return layer_tiles.tilejson(session, _base(request), layer, viewer)


@tiles_router.get(
    "/{layer}/{z}/{x}/{y}.mvt",
    response_class=Response,
    responses={
        **ok(MVT, description="A vector tile"),
        304: {"description": "Not modified: the tile of the If-None-Match ETag"},
        **_LAYER,
    },
)
def vector_tile(
    layer: str,
    z: int,
    x: int,
    y: int,
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    datetime: Annotated[str | None, Query(description="Indicator layers: period")] = None,
) -> Response:
    """A Mapbox vector tile built by PostGIS (ST_AsMVT), with an ETag."""
    built = layer_tiles.tile(session, layer, z, x, y, viewer, datetime)
    headers = {
        "ETag": f'"{built.etag}"',
        # Vary (one answer per key and session) comes from app.access.caching.
        "Cache-Control": f"{policy.cache_scope(viewer)}, max-age={built.max_age}",
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return Response(built.body, media_type=layer_tiles.MVT, headers=headers)
