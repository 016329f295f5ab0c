"""Tenant offboarding by a platform operator: archive (decrypted), then no schema, no objects, no
key material, and the operator's trail in the public schema."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_exists

from conftest import S3_TEST_ENV
from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.crypto import DecryptionFailed, KeyDestroyed
from crm_saas.privacy.offboarding import tenant_offboard_run
from crm_saas.privacy.tests.people import EMAIL, person_build
from crm_saas.testing.world import PASSWORD, world_build
from tenants.models import Domain, Tenant, TenantDataKey, TenantOffboarding
from tenants.services import operator_create
from voice.services.logs import AUDIO_PURPOSE

pytestmark = pytest.mark.django_db


def _settle_constraints() -> None:
    """The test's rows were written in this very transaction; PostgreSQL will not drop tables with
    deferred foreign key checks pending, which committed data (the real case) never has."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def operator_web(alpha) -> Client:
    connection.set_schema_to_public()
    operator = operator_create(email="op@platform.test", password=PASSWORD)
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator)
    return client


@pytest.mark.s3
def test_offboarding_archives_then_leaves_no_schema_objects_or_key(operator_web: Client, s3_storage) -> None:
    world = world_build("leaving")
    with world.active():
        person = person_build(world)
        log_id = str(person.voice_log.id)
    connection.set_schema_to_public()
    tenant = Tenant.objects.get(schema_name="leaving")
    s3 = boto3.client("s3", endpoint_url=s3_storage["S3_ENDPOINT_URL"], region_name="us-east-1")
    bucket = S3_TEST_ENV["S3_BUCKET"]
    assert s3.list_objects_v2(Bucket=bucket, Prefix="tenants/leaving/")["KeyCount"] == 1

    page = f"/platform/tenants/{tenant.pk}/offboard/"
    assert operator_web.get(page).status_code == 200
    wrong = operator_web.post(page, {"confirm": "Leaving Corp"})
    assert wrong.status_code == 400 and b"type the schema name" in wrong.content
    assert not TenantOffboarding.objects.exists() and Tenant.objects.get(pk=tenant.pk).is_active
    assert operator_web.post(page, {"confirm": "leaving"}).status_code == 302
    offboarding = TenantOffboarding.objects.get()
    assert not Tenant.objects.get(pk=tenant.pk).is_active  # no longer served, at once

    _settle_constraints()
    tenant_offboard_run(offboarding_id=offboarding.pk)

    offboarding.refresh_from_db()
    assert offboarding.status == "succeeded", offboarding.error
    verification = offboarding.report["verification"]
    assert verification["clean"] is True
    assert not schema_exists("leaving")
    assert s3.list_objects_v2(Bucket=bucket, Prefix="tenants/leaving/")["KeyCount"] == 0
    assert not Tenant.objects.filter(pk=tenant.pk).exists()
    assert not Domain.objects.filter(domain=world.host).exists()
    assert not TenantDataKey.objects.filter(tenant_id=tenant.pk).exists()
    assert offboarding.report["steps"]["keys_destroyed"] == 1
    # The operator's trail, in the public schema.
    trail = set(AuditEvent.objects.filter(target_label__contains="leaving").values_list("action", flat=True)) | set(
        AuditEvent.objects.filter(target_id=str(tenant.pk), target_type="tenant").values_list("action", flat=True)
    )
    assert {
        AuditAction.TENANT_OFFBOARDING_REQUESTED,
        AuditAction.TENANT_EXPORTED,
        AuditAction.TENANT_DATA_KEY_DESTROYED,
        AuditAction.TENANT_OFFBOARDED,
    } <= trail

    # The archive holds every row and the decrypted recording.
    response = operator_web.get(f"/platform/offboarding/{offboarding.pk}/archive/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = json.loads(archive.read("manifest.json"))
    counts = {entry["model"]: entry["count"] for entry in manifest["records"]}
    assert counts["leads.lead"] == 2 and counts["lifecycle.customer"] == 1 and counts["accounts.user"] == 4
    assert EMAIL in archive.read("records/leads.lead.json").decode()
    assert "password" not in json.loads(archive.read("records/accounts.user.json"))[0]["fields"]
    assert archive.read(f"objects/voice/{log_id}") == person.audio
    assert AuditEvent.objects.filter(action=AuditAction.TENANT_ARCHIVE_DOWNLOADED).exists()
    stored = s3.get_object(Bucket=bucket, Key=offboarding.archive_key)["Body"].read()
    assert b"Jane" not in stored and not stored.startswith(b"PK")  # encrypted at rest

    # Deleting the archive removes the last copy.
    assert operator_web.post(f"/platform/offboarding/{offboarding.pk}/archive/delete/").status_code == 302
    assert s3.list_objects_v2(Bucket=bucket, Prefix="platform/offboarding/")["KeyCount"] == 0
    gone = operator_web.get(f"/platform/offboarding/{offboarding.pk}/archive/")
    assert gone.status_code == 410 and b"The archive was deleted on" in gone.content


def test_a_copy_of_an_offboarded_tenants_object_is_unreadable(operator_web: Client) -> None:
    """Crypto-shredding: a ciphertext copied away before offboarding cannot be decrypted after."""
    from crm_saas.storage import get_object_store

    world = world_build("shredded")
    with world.active():
        person = person_build(world)
        copied = get_object_store().get(person.voice_log.storage_key)
    connection.set_schema_to_public()
    tenant = Tenant.objects.get(schema_name="shredded")
    operator_web.post(f"/platform/tenants/{tenant.pk}/offboard/", {"confirm": "shredded"})
    _settle_constraints()
    tenant_offboard_run(offboarding_id=TenantOffboarding.objects.get().pk)
    assert TenantOffboarding.objects.get().status == "succeeded"
    from crm_saas.crypto.envelope import decrypt_object

    connection.set_schema("shredded")  # as a process that still believes in the tenant would
    try:
        with pytest.raises((KeyDestroyed, DecryptionFailed)):
            decrypt_object(blob=copied, object_id=str(person.voice_log.id), purpose=AUDIO_PURPOSE)
    finally:
        connection.set_schema_to_public()


def test_only_operators_reach_offboarding_and_tenant_admins_do_not(alpha) -> None:
    connection.set_schema_to_public()
    tenant = Tenant.objects.get(schema_name="alpha")
    tenant_admin = alpha.web("admin")
    assert tenant_admin.get(f"/platform/tenants/{tenant.pk}/offboard/").status_code == 404
    anonymous = Client(HTTP_HOST="localhost")
    assert anonymous.post(f"/platform/tenants/{tenant.pk}/offboard/", {"confirm": "alpha"}).status_code == 302
    assert schema_exists("alpha") and not TenantOffboarding.objects.exists()
