"""A crawler in tenant beta's shoes: every role of beta requests every tenant page and GET endpoint
with alpha's object ids, on alpha's host and on its own, and no byte of alpha's data comes back.

Alpha's objects carry unique markers (names, e-mails, companies) so that a leak of any of them, in
any response body, status or error message, is caught."""

from __future__ import annotations

import pytest
from django.test import Client

from crm_saas.testing.world import TenantWorld
from tests.surface import ALL_ROLES, API, PAGES, REP

pytestmark = pytest.mark.django_db

MARKERS = {
    "lead_name": "Quillon Vexmarsh",
    "lead_email": "quillon.vexmarsh@alpha-only.example",
    "lead_company": "Vexmarsh Alpha Holdings",
    "customer_name": "Orsolya Pinchbeck",
    "customer_email": "orsolya@pinchbeck-alpha.example",
    "customer_company": "Pinchbeck Alpha Works",
    "note": "alpha-only-note-7f3e",
}
GET_CALLS = [call for call in API if call.method == "GET" and "public" not in call.tags]
GET_PAGES = [page for page in PAGES if page.method == "GET"]


def seed_alpha(alpha: TenantWorld) -> None:
    """Alpha's sales rep owns marked lead and customer rows (the ids the surface table picks)."""
    from leads.services import lead_create
    from lifecycle.services import customer_create

    with alpha.active():
        rep = alpha.users[REP]
        lead_create(
            actor=rep,
            data={
                "name": MARKERS["lead_name"],
                "email": MARKERS["lead_email"],
                "company": MARKERS["lead_company"],
                "attributes": {"origin": MARKERS["note"]},
            },
        )
        customer_create(
            actor=rep,
            data={
                "name": MARKERS["customer_name"],
                "email": MARKERS["customer_email"],
                "company": MARKERS["customer_company"],
            },
        )


def secrets_of(alpha: TenantWorld, *, host: str) -> list[bytes]:
    """Alpha's people and rows; and, away from alpha's host, its name and address too (its own
    sign-in page, where an unauthenticated visitor ends up, names the workspace it belongs to)."""
    users = [user.email.encode() for user in alpha.users.values()]
    names = [user.full_name.encode() for user in alpha.users.values() if user.full_name]
    identity = [] if host == alpha.host else [alpha.tenant.name.encode(), alpha.host.encode()]
    return [*users, *names, *identity, *(value.encode() for value in MARKERS.values())]


def leaks(body: bytes, secrets: list[bytes]) -> list[bytes]:
    lowered = body.lower()
    return [secret for secret in secrets if secret.lower() in lowered]


def crawl(alpha: TenantWorld, beta: TenantWorld, role: str, *, host: str) -> list[str]:
    """Every GET page and endpoint as beta's ``role`` on ``host`` with alpha's ids; the leaks."""
    secrets = secrets_of(alpha, host=host)
    found: list[str] = []
    api = beta.api(host=host)
    api.credentials(HTTP_AUTHORIZATION=f"Token {beta.token(role)}")
    web = Client(HTTP_HOST=host)
    web.cookies = beta.web(role).cookies  # beta's signed-in session, replayed on ``host``
    for call in GET_CALLS:
        response = call.send(api, beta, role, path_world=alpha)
        assert response.status_code < 500, f"{call.url_name}: {response.status_code}"
        found += [
            f"API {call.url_name} ({response.status_code}): {secret!r}" for secret in leaks(response.content, secrets)
        ]
    for page in GET_PAGES:
        response = web.get(page.path(alpha), follow=True)
        assert response.status_code < 500, f"{page.url_name}: {response.status_code}"
        found += [
            f"page {page.url_name} ({response.status_code}): {secret!r}" for secret in leaks(response.content, secrets)
        ]
    return found


@pytest.mark.parametrize("role", ALL_ROLES)
def test_beta_on_alpha_host_with_alpha_ids_sees_nothing_of_alpha(alpha, beta, role: str) -> None:
    seed_alpha(alpha)
    assert crawl(alpha, beta, role, host=alpha.host) == []


@pytest.mark.parametrize("role", ALL_ROLES)
def test_beta_on_its_own_host_with_alpha_ids_sees_nothing_of_alpha(alpha, beta, role: str) -> None:
    seed_alpha(alpha)
    assert crawl(alpha, beta, role, host=beta.host) == []


def test_the_crawler_would_see_a_leak(alpha, beta) -> None:
    """Guards the crawl: alpha's own people do see the markers through the same requests."""
    seed_alpha(alpha)
    found = crawl(alpha, alpha, REP, host=alpha.host)
    joined = "\n".join(found)
    for marker in ("lead_name", "lead_email", "customer_name", "customer_company"):
        assert repr(MARKERS[marker].encode()) in joined, marker
