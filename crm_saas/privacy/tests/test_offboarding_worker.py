"""Offboarding end to end: started through the platform API, run by a real Celery worker over Redis
on committed data and the S3 API server, then checked in PostgreSQL, the store, the keys, the
archive and the audit trail. The archive's expiry is then run by the same worker, as beat sends it."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta

import boto3
import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import S3_TEST_ENV
from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.celery import app
from crm_saas.crypto import DecryptionFailed, KeyDestroyed
from crm_saas.crypto.envelope import decrypt_object
from crm_saas.privacy.tenant_archive import archive_decrypt
from crm_saas.privacy.tests.people import EMAIL, Person, person_build
from crm_saas.storage import get_object_store
from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop
from tenants.accounts.models import User
from tenants.accounts.services import token_issue
from tenants.models import Tenant, TenantDataKey, TenantOffboarding
from tenants.services import operator_create
from voice.services.logs import AUDIO_PURPOSE

pytestmark = pytest.mark.worker

SCHEMA = "wkr_offboard"
OPERATOR_EMAIL = "worker-operator@platform.test"


@pytest.fixture
def leaving(celery_worker, s3_storage, django_db_blocker) -> Iterator[tuple[TenantWorld, Person]]:
    """A committed tenant with a person's data in every app and a recording in S3."""
    with django_db_blocker.unblock():
        world = world_build(SCHEMA)
        try:
            with world.active():
                person = person_build(world)
            yield world, person
        finally:
            connection.set_schema_to_public()
            if Tenant.objects.filter(pk=world.tenant.pk).exists():
                world_drop(world)
            for offboarding in TenantOffboarding.objects.filter(schema_name=SCHEMA):
                if offboarding.archive_key:
                    get_object_store().delete(offboarding.archive_key)
                offboarding.delete()


