"""Platform operators list, create and deactivate tenants on the platform host (public schema)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists
from rest_framework.test import APIClient

from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.testing.world import PASSWORD
from tenants.accounts.models import User
from tenants.accounts.services import token_issue
from tenants.models import Tenant
from tenants.services import operator_create
from tests.surface import ADMIN

pytestmark = pytest.mark.django_db

NEW_TENANT = {
    "schema_name": "delta",
    "name": "Delta GmbH",
    "domain": "delta.localhost",
    "admin_email": "admin@delta.test",
    "admin_password": PASSWORD,
}


@pytest.fixture
def operator(alpha) -> Iterator[User]:
    connection.set_schema_to_public()
    yield operator_create(email="op@platform.test", password=PASSWORD)


@pytest.fixture
def platform(operator: User) -> APIClient:
    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=operator).key}")
    return client


def test_operator_lists_creates_and_deactivates_tenants(platform: APIClient, alpha) -> None:
    listing = platform.get("/api/v1/platform/tenants/").json()
    assert {"alpha", "beta"} <= {tenant["schema_name"] for tenant in listing["results"]}
    assert "public" not in {tenant["schema_name"] for tenant in listing["results"]}

    created = platform.post("/api/v1/platform/tenants/", NEW_TENANT)
    assert created.status_code == 201, created.json()
    assert created.json()["domain"] == "delta.localhost" and created.json()["is_active"] is True
    assert schema_exists("delta")
    assert (
        APIClient(HTTP_HOST="delta.localhost")
        .post("/api/v1/auth/token/", {"email": "admin@delta.test", "password": PASSWORD})
        .status_code
        == 201
    )

    tenant_id = created.json()["id"]
    deactivated = platform.patch(f"/api/v1/platform/tenants/{tenant_id}/", {"is_active": False})
    assert deactivated.json()["is_active"] is False
    assert APIClient(HTTP_HOST="delta.localhost").get("/api/v1/me/").status_code == 404
    connection.set_schema_to_public()
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        AuditAction.TENANT_CREATED,
        AuditAction.TENANT_DEACTIVATED,
    }
    reactivated = platform.patch(f"/api/v1/platform/tenants/{tenant_id}/", {"is_active": True})
    assert reactivated.json()["is_active"] is True


def test_operator_gets_field_errors_for_bad_tenants(platform: APIClient, alpha) -> None:
    response = platform.post("/api/v1/platform/tenants/", {**NEW_TENANT, "schema_name": "pg_catalog2"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"schema_name": ["Schema name 'pg_catalog2' is reserved."]}
    duplicate = platform.post("/api/v1/platform/tenants/", {**NEW_TENANT, "schema_name": "alpha"})
    assert duplicate.status_code == 409
    missing = platform.post("/api/v1/platform/tenants/", {"name": "x"})
    assert set(missing.json()["errors"]) == {"schema_name", "domain", "admin_email", "admin_password"}


def test_the_platform_tenant_cannot_be_deactivated(platform: APIClient) -> None:
    public = Tenant.objects.get(schema_name="public")
    assert platform.patch(f"/api/v1/platform/tenants/{public.pk}/", {"is_active": False}).status_code == 404


def test_tenant_users_and_tokens_have_no_power_on_the_platform_host(alpha) -> None:
    tenant_token = alpha.token(ADMIN)
    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Token {tenant_token}")
    assert client.get("/api/v1/platform/tenants/").status_code == 401
    assert APIClient(HTTP_HOST="localhost").get("/api/v1/platform/tenants/").status_code == 401
    # The tenant admin's credentials do not exist in the public schema.
    signin = APIClient(HTTP_HOST="localhost").post(
        "/api/v1/auth/token/", {"email": alpha.email(ADMIN), "password": PASSWORD}
    )
    assert signin.status_code == 400


def test_operator_token_is_worthless_on_a_tenant_host(platform: APIClient, operator: User, alpha) -> None:
    key = platform._credentials["HTTP_AUTHORIZATION"]
    assert alpha.api().get("/api/v1/me/", HTTP_AUTHORIZATION=key).status_code == 401


def test_platform_pages_for_operators_only(operator: User, alpha) -> None:
    from django.test import Client

    anonymous = Client(HTTP_HOST="localhost")
    assert anonymous.get("/").status_code == 200
    assert anonymous.get("/platform/tenants/").status_code == 302
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator)
    page = client.get("/platform/tenants/")
    assert page.status_code == 200 and b"Alpha Corp" in page.content
    created = client.post("/platform/tenants/", {**NEW_TENANT, "admin_name": ""})
    assert created.status_code == 302
    assert Tenant.objects.filter(schema_name="delta").exists()
    refused = client.post("/platform/tenants/", {**NEW_TENANT, "schema_name": "A-B", "domain": "ab.localhost"})
    assert refused.status_code == 200 and b"must start with a lowercase letter" in refused.content


def test_provision_tenant_command(alpha, capsys) -> None:
    connection.set_schema_to_public()
    call_command(
        "provision_tenant",
        "echo",
        "--name",
        "Echo Inc",
        "--domain",
        "echo.localhost",
        "--admin-email",
        "admin@echo.test",
        "--admin-password",
        PASSWORD,
    )
    assert "Tenant 'echo' ready at echo.localhost" in capsys.readouterr().out
    with pytest.raises(CommandError, match="schema 'echo' already exists"):
        call_command(
            "provision_tenant",
            "echo",
            "--name",
            "Echo Inc",
            "--domain",
            "echo2.localhost",
            "--admin-email",
            "admin@echo.test",
            "--admin-password",
            PASSWORD,
        )
    with pytest.raises(CommandError, match="reserved"):
        call_command(
            "provision_tenant",
            "public",
            "--name",
            "X",
            "--domain",
            "x.localhost",
            "--admin-email",
            "admin@x.test",
            "--admin-password",
            PASSWORD,
        )
