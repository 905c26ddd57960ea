"""What routes answer, for the OpenAPI document: one table of the problems (RFC 9457,
``application/problem+json``) and of the media types NIS sends, so that a route's
``responses=`` names statuses rather than spelling them out, and the document lists every
status and content type a route can answer (the schemathesis test holds it to that).
And what the routes that read their body themselves (uploads, streamed) take, which
FastAPI cannot see: :func:`raw_body`."""

from __future__ import annotations

from typing import Any

from app.problem_details import PROBLEM_JSON, PROBLEM_REF

Responses = dict[int | str, dict[str, Any]]

JSON = "application/json"
GEOJSON = "application/geo+json"
CSV = "text/csv"
PNG = "image/png"
HTML = "text/html"
MVT = "application/vnd.mapbox-vector-tile"
GEOPACKAGE = "application/geopackage+sqlite3"
SCHEMA_JSON = "application/schema+json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
GZIP = "application/gzip"
OCTET_STREAM = "application/octet-stream"

PROBLEMS: dict[int, str] = {
    400: "A parameter is malformed or out of range",
    401: "Not signed in, or the key is missing, unknown, expired or revoked",
    403: "The viewer may not do this (or a signed-in request lacks its CSRF token)",
    404: "Not found (or not visible to this caller)",
    409: "In conflict with what is stored",
    413: "The upload is larger than this instance accepts",
    415: "The upload's media type or encoding is not read",
    422: "The upload was refused; errors lists each row, column and reason",
    429: "Too many failed sign-ins or bad keys from this address; retry after Retry-After",
    503: "The database is unavailable; retry after Retry-After seconds",
}


def problems(*statuses: int) -> Responses:
    """The problem responses of ``statuses`` (each in :data:`PROBLEMS`)."""
    return {
        status: {
            "description": PROBLEMS[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
        }
        for status in statuses
    }


def ok(*media: str, model: Any = None, description: str = "Success") -> Responses:
    """A 200 in the given media types (with ``model``'s schema when it is JSON)."""
    answer: dict[str, Any] = {"description": description, "content": {m: {} for m in media}}
    if model is not None:
        answer["model"] = model
    return {200: answer}


# What every read that may touch the database can answer besides its success: a bad
# parameter, and the database being down; with a viewer (an optional key), a bad key.
READ = problems(400, 503)
VIEWER_READ = problems(400, 401, 429, 503)
# Signed in or a key required: missing or bad credentials, a viewer who may not
# (another agency's, not an administrator), too many bad keys.
PARTNER = problems(400, 401, 403, 429, 503)
UPLOAD = {**PARTNER, **problems(404, 409, 413, 415, 422)}
NOT_FOUND = problems(404)


# A file sent as the body: Swagger UI offers a file chooser for it.
FILE: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}


def text(example: str) -> dict[str, Any]:
    """A text body (a CSV), with an example Swagger UI puts in its editor."""
    return {"schema": {"type": "string"}, "example": example}


def raw_body(description: str, content: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The ``openapi_extra`` of a route that reads its body itself (from the request's
    stream, so FastAPI declares none): a required body in each media type of ``content``
    (a schema and an example, or :data:`FILE`)."""
    return {"requestBody": {"required": True, "description": description, "content": content}}