@pytest.fixture
def worker_operator(django_db_blocker) -> APIClient:
    """An operator of its own (committed; public users cannot be deleted while the audit trail,
    which is append-only, names them), signed in to the platform API."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        operator = User.objects.filter(email=OPERATOR_EMAIL).first() or operator_create(
            email=OPERATOR_EMAIL, password=PASSWORD
        )
        client = APIClient(HTTP_HOST="localhost")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=operator).key}")
    return client


def _until(check: Callable[[], object], *, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen within {timeout:.0f}s")


def _schema_in_postgres(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [schema])
        namespaces = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", [schema])
        schemata = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", [schema])
        tables = cursor.fetchone()[0]
    return {"pg_namespace": namespaces, "schemata": schemata, "tables": tables}


@pytest.mark.s3
def test_the_worker_offboards_a_tenant_started_through_the_api(leaving, worker_operator: APIClient, s3_storage) -> None:
    world, person = leaving
    tenant_pk = world.tenant.pk
    s3 = boto3.client("s3", endpoint_url=s3_storage["S3_ENDPOINT_URL"], region_name="us-east-1")
    bucket = S3_TEST_ENV["S3_BUCKET"]
    prefix = f"tenants/{SCHEMA}/"
    assert s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["KeyCount"] == 1
    with world.active():
        copied = get_object_store().get(person.voice_log.storage_key)  # a copy taken away beforehand
    connection.set_schema_to_public()
    assert _schema_in_postgres(SCHEMA)["tables"] > 0
    assert TenantDataKey.objects.filter(tenant_id=tenant_pk, wrapped_key__isnull=False).count() == 1
    api = worker_operator

    started = api.post(f"/api/v1/platform/tenants/{tenant_pk}/offboarding/", {"confirm": SCHEMA}, format="json")
    assert started.status_code == 202, started.json()
    url = f"/api/v1/platform/offboardings/{started.json()['id']}/"
    assert APIClient(HTTP_HOST=world.host).get("/api/v1/me/").status_code == 404  # no longer served

    run = _until(
        lambda: (body := api.get(url).json())["status"] in {"succeeded", "failed"} and body,
        timeout=120,
        what="the offboarding",
    )
    assert run["status"] == "succeeded", run
    assert run["progress"] == 100 and run["verification"]["clean"] is True

    # PostgreSQL: no schema, no tables, no tenant row, no domain, no key rows.
    connection.set_schema_to_public()
    assert _schema_in_postgres(SCHEMA) == {"pg_namespace": 0, "schemata": 0, "tables": 0}
    assert not Tenant.objects.filter(pk=tenant_pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tenants_domain WHERE domain = %s", [world.host])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM tenants_tenantdatakey WHERE tenant_id = %s", [tenant_pk])
        assert cursor.fetchone()[0] == 0
    # The store: nothing left under the tenant's prefix.
    assert s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["KeyCount"] == 0
    # The key: destroyed before the rows went, so a copy of an object is unreadable.
    assert run["steps"]["keys_destroyed"] == 1
    connection.set_schema(SCHEMA)  # as a process that still believes in the tenant would
    try:
        with pytest.raises((KeyDestroyed, DecryptionFailed)):
            decrypt_object(blob=copied, object_id=str(person.voice_log.id), purpose=AUDIO_PURPOSE)
    finally:
        connection.set_schema_to_public()

    # The archive: stored encrypted, decrypts to the tenant's data, and the API serves the same.
    offboarding = TenantOffboarding.objects.get(pk=run["id"])
    stored = s3.get_object(Bucket=bucket, Key=offboarding.archive_key)["Body"].read()
    assert not stored.startswith(b"PK") and b"Jane" not in stored
    archive = archive_decrypt(
        blob=stored, wrapped_key=bytes(offboarding.archive_wrapped_key), offboarding_id=str(offboarding.id)
    )
    assert hashlib.sha256(archive).hexdigest() == run["archive"]["sha256"] == run["steps"]["archive"]["sha256"]
    bundle = zipfile.ZipFile(io.BytesIO(archive))
    manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["workspace"] == SCHEMA
    counts = {entry["model"]: entry["count"] for entry in manifest["records"]}
    assert counts["leads.lead"] == 2 and counts["lifecycle.customer"] == 1 and counts["accounts.user"] == 4
    assert EMAIL in bundle.read("records/leads.lead.json").decode()
    assert bundle.read(f"objects/voice/{person.voice_log.id}") == person.audio
    download = api.get(run["archive"]["download_url"])
    assert download.status_code == 200 and download.content == archive

    # The operator's trail, in the public schema.
    about_tenant = AuditEvent.objects.filter(target_type="tenant", target_label__contains=f"({SCHEMA})")
    trail = set(about_tenant.values_list("action", flat=True)) | set(
        AuditEvent.objects.filter(target_type="tenant", target_id=str(tenant_pk)).values_list("action", flat=True)
    )
    assert {
        AuditAction.TENANT_OFFBOARDING_REQUESTED,
        AuditAction.TENANT_EXPORTED,
        AuditAction.TENANT_DATA_KEY_DESTROYED,
        AuditAction.TENANT_OFFBOARDED,
        AuditAction.TENANT_ARCHIVE_DOWNLOADED,
    } <= trail
    requested = AuditEvent.objects.get(action=AuditAction.TENANT_OFFBOARDING_REQUESTED, target_id=str(tenant_pk))
    assert requested.actor_label == OPERATOR_EMAIL

    # Retention: once past its expiry, the hourly task (sent as beat sends it: no tenant) deletes it.
    TenantOffboarding.objects.filter(pk=offboarding.pk).update(archive_expires_at=timezone.now() - timedelta(hours=1))
    app.send_task("privacy.purge_expired_offboarding_archives")
    _until(
        lambda: TenantOffboarding.objects.filter(pk=offboarding.pk, archive_expired_at__isnull=False).exists(),
        timeout=60,
        what="the archive's expiry",
    )
    assert s3.list_objects_v2(Bucket=bucket, Prefix=f"platform/offboarding/{offboarding.pk}/")["KeyCount"] == 0
    assert api.get(url).json()["archive"]["state"] == "expired"
    assert api.get(f"{url}archive/").status_code == 410
    assert AuditEvent.objects.filter(
        action=AuditAction.TENANT_ARCHIVE_EXPIRED, metadata__offboarding=str(offboarding.pk)
    ).exists()
