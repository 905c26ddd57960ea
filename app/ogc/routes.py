"""HTTP routes of the OGC API - Features at /ogc."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from app.deps import SessionDep, SettingsDep
from app.ogc import openapi, service

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("")
def landing(request: Request) -> dict[str, Any]:
    return service.landing(_base(request))


@router.get("/api")
def api_document(request: Request) -> JSONResponse:
    return JSONResponse(openapi.document(_base(request)), media_type=service.OPENAPI_30)


@router.get("/conformance")
def conformance() -> dict[str, Any]:
    return {"conformsTo": service.CONFORMANCE}


@router.get("/collections")
def collections(request: Request, session: SessionDep) -> dict[str, Any]:
    return service.collections(session, _base(request))


@router.get("/collections/{collection_id}")
def collection(collection_id: str, request: Request, session: SessionDep) -> dict[str, Any]:
    return service.collection(session, _base(request), collection_id)


@router.get("/collections/{collection_id}/items", response_class=Response)
def items(
    collection_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy (CRS84)")] = None,
) -> Response:
    body = service.items(
        session, _base(request), collection_id, limit, offset, bbox, settings.geojson_precision
    )
    return Response(body, media_type=service.GEOJSON)


@router.get("/collections/{collection_id}/items/{feature_id}", response_class=Response)
def item(
    collection_id: str, feature_id: str, session: SessionDep, settings: SettingsDep
) -> Response:
    body = service.item(session, collection_id, feature_id, settings.geojson_precision)
    return Response(body, media_type=service.GEOJSON)
