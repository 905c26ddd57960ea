"""The one place that turns errors into HTTP responses (RFC 9457 problem details), and
that says so in the OpenAPI document (validation errors are 400 problems, not 422)."""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import errors

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger(__name__)

STATUS: dict[type[errors.NisError], int] = {
    errors.InvalidParameterError: 400,
    errors.UnknownAreaTypeError: 400,
    errors.AreaNotFoundError: 404,
    errors.ImportRejectedError: 422,
    errors.UploadRejectedError: 422,
    errors.CustomAreaRejectedError: 422,
    errors.FrameworkRejectedError: 422,
    errors.AuthenticationError: 401,
    errors.PermissionDeniedError: 403,
    errors.NotFoundError: 404,
    errors.ConflictError: 409,
    errors.PayloadTooLargeError: 413,
    errors.TooManyAttemptsError: 429,
    errors.UnsupportedMediaTypeError: 415,
    errors.DatabaseUnavailableError: 503,
    errors.IdentityProviderUnavailableError: 503,
    errors.PdfUnavailableError: 503,
}

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    429: "Too many requests",
    422: "Unprocessable content",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(BaseModel):
    """An error answer (RFC 9457), with NIS's stable ``code`` and, for uploads, the rows."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    instance: str
    errors: list[dict[str, Any]] | None = None


PROBLEM_REF = "#/components/schemas/Problem"
# A database that refuses connections (down, restarting, at its connection limit) or
# drops them is an outage: 503, and a client may retry after this many seconds.
RETRY_AFTER_S = 5
# SQLSTATE classes of an outage: connection exception, insufficient resources, operator
# intervention (shutdown, "cannot connect now", a cancelled statement).
_OUTAGE_CLASSES = ("08", "53", "57")


def is_outage(exc: BaseException) -> bool:
    """Whether a database error means "unavailable" rather than "this request is wrong"."""
    if isinstance(exc, sa_exc.TimeoutError):  # no connection free in the pool
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, sa_exc.InterfaceError):
        return True
    sqlstate = getattr(getattr(exc.orig, "diag", None), "sqlstate", None)
    if sqlstate is None:  # refused before the server said anything: down or unreachable
        return isinstance(exc, sa_exc.OperationalError)
    return str(sqlstate)[:2] in _OUTAGE_CLASSES


def is_unique_violation(exc: BaseException) -> bool:
    """Whether a database error is a unique constraint refusing a second row."""
    if not isinstance(exc, sa_exc.IntegrityError):
        return False
    return getattr(getattr(exc.orig, "diag", None), "sqlstate", None) == "23505"


def problem(
    status: int,
    code: str,
    detail: str,
    instance: str,
    errors_: list[dict[str, object]] | None = None,
) -> JSONResponse:
    body: dict[str, object] = {
        "type": f"about:blank#{code}" if code else "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
        "instance": instance,
    }
    if errors_:
        body["errors"] = errors_
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def status_for(exc: errors.NisError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


_QUOTED = re.compile(r'"[^"]*"|\([^)]*\)=\([^)]*\)')


def database_error_summary(exc: sa_exc.StatementError) -> str:
    """What the log says of a database error: its class, SQLSTATE, the objects named and
    the statement, but no value. PostgreSQL's messages quote values (``invalid input
    syntax for type integer: "..."``, ``Failing row contains (...)``, COPY's ``CONTEXT``
    line) and SQLAlchemy's carry the parameters, so neither is written out."""
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    parts = [type(orig).__name__ if orig is not None else type(exc).__name__]
    if diag is not None:
        parts.append(f"SQLSTATE {diag.sqlstate}")
        if diag.message_primary:
            parts.append(_QUOTED.sub("«…»", diag.message_primary))
        for name in ("schema_name", "table_name", "column_name", "constraint_name"):
            value = getattr(diag, name, None)
            if value:
                parts.append(f"{name.removesuffix('_name')}={value}")
    statement = " ".join((exc.statement or "").split())
    return "; ".join(parts) + (f"; statement: {statement[:500]}" if statement else "")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    async def nis_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.NisError)
        status = status_for(exc)
        if status >= 500:
            logger.error("%s: %s", exc.code, exc.message)
        response = problem(status, exc.code, exc.message, request.url.path, exc.errors)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="nis"'
        if status == 503:
            response.headers["Retry-After"] = str(RETRY_AFTER_S)
        if isinstance(exc, errors.TooManyAttemptsError):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    async def database_error(request: Request, exc: Exception) -> JSONResponse:
        if is_unique_violation(exc):
            # Two requests made the same thing at once (a double-clicked form): the
            # first stands, and this one is told so.
            return problem(
                409,
                errors.ConflictError.code,
                "That exists already (another request made it at the same moment): read it again",
                request.url.path,
            )
        if not is_outage(exc):
            return await unexpected(request, exc)
        logger.error("database unavailable on %s: %s", request.url.path, _summary(exc))
        response = problem(
            503,
            errors.DatabaseUnavailableError.code,
            "The database is unavailable; try again shortly.",
            request.url.path,
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = [
            {"location": ".".join(str(p) for p in err["loc"]), "reason": err["msg"]}
            for err in exc.errors()
        ]
        summary = "; ".join(f"{d['location']}: {d['reason']}" for d in details)
        return problem(400, "invalid_parameter", summary, request.url.path, details)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return problem(exc.status_code, "", str(exc.detail), request.url.path)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The user sees a stable message; the detail goes to the log only (and of a
        # database error, no value: see database_error_summary).
        if isinstance(exc, sa_exc.StatementError):
            stack = "".join(traceback.format_tb(exc.__traceback__))
            logger.error("database error on %s: %s\n%s", request.url.path, _summary(exc), stack)
        else:
            logger.exception("unhandled error on %s", request.url.path)
        return problem(500, "internal_error", "An unexpected error occurred.", request.url.path)

    app.add_exception_handler(errors.NisError, nis_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(sa_exc.SQLAlchemyError, database_error)
    app.add_exception_handler(Exception, unexpected)
    generated = app.openapi

    def documented() -> dict[str, Any]:
        first = app.openapi_schema is None
        document = generated()
        if first:
            _document_problems(document)
        return document

    app.openapi = documented  # type: ignore[method-assign]


def _summary(exc: Exception) -> str:
    if isinstance(exc, sa_exc.StatementError):
        return database_error_summary(exc)
    return type(exc).__name__


def _document_problems(document: dict[str, Any]) -> None:
    """Make FastAPI's document say what the handlers above answer: a malformed parameter
    is a 400 problem (FastAPI adds a 422 of its own validation body to every operation
    with parameters, which NIS never sends), and every problem has the Problem schema."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            refused = responses.get("422", {}).get("content", {}).get("application/json")
            if refused and refused["schema"].get("$ref", "").endswith("HTTPValidationError"):
                del responses["422"]
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Problem"] = Problem.model_json_schema()
