"""The one place that turns errors into HTTP responses (RFC 9457 problem details)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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
    errors.AuthenticationError: 401,
    errors.PermissionDeniedError: 403,
    errors.NotFoundError: 404,
    errors.ConflictError: 409,
    errors.PayloadTooLargeError: 413,
    errors.UnsupportedMediaTypeError: 415,
    errors.DatabaseUnavailableError: 503,
}

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal server error",
    503: "Service unavailable",
}


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
        # The user sees a stable message; the detail goes to the log only.
        logger.exception("unhandled error on %s", request.url.path)
        return problem(500, "internal_error", "An unexpected error occurred.", request.url.path)

    app.add_exception_handler(errors.NisError, nis_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
