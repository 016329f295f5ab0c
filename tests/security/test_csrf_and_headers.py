"""Every page form carries a CSRF token, POSTs without one are refused, and every page and API
response carries the security headers (HSTS and secure cookies with the production values)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from crm_saas.testing.world import PASSWORD
from tenants.accounts.services import user_create
from tenants.accounts.services.users import password_set_path
from tests.surface import ALL_ROLES, API, PAGES, REP, Page

pytestmark = pytest.mark.django_db

GET_PAGES = [page for page in PAGES if page.method == "GET"]
POST_PAGES = [page for page in PAGES if page.method == "POST"]


def allowed_role(page: Page) -> str:
    return next(role for role in ALL_ROLES if page.expected[role] == 200)


class FormCollector(HTMLParser):
    """Collects every <form>: its method and the names of the inputs inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            form = {"method": (values.get("method") or "get").lower(), "inputs": set(), "line": self.getpos()[0]}
            self.forms.append(form)
            self._open.append(form)
        elif tag == "input" and self._open:
            self._open[-1]["inputs"].add(values.get("name"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._open:
            self._open.pop()


def post_forms(html: str) -> list[dict]:
    collector = FormCollector()
    collector.feed(html)
    return [form for form in collector.forms if form["method"] == "post"]


@pytest.mark.parametrize("page", GET_PAGES, ids=lambda p: p.url_name)
def test_every_post_form_on_every_page_has_a_csrf_token(alpha, page: Page) -> None:
    response = alpha.web(allowed_role(page)).get(page.path(alpha))
    assert response.status_code == 200
    if not response["Content-Type"].startswith("text/html"):
        return  # audio and other downloads have no forms
    forms = post_forms(response.content.decode())
    missing = [form["line"] for form in forms if "csrfmiddlewaretoken" not in form["inputs"]]
    assert not missing, f"POST forms without a CSRF token at lines {missing} of {page.url_name}"


def test_the_form_scan_sees_forms(alpha) -> None:
    """Guards the test above: the dashboard has at least the sign-out form."""
    assert post_forms(alpha.web(REP).get("/").content.decode())


def test_sign_in_and_password_pages_carry_csrf_tokens(alpha) -> None:
    sign_in = Client(HTTP_HOST=alpha.host).get("/accounts/login/")
    forms = post_forms(sign_in.content.decode())
    assert forms and all("csrfmiddlewaretoken" in form["inputs"] for form in forms)
    with alpha.active():
        path = password_set_path(user=user_create(email="csrf@alpha.test", role=REP))
    forms = post_forms(Client(HTTP_HOST=alpha.host).get(path).content.decode())
    assert forms and all("csrfmiddlewaretoken" in form["inputs"] for form in forms)


def strict_client(alpha, role: str) -> Client:
    client = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True)
    with alpha.active():
        client.force_login(alpha.users[role])
    return client


@pytest.mark.parametrize("page", POST_PAGES, ids=lambda p: p.url_name)
def test_page_posts_without_a_token_are_refused(alpha, page: Page) -> None:
    role = next(role for role in ALL_ROLES if page.expected[role] in {200, 302})
    response = strict_client(alpha, role).post(page.path(alpha), page.data or {})
    assert response.status_code == 403


def test_a_post_with_the_token_goes_through(alpha) -> None:
    """The refusal above is about the token: the same client with one succeeds."""
    client = strict_client(alpha, REP)
    client.get("/leads/new/")
    token = client.cookies["csrftoken"].value
    response = client.post("/leads/new/", {"company": "Token Co", "status": "new", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_sign_in_without_a_token_is_refused(alpha) -> None:
    client = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"email": alpha.email(REP), "password": PASSWORD})
    assert response.status_code == 403


def test_session_authenticated_api_writes_need_the_token(alpha) -> None:
    client = strict_client(alpha, REP)
    refused = client.post("/api/v1/leads/", {"company": "No Token Co"}, content_type="application/json")
    assert refused.status_code == 403
    client.get("/")
    allowed = client.post(
        "/api/v1/leads/",
        {"company": "Token Co"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert allowed.status_code == 201


def assert_security_headers(response, *, framing_header: bool = True) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if framing_header:  # static files rely on frame-ancestors alone (asserted below)
        assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        [*directive.split(" ", 1), ""][:2] for directive in re.split(r";\s*", response["Content-Security-Policy"])
    )
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("page", GET_PAGES, ids=lambda p: p.url_name)
def test_pages_carry_the_security_headers(alpha, page: Page) -> None:
    response = alpha.web(allowed_role(page)).get(page.path(alpha))
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.parametrize("call", [call for call in API if call.method == "GET"][:12], ids=lambda c: c.url_name)
def test_api_responses_carry_the_security_headers(alpha, call) -> None:
    role = next(role for role in ALL_ROLES if call.expected[role] == 200)
    response = call.send(alpha.api(role), alpha, role)
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/api/v1/me/", "/no-such-page/", "/static/crm_saas/app.js", "/api/docs/"]
)
def test_anonymous_error_and_static_responses_carry_them_too(alpha, path: str) -> None:
    assert_security_headers(Client(HTTP_HOST=alpha.host).get(path), framing_header="/static/" not in path)


PRODUCTION_SECURITY = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}  # the values crm_saas.settings.production sets (checked in test_deploy_settings.py)


def test_production_security_sends_hsts_and_secure_cookies(alpha, settings) -> None:
    for name, value in PRODUCTION_SECURITY.items():
        setattr(settings, name, value)
    client = Client(HTTP_HOST=alpha.host, HTTP_X_FORWARDED_PROTO="https")

    plain = Client(HTTP_HOST=alpha.host).get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"] == f"https://{alpha.host}/accounts/login/"

    page = client.get("/accounts/login/")
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_security_headers(page)
    assert page.cookies["csrftoken"]["secure"] is True

    signed_in = client.post("/accounts/login/", {"email": alpha.email(REP), "password": PASSWORD})
    assert signed_in.status_code == 302
    session = signed_in.cookies["sessionid"]
    assert session["secure"] is True and session["httponly"] is True and session["samesite"] == "Lax"
    api = client.get("/api/v1/me/")
    assert api["Strict-Transport-Security"].startswith("max-age=31536000")
