"""Offboarding archives are kept CRM_OFFBOARDING_ARCHIVE_DAYS, then the hourly task (public schema)
deletes them from the store, forgets their key, and says so in the platform's audit trail."""

from __future__ import annotations

import io
import itertools
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.privacy.offboarding import archive_object_key, tenant_archive_store
from crm_saas.privacy.tasks import tenant_archives_purge_expired_task
from crm_saas.storage import get_object_store
from tenants.models import OffboardingStatus, TenantOffboarding
from tests.surface import OPERATOR, platform_account, platform_client

pytestmark = pytest.mark.django_db


_tenant_pks = itertools.count()


def _archive() -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as bundle:
        bundle.writestr("manifest.json", '{"format": "crm_saas.tenant-archive/1"}')
    return data.getvalue()


def _offboarded(schema: str, *, archived_days_ago: float) -> TenantOffboarding:
    """A finished offboarding whose archive was stored ``archived_days_ago``."""
    made = timezone.now() - timedelta(days=archived_days_ago)
    offboarding = TenantOffboarding.objects.create(
        tenant_pk=10**9 + next(_tenant_pks),  # tenants long gone
        schema_name=schema,
        tenant_name=f"{schema.title()} Ltd",
        status=OffboardingStatus.SUCCEEDED,
        progress=100,
        finished_at=made,
    )
    tenant_archive_store(offboarding=offboarding, archive=_archive(), now=made)
    return offboarding


@pytest.fixture
def public(alpha) -> None:
    connection.set_schema_to_public()


def test_the_expiry_is_fixed_when_the_archive_is_stored(public, settings) -> None:
    settings.OFFBOARDING_ARCHIVE_DAYS = 7
    offboarding = _offboarded("weekly", archived_days_ago=0)
    offboarding.refresh_from_db()
    assert abs(offboarding.archive_expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    assert offboarding.archive_state == "available"


def test_the_task_deletes_archives_past_retention_and_keeps_newer_ones(public, settings) -> None:
    settings.OFFBOARDING_ARCHIVE_DAYS = 30
    assert django_settings.CELERY_BEAT_SCHEDULE["purge-expired-offboarding-archives"]["task"] == (
        tenant_archives_purge_expired_task.name
    )
    old = _offboarded("old", archived_days_ago=31)
    new = _offboarded("new", archived_days_ago=29)
    store = get_object_store()
    assert store.exists(archive_object_key(old)) and store.exists(archive_object_key(new))

    assert tenant_archives_purge_expired_task() == 1

    old.refresh_from_db()
    new.refresh_from_db()
    assert not store.exists(archive_object_key(old))
    assert old.archive_key == "" and old.archive_wrapped_key is None
    assert old.archive_expired_at is not None and old.archive_deleted_at is None
    assert old.archive_state == "expired"
    assert store.exists(archive_object_key(new)) and new.archive_key and new.archive_state == "available"
    [event] = AuditEvent.objects.filter(action=AuditAction.TENANT_ARCHIVE_EXPIRED)
    assert event.target_label == "Old Ltd (old)" and event.actor_label == "Retention policy"
    assert event.metadata["offboarding"] == str(old.pk)

    # Run again (the next hour): nothing more to do, nothing audited twice.
    assert tenant_archives_purge_expired_task() == 0
    assert AuditEvent.objects.filter(action=AuditAction.TENANT_ARCHIVE_EXPIRED).count() == 1


def test_operators_see_the_expiry_in_the_api_and_on_the_page(public, alpha, settings) -> None:
    settings.OFFBOARDING_ARCHIVE_DAYS = 30
    old = _offboarded("old", archived_days_ago=31)
    new = _offboarded("new", archived_days_ago=29)
    api = platform_client(alpha, OPERATOR)

    # Past its date, an archive cannot be downloaded even before the task has run.
    late = api.get(f"/api/v1/platform/offboardings/{old.pk}/archive/")
    assert late.status_code == 410 and "expired on" in late.json()["detail"]
    tenant_archives_purge_expired_task()

    results = api.get("/api/v1/platform/offboardings/").json()["results"]
    listing = {item["schema_name"]: item["archive"] for item in results}
    new.refresh_from_db()
    assert listing["new"]["state"] == "available"
    assert listing["new"]["expires_at"] == new.archive_expires_at.isoformat().replace("+00:00", "Z")
    assert listing["new"]["download_url"]
    assert listing["old"]["state"] == "expired" and listing["old"]["expired_at"]
    assert listing["old"]["download_url"] is None
    gone = api.get(f"/api/v1/platform/offboardings/{old.pk}/archive/")
    assert gone.status_code == 410 and gone.json()["detail"].startswith("The archive expired on ")
    assert api.get(f"/api/v1/platform/offboardings/{new.pk}/archive/").status_code == 200

    page = Client(HTTP_HOST="localhost")
    page.force_login(platform_account(OPERATOR))
    html = page.get("/platform/offboarding/").content.decode()
    assert f"Expires {new.archive_expires_at:%Y-%m-%d %H:%M}" in html
    assert f"Expired, deleted {timezone.now():%Y-%m-%d}" in html
    assert "kept 30 days" in html


def test_the_purge_runs_only_in_the_public_schema(alpha) -> None:
    with schema_context("alpha"), pytest.raises(RuntimeError, match="public schema"):
        tenant_archives_purge_expired_task()
