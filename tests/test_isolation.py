"""Tenant isolation: whatever host, token, session or id tenant B's people use, they never get a
byte of tenant A's data, and always an honest 401/403/404."""

from __future__ import annotations

import pytest
from django.test import Client

from crm_saas.testing.world import PASSWORD, TenantWorld
from tenants.accounts.models import User
from tenants.services import tenant_deactivate
from tests.surface import ADMIN, ALL_ROLES, API, OPERATOR, PAGES, PLATFORM_API, Call, PlatformCall, platform_client

pytestmark = pytest.mark.django_db

PRIVATE_CALLS = [call for call in API if "public" not in call.tags]


def alpha_secrets(alpha: TenantWorld) -> list[bytes]:
    """Strings that only alpha's data contains."""
    return [user.email.encode() for user in alpha.users.values()] + [b"Alpha Corp", b"alpha.localhost"]


def assert_no_alpha_data(response, alpha: TenantWorld) -> None:
    body = response.content
    for secret in alpha_secrets(alpha):
        assert secret not in body, f"{secret!r} leaked in {response.status_code} response"


@pytest.mark.parametrize("call", PRIVATE_CALLS, ids=lambda c: f"{c.method} {c.url_name}")
@pytest.mark.parametrize("role", ALL_ROLES)
def test_tenant_b_token_is_rejected_on_tenant_a_host(alpha, beta, call: Call, role: str) -> None:
    client = alpha.api(host=alpha.host)
    client.credentials(HTTP_AUTHORIZATION=f"Token {beta.token(role)}")

    response = call.send(client, beta, role, path_world=alpha)

    assert response.status_code == 401
    assert_no_alpha_data(response, alpha)


@pytest.mark.parametrize("call", PRIVATE_CALLS, ids=lambda c: f"{c.method} {c.url_name}")
def test_tenant_b_admin_with_tenant_a_ids_only_reaches_b_objects(alpha, beta, call: Call) -> None:
    """Numeric ids are per schema: alpha's ids on beta's host mean beta's rows or nothing."""
    client = beta.api(ADMIN)
    response = call.send(client, beta, ADMIN, path_world=alpha)

    assert response.status_code in {200, 201, 202, 204, 400, 404}
    assert_no_alpha_data(response, alpha)


def test_tenant_a_job_id_is_not_found_on_tenant_b(alpha, beta) -> None:
    job_call = next(call for call in API if call.url_name == "api:job-detail")
    response = job_call.send(beta.api(ADMIN), beta, ADMIN, path_world=alpha)
    assert response.status_code == 404
    assert response.json() == {"detail": "Job not found.", "errors": {}}


@pytest.mark.parametrize("call", PRIVATE_CALLS, ids=lambda c: f"{c.method} {c.url_name}")
def test_anonymous_gets_401_everywhere(alpha, call: Call) -> None:
    response = call.send(alpha.api(), alpha, "anonymous")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert_no_alpha_data(response, alpha)


PLATFORM_ONLY_CALLS = [call for call in PLATFORM_API if call.url_name not in {"api:auth-token", "api:me"}]


@pytest.mark.parametrize("call", PLATFORM_ONLY_CALLS, ids=lambda c: f"{c.method} {c.url_name}")
def test_platform_endpoints_do_not_exist_on_a_tenant_host(alpha, call: PlatformCall) -> None:
    """Neither a tenant admin's token nor an operator's reaches the platform API through a tenant host."""
    path = call.path(alpha)
    for client in (alpha.api(ADMIN), platform_client(alpha, OPERATOR)):
        client.defaults["HTTP_HOST"] = alpha.host
        response = getattr(client, call.method.lower())(path)
        assert response.status_code == 404, response.content[:300]
        assert_no_alpha_data(response, alpha)


def test_beta_credentials_cannot_sign_in_on_alpha(alpha, beta) -> None:
    response = alpha.api().post("/api/v1/auth/token/", {"email": beta.email(ADMIN), "password": PASSWORD})
    assert response.status_code == 400
    assert "incorrect" in response.json()["detail"]

    page = alpha.web().post("/accounts/login/", {"email": beta.email(ADMIN), "password": PASSWORD})
    assert page.status_code == 200
    assert b"incorrect" in page.content
    assert "_auth_user_id" not in page.wsgi_request.session


