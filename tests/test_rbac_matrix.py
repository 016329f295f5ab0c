"""Every tenant endpoint and page x every role, and every platform endpoint x every platform role,
asserted from the one table in tests/surface.py."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.surface import (
    ALL_ROLES,
    ANON,
    API,
    PAGES,
    PLATFORM_API,
    PLATFORM_ROLES,
    PLATFORM_URLCONF,
    Call,
    Page,
    PlatformCall,
    platform_client,
)

pytestmark = pytest.mark.django_db

API_CASES = [(call, role) for call in API for role in [*ALL_ROLES, ANON]]
PAGE_CASES = [(page, role) for page in PAGES for role in [*ALL_ROLES, ANON]]
PLATFORM_CASES = [(call, role) for call in PLATFORM_API for role in PLATFORM_ROLES]


def _case_id(case: Call | Page | PlatformCall | str) -> str:
    if isinstance(case, str):
        return case
    return f"{case.method} {case.url_name}"


@pytest.mark.parametrize(("call", "role"), API_CASES, ids=_case_id)
def test_api_answers_each_role_as_declared(alpha, call: Call, role: str) -> None:
    client = alpha.api(None if role == ANON else role)
    response = call.send(client, alpha, role)

    assert response.status_code == call.expected[role], response.content[:300]
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body["detail"], str) and body["detail"]
        assert isinstance(body["errors"], dict)


@pytest.mark.parametrize(("page", "role"), PAGE_CASES, ids=_case_id)
def test_pages_answer_each_role_as_declared(alpha, page: Page, role: str) -> None:
    client = alpha.web(None if role == ANON else role)
    path = page.path(alpha)
    response = client.post(path, page.data or {}) if page.method == "POST" else client.get(path)

    assert response.status_code == page.expected[role]
    if role == ANON:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("call", "role"), PLATFORM_CASES, ids=_case_id)
def test_platform_api_answers_each_role_as_declared(alpha, call: PlatformCall, role: str) -> None:
    client = platform_client(alpha, role)
    response = call.send(client, alpha, role)

    assert response.status_code == call.expected[role], response.content[:300]
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body["detail"], str) and body["detail"]
        assert isinstance(body["errors"], dict)


def _api_routes(urlconf: str) -> set[tuple[str, str]]:
    """(url name, HTTP method) for every view under /api/v1/ in ``urlconf``."""
    routes: set[tuple[str, str]] = set()

    def walk(patterns: list, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and namespace == "api":
                view_class = entry.callback.view_class
                for method in ("get", "post", "put", "patch", "delete"):
                    if hasattr(view_class, method):
                        routes.add((f"api:{entry.name}", method.upper()))

    walk(get_resolver(urlconf).url_patterns, "")
    return routes


def test_every_endpoint_is_in_the_table() -> None:
    declared = {(call.url_name, call.method) for call in API}
    assert _api_routes("crm_saas.urls_tenant") == declared


def test_every_platform_endpoint_is_in_the_table() -> None:
    declared = {(call.url_name, call.method) for call in PLATFORM_API}
    assert _api_routes(PLATFORM_URLCONF) == declared
