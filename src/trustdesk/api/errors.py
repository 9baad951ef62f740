"""The one place where errors become JSON: ``{"error": {"code": ..., "message": ...}}``.

Every error a caller can act on is a ``trustdesk.errors.DomainError`` with its code and HTTP status;
this module renders them. Anything else is a bug: it answers 500 ``internal.error`` (and is logged with
its traceback), never a bare "Unknown".
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

from trustdesk.errors import DomainError

log = logging.getLogger(__name__)

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


class ApiError(DomainError):
    """An error raised by the API layer itself, with its code, HTTP status and optional headers."""

    def __init__(
        self, code: str, message: str, *, status: int | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(code, message, status=status)
        self.headers = dict(headers or {})


def error_response(
    code: str, message: str, status: int, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The JSON error body every failure uses."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def domain_response(exc: DomainError) -> JSONResponse:
    """The JSON answer for a domain error (5xx ones are logged with their traceback)."""
    if exc.status >= 500:
        log.error("domain error %s answered %s", exc.code, exc.status, exc_info=exc)
    return error_response(exc.code, str(exc) or exc.code, exc.status, getattr(exc, "headers", None))


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

    async def domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return domain_response(exc)

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

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, internal_error)
