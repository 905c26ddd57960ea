"""OGC API - Features documents: landing page, conformance, collections and items.

Collections are the area types (newest vintage). Items reuse the GeoJSON that PostGIS
builds for `/api/areas`, paged with `limit`/`offset` and absolute `next`/`prev` links.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from app.areas import service as area_service
from app.errors import NotFoundError
from app.ogc import repository as repo

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
DEFAULT_LIMIT, MAX_LIMIT = 10, 10_000
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def landing(base: str) -> dict[str, Any]:
    return {
        "title": "Neighbourhood Information System",
        "description": "A city partnership's neighbourhood geography and indicators.",
        "links": [
            {"href": f"{base}/ogc", "rel": "self", "type": JSON, "title": "This document"},
            {"href": f"{base}/ogc/api", "rel": "service-desc", "type": OPENAPI_30,
             "title": "The API definition (OpenAPI 3.0)"},
            {"href": f"{base}/docs", "rel": "service-doc", "type": "text/html",
             "title": "The API documentation"},
            {"href": f"{base}/ogc/conformance", "rel": "conformance", "type": JSON,
             "title": "Conformance classes"},
            {"href": f"{base}/ogc/collections", "rel": "data", "type": JSON,
             "title": "The collections"},
        ],
    }  # fmt: skip


def collections(session: Session, base: str) -> dict[str, Any]:
    return {
        "links": [{"href": f"{base}/ogc/collections", "rel": "self", "type": JSON}],
        "collections": [_collection(r, base) for r in repo.area_collections(session)],
    }


def collection(session: Session, base: str, collection_id: str) -> dict[str, Any]:
    for row in repo.area_collections(session):
        if row.code == collection_id:
            return _collection(row, base)
    raise NotFoundError(f"There is no collection {collection_id!r}")


def _collection(row: Any, base: str) -> dict[str, Any]:
    href = f"{base}/ogc/collections/{row.code}"
    return {
        "id": row.code,
        "title": row.name,
        "description": row.description or f"{row.name} boundaries, vintage {row.vintage}",
        "itemType": "feature",
        "itemCount": int(row.n),
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [[row.minx, row.miny, row.maxx, row.maxy]],
                               "crs": CRS84}},
        "links": [
            {"href": href, "rel": "self", "type": JSON},
            {"href": f"{href}/items", "rel": "items", "type": GEOJSON},
        ],
    }  # fmt: skip


def items(
    session: Session,
    base: str,
    collection_id: str,
    limit: int,
    offset: int,
    bbox: str | None,
    precision: int,
) -> str:
    """A page of Features as GeoJSON text with paging links and counts."""
    collection(session, base, collection_id)  # 404 for an unknown collection
    query = area_service.resolve_area_query(
        session, area_service.AreaFilter(collection_id, bbox=bbox), precision
    )
    matched = repo.count_features(session, query)
    features = repo.page_of_features(session, query, limit, offset)
    href = f"{base}/ogc/collections/{collection_id}/items"

    def link(rel: str, at: int) -> dict[str, Any]:
        params = {"limit": limit, "offset": at, **({"bbox": bbox} if bbox else {})}
        return {"href": f"{href}?{urlencode(params)}", "rel": rel, "type": GEOJSON}

    links = [link("self", offset)]
    if offset + len(features) < matched:
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    head = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": len(features),
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": links,
    }
    return json.dumps(head)[:-1] + ',"features":[' + ",".join(features) + "]}"


def item(session: Session, collection_id: str, feature_id: str, precision: int) -> str:
    """One Feature of a collection (404 for an unknown collection or feature)."""
    collection(session, "", collection_id)
    return area_service.area_feature(session, feature_id, collection_id, None, precision)