@pytest.mark.parametrize(
    "host",
    [
        "alpha.localhost.evil.test",  # not an allowed host
        "ALPHA.LOCALHOST",  # host names are matched exactly as registered
        "beta.localhost@alpha.localhost",
        "nonexistent.localhost",
        "alpha.localhost, beta.localhost",
    ],
)
def test_spoofed_or_unknown_hosts_reach_no_tenant(alpha, beta, host: str) -> None:
    client = Client(HTTP_HOST=host)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {alpha.token(ADMIN)}"
    response = client.get("/api/v1/me/")
    assert response.status_code in {400, 404}
    assert_no_alpha_data(response, alpha)


def test_forwarded_host_headers_do_not_change_the_tenant(alpha, beta) -> None:
    client = alpha.api(host=beta.host)
    client.credentials(HTTP_AUTHORIZATION=f"Token {alpha.token(ADMIN)}")
    response = client.get("/api/v1/me/", HTTP_X_FORWARDED_HOST=alpha.host, HTTP_FORWARDED=f"host={alpha.host}")
    assert response.status_code == 401
    assert_no_alpha_data(response, alpha)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.method} {p.url_name}")
def test_tenant_b_session_is_worthless_on_tenant_a(alpha, beta, page) -> None:
    signed_in_on_beta = beta.web(ADMIN)
    on_alpha = Client(HTTP_HOST=alpha.host)
    on_alpha.cookies = signed_in_on_beta.cookies  # the same cookie jar, replayed on alpha's host

    path = page.path(alpha)
    response = on_alpha.post(path, page.data or {}) if page.method == "POST" else on_alpha.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert_no_alpha_data(response, alpha)
    api = on_alpha.get("/api/v1/me/")
    assert api.status_code == 401


def test_a_deactivated_tenant_answers_404_and_keeps_its_data(alpha) -> None:
    admin_token = alpha.token(ADMIN)
    tenant_deactivate(tenant=alpha.tenant)

    api = alpha.api()
    api.credentials(HTTP_AUTHORIZATION=f"Token {admin_token}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No active workspace at this address."
    assert alpha.web().get("/accounts/login/").status_code == 404
    assert alpha.web().post("/accounts/login/", {"email": alpha.email(ADMIN), "password": PASSWORD}).status_code == 404

    with alpha.active():
        assert User.objects.count() == len(alpha.users)


def test_the_search_path_follows_every_tenant_switch_and_rollback(alpha, beta) -> None:
    """The schema is set once per switch (TENANT_LIMIT_SET_CALLS): a SET that a rollback undid
    must be sent again, or the next query would run in the previous tenant's schema."""
    from django.db import connection, transaction

    def schema_in_use() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            return cursor.fetchone()[0]

    with alpha.active():
        assert schema_in_use() == alpha.tenant.schema_name
        with pytest.raises(RuntimeError), transaction.atomic():
            connection.set_tenant(beta.tenant)
            assert schema_in_use() == beta.tenant.schema_name  # SET inside the (rolled back) block
            raise RuntimeError
        assert connection.schema_name == beta.tenant.schema_name
        assert schema_in_use() == beta.tenant.schema_name  # sent again, not trusted
        connection.set_tenant(alpha.tenant)
        assert schema_in_use() == alpha.tenant.schema_name


def test_the_search_path_is_sent_only_when_the_session_path_changes(alpha, beta) -> None:
    """The tenant middleware sets the tenant on every request; the SET goes out only when the
    session's path differs, and again whenever PostgreSQL may have dropped it."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    def sets_sent(step) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            step()
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_schema()")
                in_use = cursor.fetchone()[0]
        assert in_use == connection.schema_name
        return [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SET search_path")]

    def request_for(world) -> callable:
        def step() -> None:  # what the tenant middleware does for each request
            connection.set_schema_to_public()
            connection.set_tenant(world.tenant)

        return step

    assert len(sets_sent(request_for(alpha))) in (0, 1)  # whatever the session had before
    assert sets_sent(request_for(alpha)) == []
    assert sets_sent(request_for(alpha)) == []
    assert len(sets_sent(request_for(beta))) == 1
    assert sets_sent(request_for(beta)) == []
    assert len(sets_sent(request_for(alpha))) == 1

    def rolled_back_switch() -> None:
        with transaction.atomic():
            connection.set_tenant(beta.tenant)
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            transaction.set_rollback(True)
        connection.set_tenant(beta.tenant)

    # The SET to beta inside the block was undone by its rollback: it must be sent again.
    assert len(sets_sent(rolled_back_switch)) == 2
    assert sets_sent(request_for(beta)) == []
