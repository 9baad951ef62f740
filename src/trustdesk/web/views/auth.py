"""Sign in, sign out and change password."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from trustdesk.store.base import parse_id
from trustdesk.team.auth import LoginThrottled, authenticate, end_session, start_session, verify_password
from trustdesk.team.users import UserError, change_password
from trustdesk.web.deps import (
    BRAND_COOKIE,
    PRE_COOKIE,
    SESSION_COOKIE,
    CsrfFailed,
    CurrentViewer,
    DbSession,
    web_state,
)
from trustdesk.web.views._common import render, safe_next, see_other

router = APIRouter()


def _set_session(response: Response, request: Request, value: str) -> None:
    state = web_state(request)
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=state.signer.max_age,
        httponly=True,
        secure=state.cookie_secure,
        samesite="lax",
        path="/",
    )


def _login_page(request: Request, *, error: str = "", email: str = "", status_code: int = 200) -> Response:
    state = web_state(request)
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "auth/login.html",
        viewer=None,
        csrf=token,
        error=error,
        email=email,
        next=safe_next(request.query_params.get("next")),
        status_code=status_code,
    )
    response.set_cookie(
        PRE_COOKIE,
        state.signer.dumps_pre(token),
        max_age=24 * 3600,
        httponly=True,
        secure=state.cookie_secure,
        samesite="strict",
        path="/login",
    )
    return response


@router.get("/login")
def login_page(request: Request) -> Response:
    """The sign-in page."""
    return _login_page(request)


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    email: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/inbox"),  # noqa: A002 - the form field's name
) -> Response:
    """Check the credentials (throttled) and start a session."""
    state = web_state(request)
    expected = state.signer.loads_pre(request.cookies.get(PRE_COOKIE, ""))
    if not expected or not csrf_token or not hmac.compare_digest(expected, csrf_token):
        raise CsrfFailed("the sign-in form expired")
    client = request.client.host if request.client else ""
    try:
        user = authenticate(
            session=session,
            email=email[:320],
            password=password[:1000],
            throttle=state.throttle,
            client=client,
        )
    except LoginThrottled as exc:
        return _login_page(
            request,
            error=f"Too many attempts. Try again in {exc.retry_after} seconds.",
            email=email[:320],
            status_code=429,
        )
    if user is None:
        return _login_page(request, error="Wrong e-mail or password.", email=email[:320], status_code=400)
    response = RedirectResponse(safe_next(next), status_code=303)
    data = start_session(session=session, signer=state.signer, user=user)
    _set_session(response, request, state.signer.dumps(data))
    response.delete_cookie(PRE_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession, viewer: CurrentViewer) -> Response:
    """End this browser's session on the server too: a copied cookie stops working."""
    data = web_state(request).signer.loads(request.cookies.get(SESSION_COOKIE, ""))
    if data is not None:
        end_session(session=session, data=data)
    response = see_other("/login", request)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/brand")
def switch_brand(
    request: Request, viewer: CurrentViewer, brand: str = Form(""), next: str = Form("/inbox")
) -> Response:  # noqa: A002
    """Work on one brand (or all of yours): the inbox and the settings pages follow the choice."""
    chosen = parse_id(brand)
    response = see_other(safe_next(next), request)
    if chosen is not None and chosen in viewer.brand_roles:
        response.set_cookie(
            BRAND_COOKIE, str(chosen), max_age=365 * 24 * 3600, httponly=True,
            secure=web_state(request).cookie_secure, samesite="lax", path="/",
        )  # fmt: skip
    else:
        response.delete_cookie(BRAND_COOKIE, path="/")
    return response


@router.get("/")
def home(request: Request, viewer: CurrentViewer) -> Response:
    """The inbox is home."""
    return RedirectResponse("/inbox", status_code=303)


@router.get("/account/password")
def password_page(request: Request, viewer: CurrentViewer) -> Response:
    """Change your password."""
    done = request.query_params.get("done") == "1"
    revoked = request.query_params.get("tokens", "0") not in ("", "0")
    return render(request, "auth/password.html", viewer=viewer, error="", done=done, tokens_revoked=revoked)


@router.post("/account/password")
def password_change(
    request: Request,
    session: DbSession,
    viewer: CurrentViewer,
    current: str = Form(""),
    new: str = Form(""),
    revoke_tokens: str = Form(""),
) -> Response:
    """Set a new password; every other session of this user ends, this one continues.

    API tokens are separate credentials (integrations use them): they are revoked too when the box is
    ticked (it is by default: after a suspected compromise, every credential should go).
    """
    user = viewer.user
    if not verify_password(user.password_hash, current):
        return render(
            request, "auth/password.html", viewer=viewer, error="The current password is wrong.", done=False,
            status_code=400,
        )  # fmt: skip
    try:
        revoked = change_password(
            session=session, user=user, new_password=new, revoke_tokens=revoke_tokens == "1"
        )
    except UserError as exc:
        return render(
            request, "auth/password.html", viewer=viewer, error=str(exc), done=False, status_code=400
        )
    state = web_state(request)
    response = RedirectResponse(f"/account/password?done=1&tokens={revoked}", status_code=303)
    data = start_session(session=session, signer=state.signer, user=user)
    _set_session(response, request, state.signer.dumps(data))
    return response
