"""The platform API for offboarding: start (confirmed by the schema name), follow, download and
delete the archive; operators only, and every mistake answered with a 4xx that says what to do."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_exists
from rest_framework.test import APIClient

from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.privacy.offboarding import tenant_offboard_run
from crm_saas.privacy.tests.people import EMAIL, person_build
from crm_saas.privacy.tests.test_offboarding import _settle_constraints
from crm_saas.testing.world import world_build
from tenants.models import OffboardingStatus, Tenant, TenantOffboarding
from tests.surface import ANON, OPERATOR, PLATFORM_USER, TENANT_ADMIN, platform_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_api(alpha) -> APIClient:
    connection.set_schema_to_public()
    return platform_client(alpha, OPERATOR)


def _start(client: APIClient, tenant: Tenant, body: object) -> object:
    return client.post(f"/api/v1/platform/tenants/{tenant.pk}/offboarding/", body, format="json")


def _nothing_started(tenant: Tenant) -> None:
    connection.set_schema_to_public()
    assert not TenantOffboarding.objects.filter(tenant_pk=tenant.pk).exists()
    assert Tenant.objects.get(pk=tenant.pk).is_active
    assert not AuditEvent.objects.filter(action=AuditAction.TENANT_OFFBOARDING_REQUESTED).exists()


def test_operator_offboards_a_tenant_and_follows_it_to_the_archive(operator_api: APIClient, settings) -> None:
    settings.OFFBOARDING_ARCHIVE_DAYS = 30
    world = world_build("api_leaving")
    with world.active():
        person = person_build(world)
    connection.set_schema_to_public()
    tenant = Tenant.objects.get(schema_name="api_leaving")

    started = _start(operator_api, tenant, {"confirm": " api_leaving "})
    assert started.status_code == 202, started.json()
    body = started.json()
    assert body["status"] == "queued" and body["progress"] == 0
    assert body["tenant_id"] == tenant.pk and body["schema_name"] == "api_leaving"
    assert body["requested_by"] == "operator@platform.test"
    assert body["verification"] is None
    assert body["archive"]["state"] == "pending" and body["archive"]["download_url"] is None
    assert not Tenant.objects.get(pk=tenant.pk).is_active  # no longer served, at once
    url = f"/api/v1/platform/offboardings/{body['id']}/"

    # While it runs, the archive can be neither downloaded nor deleted.
    early = operator_api.get(f"{url}archive/")
    assert early.status_code == 409
    assert early.json()["detail"] == "The archive is not ready yet: the offboarding is still running."
    assert operator_api.delete(f"{url}archive/").status_code == 409
    again = _start(operator_api, tenant, {"confirm": "api_leaving"})
    assert again.status_code == 409
    assert again.json()["detail"] == "This tenant is already being offboarded."

    _settle_constraints()
    tenant_offboard_run(offboarding_id=body["id"])

    done = operator_api.get(url).json()
    assert done["status"] == "succeeded" and done["progress"] == 100 and done["error"] == ""
    assert done["verification"]["clean"] is True
    assert done["verification"]["schema_exists"] is False and done["verification"]["objects_remaining"] == 0
    assert done["steps"]["keys_destroyed"] == 1 and done["steps"]["schema_dropped"] is True
    archive = done["archive"]
    assert archive["state"] == "available"
    assert archive["download_url"] == f"{url}archive/"
    expires_at = timezone.datetime.fromisoformat(archive["expires_at"])
    assert abs(expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=5)
    assert [item["id"] for item in operator_api.get("/api/v1/platform/offboardings/").json()["results"]] == [body["id"]]

    download = operator_api.get(archive["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith('attachment; filename="tenant-api_leaving-')
    bundle = zipfile.ZipFile(io.BytesIO(download.content))
    assert json.loads(bundle.read("manifest.json"))["workspace"] == "api_leaving"
    assert EMAIL in bundle.read("records/leads.lead.json").decode()
    assert bundle.read(f"objects/voice/{person.voice_log.id}") == person.audio
    assert AuditEvent.objects.filter(action=AuditAction.TENANT_ARCHIVE_DOWNLOADED).count() == 1

    # Offboarded is final: a second request is refused with the date, not a bare "not found".
    twice = _start(operator_api, tenant, {"confirm": "api_leaving"})
    assert twice.status_code == 409
    assert twice.json()["detail"].startswith("This tenant was already offboarded on ")

    deleted = operator_api.delete(f"{url}archive/")
    assert deleted.status_code == 200
    assert deleted.json()["archive"]["state"] == "deleted" and deleted.json()["archive"]["download_url"] is None
    gone = operator_api.get(f"{url}archive/")
    assert gone.status_code == 410 and gone.json()["detail"].startswith("The archive was deleted on ")
    assert operator_api.delete(f"{url}archive/").status_code == 200  # already gone: nothing changes
    assert AuditEvent.objects.filter(action=AuditAction.TENANT_ARCHIVE_DELETED).count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"confirm": "Alpha Corp"}, "To confirm, type the schema name 'alpha' exactly."),
        ({"confirm": "ALPHA"}, "To confirm, type the schema name 'alpha' exactly."),
        ({"confirm": ""}, "To confirm, type the schema name 'alpha' exactly."),
        ({}, "To confirm, type the schema name 'alpha' exactly."),
        ({"confirm": ["alpha"]}, "Not a valid string."),
        ({"confirm": "a" * 201}, "Ensure this field has no more than 200 characters."),
    ],
)
def test_a_wrong_confirmation_is_refused_and_changes_nothing(
    operator_api: APIClient, alpha, body: dict, message: str
) -> None:
    response = _start(operator_api, alpha.tenant, body)
    assert response.status_code == 400
    assert response.json()["errors"] == {"confirm": [message]}
    _nothing_started(alpha.tenant)
    assert schema_exists("alpha")


def test_a_body_that_is_not_json_is_a_400(operator_api: APIClient, alpha) -> None:
    response = operator_api.generic(
        "POST", f"/api/v1/platform/tenants/{alpha.tenant.pk}/offboarding/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]
    _nothing_started(alpha.tenant)


def test_unknown_tenants_offboardings_and_the_platform_itself_are_404(operator_api: APIClient, alpha) -> None:
    public = Tenant.objects.get(schema_name="public")
    for tenant_id in (10**9, public.pk):
        response = operator_api.post(f"/api/v1/platform/tenants/{tenant_id}/offboarding/", {"confirm": "public"})
        assert response.status_code == 404
        assert response.json() == {"detail": "Tenant not found.", "errors": {}}
    assert schema_exists("public") and not TenantOffboarding.objects.exists()
    for path in (f"/api/v1/platform/offboardings/{uuid4()}/", f"/api/v1/platform/offboardings/{uuid4()}/archive/"):
        response = operator_api.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Offboarding not found.", "errors": {}}
    assert operator_api.delete(f"/api/v1/platform/offboardings/{uuid4()}/archive/").status_code == 404
    assert operator_api.get("/api/v1/platform/offboardings/not-a-uuid/").status_code == 404


@pytest.mark.parametrize(("role", "status"), [(PLATFORM_USER, 403), (TENANT_ADMIN, 401), (ANON, 401)])
def test_only_operators_may_offboard(alpha, role: str, status: int) -> None:
    client = platform_client(alpha, role)
    response = _start(client, alpha.tenant, {"confirm": "alpha"})
    assert response.status_code == status
    assert response.json()["detail"]
    _nothing_started(alpha.tenant)
    assert client.get("/api/v1/platform/offboardings/").status_code == status


def test_a_failed_run_without_an_archive_says_so(operator_api: APIClient, alpha) -> None:
    failed = TenantOffboarding.objects.create(
        tenant_pk=10**9,
        schema_name="broken",
        tenant_name="Broken Ltd",
        status=OffboardingStatus.FAILED,
        error="Offboarding failed: see the worker's log.",
        finished_at=timezone.now(),
    )
    detail = operator_api.get(f"/api/v1/platform/offboardings/{failed.pk}/").json()
    assert detail["status"] == "failed" and detail["error"] == "Offboarding failed: see the worker's log."
    assert detail["archive"]["state"] == "none"
    response = operator_api.get(f"/api/v1/platform/offboardings/{failed.pk}/archive/")
    assert response.status_code == 409
    assert response.json()["detail"] == "This offboarding has no archive: it failed before the archive was made."


def test_listing_offboardings_costs_a_fixed_number_of_queries(operator_api: APIClient, alpha) -> None:
    from tests.surface import platform_account

    operator = platform_account(OPERATOR)

    def listed(count: int) -> int:
        for index in range(TenantOffboarding.objects.count(), count):
            TenantOffboarding.objects.create(
                tenant_pk=10**9 + index, schema_name=f"gone{index}", tenant_name="Gone", requested_by=operator
            )
        with CaptureQueriesContext(connection) as captured:
            response = operator_api.get("/api/v1/platform/offboardings/")
        assert response.json()["count"] == count
        assert {item["requested_by"] for item in response.json()["results"]} == {"operator@platform.test"}
        return len(captured)

    listed(1)  # the first request also warms the routing cache
    assert listed(2) == listed(12)
