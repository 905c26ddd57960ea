"""The OpenAPI 3.0 document of the OGC API (FastAPI's own document is OpenAPI 3.1, which
OGC API - Features Part 1 does not name): written out, so it says exactly what is served."""

from __future__ import annotations

from typing import Any

from app.ogc.service import CRS84, DEFAULT_LIMIT, GEOJSON, JSON, MAX_LIMIT, QUERYABLES, SRIDS


def _response(description: str, media: str = JSON) -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "object"}}}}


_PROBLEM = {"description": "Bad parameter", "content": {"application/problem+json": {}}}
_NOT_FOUND = {"description": "Not found", "content": {"application/problem+json": {}}}
_COLLECTION_ID = {
    "name": "collectionId",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "An area type, e.g. lsoa",
}


def document(base: str) -> dict[str, Any]:
    items_parameters = [
        _COLLECTION_ID,
        {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT}},
        {"name": "offset", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 0, "default": 0}},
        {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
         "schema": {"type": "array", "minItems": 4, "maxItems": 4,
                    "items": {"type": "number"}},
         "description": "minx,miny,maxx,maxy in longitude/latitude (CRS84)"},
        {"name": "datetime", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "Indicator layers: the values of one period, chosen by an RFC 3339 "
                        "date or date-time (the period holding it), an interval (the newest "
                        "period it overlaps; '..' for an open end) or a period as the "
                        "project writes them (2022-06, 2022-Q1, 2022, 2022/23); the newest "
                        "period by default"},
        {"name": "crs", "in": "query", "required": False,
         "schema": {"type": "string", "format": "uri", "enum": list(SRIDS), "default": CRS84}},
        {"name": "bbox-crs", "in": "query", "required": False,
         "schema": {"type": "string", "format": "uri", "enum": list(SRIDS), "default": CRS84}},
        *({"name": name, "in": "query", "required": False, "schema": {"type": "string"},
           "description": f"Equality filter: {spec['title']}"}
          for name, spec in QUERYABLES.items()),
    ]  # fmt: skip
    return {
        "openapi": "3.0.3",
        "info": {"title": "Neighbourhood Information System: OGC API - Features",
                 "version": "1.0.0"},
        "servers": [{"url": f"{base}/ogc"}],
        "paths": {
            "/": {"get": {"operationId": "landingPage", "summary": "Landing page",
                          "responses": {"200": _response("The landing page")}}},
            "/conformance": {"get": {"operationId": "conformance",
                                     "responses": {"200": _response("Conformance classes")}}},
            "/collections": {"get": {"operationId": "collections",
                                     "responses": {"200": _response("The collections")}}},
            "/collections/{collectionId}": {"get": {
                "operationId": "collection", "parameters": [_COLLECTION_ID],
                "responses": {"200": _response("A collection"), "404": _NOT_FOUND}}},
            "/collections/{collectionId}/items": {"get": {
                "operationId": "items", "parameters": items_parameters,
                "responses": {"200": _response("Features", GEOJSON), "400": _PROBLEM,
                              "404": _NOT_FOUND}}},
            "/collections/{collectionId}/queryables": {"get": {
                "operationId": "queryables", "parameters": [_COLLECTION_ID],
                "responses": {"200": _response("Queryables", "application/schema+json"),
                              "404": _NOT_FOUND}}},
            "/collections/{collectionId}/schema": {"get": {
                "operationId": "schema", "parameters": [_COLLECTION_ID],
                "responses": {"200": _response("Feature schema", "application/schema+json"),
                              "404": _NOT_FOUND}}},
            "/collections/{collectionId}/items/{featureId}": {"get": {
                "operationId": "item",
                "parameters": [_COLLECTION_ID, {"name": "featureId", "in": "path",
                                                "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _response("A feature", GEOJSON), "404": _NOT_FOUND}}},
        },
    }  # fmt: skip
