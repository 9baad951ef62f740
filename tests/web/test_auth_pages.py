"""Sign-in, sessions, CSRF, security headers."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, Desk, csrf_of, sign_in

from trustdesk.settings import Settings
from trustdesk.web.app import create_desk_app


def test_auth_pages_login_page_has_strict_csp_and_no_inline_script(client: TestClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    html = response.text
    assert "<script>" not in html and "<script " in html  # only external scripts
    assert " onclick=" not in html and " onload=" not in html


def test_auth_pages_unsigned_visitor_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/inbox")
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=/inbox")
    htmx = client.get("/inbox", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/login"


def test_auth_pages_session_cookie_flags(client: TestClient, desk: Desk) -> None:
    page = client.get("/login")
    response = client.post(
        "/login", data={"email": desk.emails["agent"], "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    )
    cookie = response.headers["set-cookie"]
    assert "td_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie


def test_auth_pages_cookie_secure_setting_marks_cookie_secure(engine, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    app = create_desk_app(engine, Settings(secret_key="k" * 32, cookie_secure=True, env="test"))
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        page = c.get("/login")
        response = c.post(
            "/login",
            data={"email": desk.emails["agent"], "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert "Secure" in response.headers["set-cookie"]


def test_auth_pages_wrong_password_and_throttle(client: TestClient, desk: Desk) -> None:
    for _ in range(5):
        token = csrf_of(client.get("/login").text)
        bad = client.post(
            "/login", data={"email": desk.emails["lead"], "password": "nope", "csrf_token": token}
        )
        assert bad.status_code == 400 and "Wrong e-mail or password" in bad.text
    token = csrf_of(client.get("/login").text)
    locked = client.post(
        "/login", data={"email": desk.emails["lead"], "password": PASSWORD, "csrf_token": token}
    )
    assert locked.status_code == 429 and "Too many attempts" in locked.text


def test_auth_pages_login_without_form_token_is_refused(client: TestClient, desk: Desk) -> None:
    client.get("/login")
    response = client.post(
        "/login", data={"email": desk.emails["lead"], "password": PASSWORD, "csrf_token": "x"}
    )
    assert response.status_code == 403


def test_auth_pages_state_change_needs_csrf_token(client: TestClient, desk: Desk) -> None:
    token = sign_in(client, desk.emails["agent"])
    conv = desk.conversations["angry"]
    assert client.post(f"/c/{conv}/tags", data={"add": "x"}).status_code == 403
    assert client.post(f"/c/{conv}/tags", data={"add": "x", "csrf_token": "forged"}).status_code == 403
    other_site = client.post(
        f"/c/{conv}/tags", data={"add": "x", "csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert other_site.status_code == 403
    assert client.post(f"/c/{conv}/tags", data={"add": "vip", "csrf_token": token}).status_code == 303
    assert (
        client.post(f"/c/{conv}/tags", data={"add": "vip2"}, headers={"X-CSRF-Token": token}).status_code
        == 303
    )
    assert "#vip2" in client.get(f"/c/{conv}").text


def test_auth_pages_password_change_revokes_other_sessions(app: FastAPI, desk: Desk) -> None:
    with TestClient(app, follow_redirects=False) as first, TestClient(app, follow_redirects=False) as second:
        token = sign_in(first, desk.emails["agent"])
        sign_in(second, desk.emails["agent"])
        assert second.get("/inbox").status_code == 200
        changed = first.post(
            "/account/password", data={"current": PASSWORD, "new": "brand-new-password", "csrf_token": token}
        )
        assert changed.status_code == 303
        assert first.get("/inbox").status_code == 200  # this browser got a fresh session
        assert second.get("/inbox").status_code == 303  # the other one was signed out


def test_auth_pages_logout_ends_session(client: TestClient, desk: Desk) -> None:
    token = sign_in(client, desk.emails["viewer"])
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/inbox").status_code == 303


def test_auth_pages_next_is_never_an_open_redirect(client: TestClient, desk: Desk) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "email": desk.emails["lead"],
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert response.headers["location"] == "/inbox"


def test_auth_pages_logout_kills_a_copied_cookie(app: FastAPI, desk: Desk) -> None:
    """Sign-out deleted the cookie but a copy of it stayed valid for 14 days (issue 13)."""
    with TestClient(app, follow_redirects=False) as browser, TestClient(app, follow_redirects=False) as thief:
        token = sign_in(browser, desk.emails["agent"])
        thief.cookies.set("td_session", browser.cookies["td_session"])
        assert thief.get("/inbox").status_code == 200
        assert browser.post("/logout", data={"csrf_token": token}).status_code == 303
        assert thief.get("/inbox").status_code == 303


def _attempt(client: TestClient, email: str, password: str, forwarded_for: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for}
    token = csrf_of(client.get("/login", headers=headers).text)
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/login", data=data, headers=headers).status_code


def test_auth_pages_throttle_behind_a_proxy_locks_only_the_guesser(app: FastAPI, desk: Desk) -> None:
    """Behind the advised proxy, 5 bad sign-ins locked out every user for 5 minutes (issue 13)."""
    with TestClient(app, follow_redirects=False, client=("127.0.0.1", 40000)) as proxy:
        for _ in range(5):
            assert _attempt(proxy, desk.emails["lead"], "wrong", "203.0.113.7") == 400
        assert _attempt(proxy, desk.emails["lead"], PASSWORD, "203.0.113.7") == 429
        # another person behind the same proxy signs in, and so does the lead from their own address
        assert _attempt(proxy, desk.emails["agent"], PASSWORD, "198.51.100.20") == 303
        assert _attempt(proxy, desk.emails["lead"], PASSWORD, "198.51.100.21") == 303


def test_auth_pages_untrusted_forwarded_for_is_ignored(app: FastAPI, desk: Desk) -> None:
    """A client that is not a trusted proxy cannot dodge the throttle by inventing X-Forwarded-For."""
    with TestClient(app, follow_redirects=False, client=("192.0.2.50", 40000)) as direct:
        for n in range(5):
            assert _attempt(direct, desk.emails["lead"], "wrong", f"203.0.113.{n}") == 400
        assert _attempt(direct, desk.emails["lead"], PASSWORD, "203.0.113.99") == 429
