"""Tenant offboarding, a platform operator's action in the public schema.

1. ``tenant_offboard_request``: the operator types the tenant's schema name to confirm; the tenant
   stops being served at once, and the work is queued.
2. ``tenant_offboard_run`` (a worker): archive every row and object of the tenant (decrypted),
   encrypted under an archive key of its own; then destroy the tenant's data keys
   (crypto-shredding: any copy of its objects left anywhere is unreadable), delete every object
   under its prefix, drop its schema, and delete its domains and tenant row.
3. Verify: no schema, no object under the prefix, no live key material, no domain. The report is
   kept on the ``TenantOffboarding`` row, and each step is in the platform's audit trail.
4. The archive is kept for ``OFFBOARDING_ARCHIVE_DAYS`` (``archive_expires_at``) for the operators to
   hand over, then ``tenant_archives_purge_expired`` (hourly, public schema) deletes it; an operator
   may delete it sooner.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record
from crm_saas.crypto import tenant_data_key_destroy
from crm_saas.errors import ConflictError, DomainError
from crm_saas.privacy.tenant_archive import archive_decrypt, archive_encrypt, tenant_archive_build
from crm_saas.storage import get_object_store
from crm_saas.storage.keys import tenant_prefix
from tenants.models import Domain, OffboardingStatus, Tenant, TenantDataKey, TenantOffboarding
from tenants.selectors import tenant_offboarding_get

logger = logging.getLogger(__name__)
RETENTION_ACTOR = "Retention policy"


class ArchiveGone(DomainError):
    status_code = 410
    default_code = "gone"


def _require_public() -> None:
    if connection.schema_name != get_public_schema_name():
        raise RuntimeError("Tenants are offboarded from the public schema.")


def archive_object_key(offboarding: TenantOffboarding) -> str:
    return f"platform/offboarding/{offboarding.id}/archive"


def tenant_offboard_request(*, tenant: Tenant, actor: Any, confirm: str, request: Any = None) -> TenantOffboarding:
    """Check the typed confirmation, stop serving the tenant, queue the offboarding; audited."""
    _require_public()
    if tenant.schema_name == get_public_schema_name():
        raise DomainError("The platform tenant cannot be offboarded.", field="confirm")
    if (confirm or "").strip() != tenant.schema_name:
        raise DomainError(f"To confirm, type the schema name '{tenant.schema_name}' exactly.", field="confirm")
    if TenantOffboarding.objects.filter(
        tenant=tenant, status__in=[OffboardingStatus.QUEUED, OffboardingStatus.RUNNING]
    ).exists():
        raise ConflictError("This tenant is already being offboarded.", field="confirm")
    from crm_saas.privacy.tasks import tenant_offboard_task

    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.is_active:
            locked.is_active = False
            locked.deactivated_at = timezone.now()
            locked.save(update_fields=["is_active", "deactivated_at"])
        offboarding = TenantOffboarding.objects.create(
            tenant=locked,
            tenant_pk=locked.pk,
            schema_name=locked.schema_name,
            tenant_name=locked.name,
            requested_by=actor,
        )
        audit_record(
            action=AuditAction.TENANT_OFFBOARDING_REQUESTED,
            request=request,
            actor=actor,
            target=locked,
            metadata={"offboarding": str(offboarding.id)},
        )
        offboarding_id = str(offboarding.id)
        transaction.on_commit(
            lambda: tenant_offboard_task.apply_async(
                kwargs={"offboarding_id": offboarding_id}, headers={"_schema_name": get_public_schema_name()}
            )
        )
    return offboarding


def _progress(offboarding: TenantOffboarding, percent: int) -> None:
    TenantOffboarding.objects.filter(pk=offboarding.pk).update(progress=percent)


def tenant_offboard_run(*, offboarding_id: Any) -> TenantOffboarding | None:
    """Archive, shred, delete, verify. Safe to run again: finished offboardings are left alone, and
    each step skips what an interrupted run already did."""
    _require_public()
    offboarding = TenantOffboarding.objects.filter(pk=offboarding_id).first()
    if offboarding is None or offboarding.status == OffboardingStatus.SUCCEEDED:
        return offboarding
    offboarding.status = OffboardingStatus.RUNNING
    offboarding.error = ""
    offboarding.save(update_fields=["status", "error"])
    try:
        _run(offboarding)
    except Exception as exc:
        logger.exception("Offboarding %s of %s failed", offboarding.id, offboarding.schema_name)
        offboarding.status = OffboardingStatus.FAILED
        offboarding.error = exc.message if isinstance(exc, DomainError) else "Offboarding failed: see the worker's log."
        offboarding.finished_at = timezone.now()
        offboarding.save(update_fields=["status", "error", "finished_at"])
    finally:
        connection.set_schema_to_public()
    return offboarding


def _run(offboarding: TenantOffboarding) -> None:
    schema = offboarding.schema_name
    store = get_object_store()
    steps: dict[str, Any] = dict(offboarding.report.get("steps", {}))

    if not offboarding.archive_key and schema_exists(schema):
        with schema_context(schema):
            archive = tenant_archive_build(
                schema_name=schema,
                tenant_name=offboarding.tenant_name,
                progress=lambda percent: _progress(offboarding, percent),
            )
        tenant_archive_store(offboarding=offboarding, archive=archive)
        steps["archive"] = {"bytes": len(archive), "sha256": offboarding.archive_sha256}
        audit_record(
            action=AuditAction.TENANT_EXPORTED,
            actor=offboarding.requested_by,
            target_type="tenant",
            target_label=f"{offboarding.tenant_name} ({schema})",
            metadata={"offboarding": str(offboarding.id), "bytes": len(archive)},
        )
    _progress(offboarding, 75)

    tenant = Tenant.objects.filter(pk=offboarding.tenant_pk).first()
    if tenant is not None:
        steps["keys_destroyed"] = tenant_data_key_destroy(tenant=tenant, actor=offboarding.requested_by)
    prefix = tenant_prefix(schema)
    keys = store.list_keys(prefix)
    for key in keys:
        store.delete(key)
    steps["objects_deleted"] = steps.get("objects_deleted", 0) + len(keys)
    _progress(offboarding, 85)

    if tenant is not None:
        with transaction.atomic():
            Domain.objects.filter(tenant=tenant).delete()
            # The key rows go with the tenant row; their material was wiped above.
            tenant.delete(force_drop=True)
    steps["schema_dropped"] = True

    verification = tenant_offboard_verify(offboarding)
    offboarding.report = {"steps": steps, "verification": verification}
    offboarding.status = OffboardingStatus.SUCCEEDED if verification["clean"] else OffboardingStatus.FAILED
    offboarding.error = "" if verification["clean"] else "Some of the tenant's data is still there; see the report."
    offboarding.progress = 100
    offboarding.finished_at = timezone.now()
    offboarding.save(update_fields=["report", "status", "error", "progress", "finished_at"])
    audit_record(
        action=AuditAction.TENANT_OFFBOARDED,
        actor=offboarding.requested_by,
        target_type="tenant",
        target_label=f"{offboarding.tenant_name} ({schema})",
        metadata={"offboarding": str(offboarding.id), "clean": verification["clean"], **steps},
    )


def tenant_archive_store(*, offboarding: TenantOffboarding, archive: bytes, now: datetime | None = None) -> None:
    """Encrypt ``archive`` under a key of its own, store it, and fix when it expires."""
    now = now or timezone.now()
    blob, wrapped = archive_encrypt(archive=archive, offboarding_id=str(offboarding.id))
    key = archive_object_key(offboarding)
    get_object_store().put(key, blob)
    offboarding.archive_key = key
    offboarding.archive_wrapped_key = wrapped
    offboarding.archive_size = len(archive)
    offboarding.archive_sha256 = hashlib.sha256(archive).hexdigest()
    offboarding.archive_expires_at = now + timedelta(days=settings.OFFBOARDING_ARCHIVE_DAYS)
    offboarding.save(
        update_fields=["archive_key", "archive_wrapped_key", "archive_size", "archive_sha256", "archive_expires_at"]
    )


def tenant_offboard_verify(offboarding: TenantOffboarding) -> dict[str, Any]:
    schema = offboarding.schema_name
    objects_left = get_object_store().list_keys(tenant_prefix(schema))
    live_keys = TenantDataKey.objects.filter(tenant_id=offboarding.tenant_pk, wrapped_key__isnull=False).count()
    result = {
        "checked_at": timezone.now().isoformat(),
        "schema_exists": schema_exists(schema),
        "objects_remaining": len(objects_left),
        "live_data_keys": live_keys,
        "tenant_row_exists": Tenant.objects.filter(pk=offboarding.tenant_pk).exists(),
        "domains_remaining": Domain.objects.filter(tenant_id=offboarding.tenant_pk).count(),
    }
    result["clean"] = not (
        result["schema_exists"]
        or result["objects_remaining"]
        or live_keys
        or result["tenant_row_exists"]
        or result["domains_remaining"]
    )
    return result


def _archive_label(offboarding: TenantOffboarding) -> str:
    return f"{offboarding.tenant_name} ({offboarding.schema_name})"


def tenant_archive_download(*, offboarding_id: Any, actor: Any, request: Any = None) -> tuple[bytes, str]:
    """The decrypted archive for a platform operator; audited.

    404 for an unknown offboarding, 409 while the archive is being made (or if the run failed
    before making it), 410 once deleted or expired."""
    _require_public()
    offboarding = tenant_offboarding_get(offboarding_id=offboarding_id)
    if not offboarding.archive_key or offboarding.archive_wrapped_key is None:
        if offboarding.archive_expired_at:
            raise ArchiveGone(f"The archive expired on {offboarding.archive_expired_at:%Y-%m-%d} and was deleted.")
        if offboarding.archive_deleted_at:
            raise ArchiveGone(f"The archive was deleted on {offboarding.archive_deleted_at:%Y-%m-%d}.")
        if not offboarding.is_finished:
            raise ConflictError("The archive is not ready yet: the offboarding is still running.")
        raise ConflictError("This offboarding has no archive: it failed before the archive was made.")
    if offboarding.archive_expires_at and offboarding.archive_expires_at <= timezone.now():
        raise ArchiveGone(f"The archive expired on {offboarding.archive_expires_at:%Y-%m-%d}; it is being deleted.")
    blob = get_object_store().get(offboarding.archive_key)
    archive = archive_decrypt(
        blob=blob, wrapped_key=bytes(offboarding.archive_wrapped_key), offboarding_id=str(offboarding.id)
    )
    audit_record(
        action=AuditAction.TENANT_ARCHIVE_DOWNLOADED,
        request=request,
        actor=actor,
        target_type="tenant",
        target_label=_archive_label(offboarding),
        metadata={"offboarding": str(offboarding.id)},
    )
    return archive, f"tenant-{offboarding.schema_name}-{offboarding.created_at:%Y%m%d}.zip"


def tenant_archive_delete(*, offboarding_id: Any, actor: Any, request: Any = None) -> TenantOffboarding:
    """Delete the archive once the customer has it: the object, and the only copy of its key.
    Deleting an archive that is already gone changes nothing."""
    _require_public()
    offboarding = tenant_offboarding_get(offboarding_id=offboarding_id)
    if not offboarding.is_finished:
        raise ConflictError("The offboarding is still running; delete its archive once it has finished.")
    if offboarding.archive_key:
        get_object_store().delete(offboarding.archive_key)
        offboarding.archive_key = ""
        offboarding.archive_wrapped_key = None
        offboarding.archive_deleted_at = timezone.now()
        offboarding.save(update_fields=["archive_key", "archive_wrapped_key", "archive_deleted_at"])
        audit_record(
            action=AuditAction.TENANT_ARCHIVE_DELETED,
            request=request,
            actor=actor,
            target_type="tenant",
            target_label=_archive_label(offboarding),
            metadata={"offboarding": str(offboarding.id)},
        )
    return offboarding


def tenant_archives_purge_expired(*, now: datetime | None = None) -> int:
    """Delete every offboarding archive past its expiry from the store and forget its key; each one
    is audited in the public schema. Returns how many were deleted. Safe to run again."""
    _require_public()
    now = now or timezone.now()
    store = get_object_store()
    purged = 0
    for offboarding in TenantOffboarding.objects.filter(archive_expires_at__lte=now).exclude(archive_key=""):
        store.delete(offboarding.archive_key)
        updated = TenantOffboarding.objects.filter(pk=offboarding.pk, archive_key=offboarding.archive_key).update(
            archive_key="", archive_wrapped_key=None, archive_expired_at=now
        )
        if not updated:
            continue  # deleted meanwhile by an operator or another run
        purged += 1
        audit_record(
            action=AuditAction.TENANT_ARCHIVE_EXPIRED,
            actor_label=RETENTION_ACTOR,
            target_type="tenant",
            target_label=_archive_label(offboarding),
            metadata={"offboarding": str(offboarding.id), "expires_at": offboarding.archive_expires_at.isoformat()},
        )
    if purged:
        logger.info("Deleted %d expired offboarding archive(s)", purged)
    return purged
