"""The one place where errors become JSON: ``{"error": {"code": ..., "message": ...}}``.

Domain errors anywhere in trustdesk carry a ``code`` attribute (``inbox.invalid_cursor``); this module
maps codes to HTTP statuses. Errors without a code are bugs: they answer 500 ``internal.error`` (and
are logged with their traceback), never a bare "Unknown".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

ERROR_STATUS: dict[str, int] = {
    "auth.missing_token": 401,
    "auth.invalid_token": 401,
    "auth.forbidden": 403,
    "inbox.invalid_cursor": 400,
    "inbox.invalid_filter": 400,
    "inbox.conversation_not_found": 404,
    "webhook.unknown_channel": 404,
    "webhook.disabled": 403,
    "webhook.bad_signature": 401,
    "webhook.invalid_json": 400,
    "webhook.too_large": 413,
    "db.not_migrated": 503,
}
"""Error code -> HTTP status. Unlisted codes: ``*.not_found`` -> 404, other ValueErrors -> 400, else 500."""

_HTTP_CODES = {404: "http.not_found", 405: "http.method_not_allowed", 413: "http.too_large"}


class ErrorDetail(BaseModel):
    """What went wrong: a stable code to branch on, and a sentence for people."""

    code: str = Field(examples=["inbox.conversation_not_found"])
    message: str


class ErrorBody(BaseModel):
    """Every error answer: ``{"error": {"code": ..., "message": ...}}``."""

    error: ErrorDetail


_MEANING = {
    400: "a filter, cursor or body the server could not use",
    401: "no API token, or an unknown, revoked or malformed one (webhooks: a wrong signature)",
    403: "your role on this brand may not do this",
    404: "no such object, or it is on a brand you cannot see",
    409: "the object is not in a state that allows this (e.g. already approved)",
    413: "the body is too large",
    422: "a parameter or body field is invalid (every problem is listed)",
    500: "a bug on our side; it is logged",
    503: "the server is busy or the database unavailable; retry after the Retry-After header",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, each with the one error body."""
    return {s: {"model": ErrorBody, "description": _MEANING[s]} for s in (*statuses, 500)}


class ApiError(Exception):
    """An error raised by the API layer itself, with its code, HTTP status and optional headers."""

    def __init__(
        self, code: str, message: str, *, status: int | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = status or ERROR_STATUS.get(code, 400)
        self.headers = dict(headers or {})


def error_response(
    code: str, message: str, status: int, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The JSON error body every failure uses."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def status_for(exc: Exception, code: str) -> int:
    """The HTTP status for a domain error with ``code``."""
    if code in ERROR_STATUS:
        return ERROR_STATUS[code]
    if code.endswith("not_found"):
        return 404
    return 400 if isinstance(exc, ValueError | LookupError | PermissionError) else 500


def validation_problems(exc: RequestValidationError) -> str:
    """What was wrong with a request, one ``where: what`` per problem."""
    problems = [
        f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', 'invalid')}" for err in exc.errors()
    ]
    return "; ".join(problems) or "invalid request"


def validation_response(exc: RequestValidationError) -> JSONResponse:
    """422 ``request.invalid`` with every problem."""
    return error_response("request.invalid", validation_problems(exc), 422)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``; call once from the app factory."""

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.code, str(exc), exc.status, exc.headers)

    async def coded_error(request: Request, exc: Exception) -> JSONResponse:
        code = getattr(exc, "code", None)
        if not isinstance(code, str):
            raise exc  # a bug, not a domain error: the 500 handler below answers and logs it
        status = status_for(exc, code)
        if status >= 500:
            log.error("domain error %s answered %s", code, status, exc_info=exc)
        return error_response(code, str(exc) or code, status)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _HTTP_CODES.get(exc.status_code, f"http.{exc.status_code}")
        return error_response(code, str(exc.detail), exc.status_code, exc.headers)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_response(exc)

    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response("internal.error", "something went wrong on our side; it has been logged", 500)

    app.add_exception_handler(ApiError, api_error)
    # Domain errors subclass these built-ins; the handler checks for a code and re-raises bugs.
    for base in (ValueError, LookupError, RuntimeError, PermissionError):
        app.add_exception_handler(base, coded_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, internal_error)
