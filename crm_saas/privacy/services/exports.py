"""A person's data export: every record and file the providers know, as an encrypted bundle that
only the admin who asked can download, until it expires.

The bundle is encrypted under the tenant's data key (purpose ``privacy-export``, bound to the
request's id) and stored at ``tenants/<schema>/privacy/exports/<request id>``; the download
decrypts it for the requester. The hourly purge deletes expired bundles.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record
from crm_saas.crypto import DecryptionFailed, encrypted_get, encrypted_put
from crm_saas.errors import ConflictError, DomainError
from crm_saas.jobs.models import Job
from crm_saas.jobs.services import ProgressCallback, job_create, job_enqueue
from crm_saas.privacy.bundle import BundleWriter
from crm_saas.privacy.models import PrivacyRequest, PrivacyRequestKind, PrivacyRequestStatus
from crm_saas.privacy.registry import providers
from crm_saas.privacy.selectors import privacy_export_get_for_requester
from crm_saas.privacy.services.common import (
    request_finish,
    request_query,
    request_run,
    require_privacy_admin,
)
from crm_saas.privacy.subjects import subject_pseudonym, subject_query_parse, subject_resolve, subject_resolve_existing
from crm_saas.storage import get_object_store, tenant_object_key

logger = logging.getLogger(__name__)

JOB_KIND = "privacy.export"
BUNDLE_PURPOSE = "privacy-export"
BUNDLE_FORMAT = "crm_saas.privacy.person-export/1"


class ExportGone(DomainError):
    status_code = 410
    default_code = "export_expired"


def export_bundle_key(request_id: Any) -> str:
    return tenant_object_key("privacy", "exports", str(request_id))


def privacy_export_request(*, actor: Any, data: dict[str, Any], request: Any = None) -> PrivacyRequest:
    """Queue the export of everything about the person named in ``data``; audited."""
    require_privacy_admin(actor)
    query = subject_query_parse(data)
    subject = subject_resolve_existing(query)
    ref = subject_pseudonym(query, subject)
    from crm_saas.privacy.tasks import privacy_export_task

    with transaction.atomic():
        export = PrivacyRequest.objects.create(
            kind=PrivacyRequestKind.EXPORT,
            subject_ref=ref,
            subject_label=query.label,
            query=query.as_dict(),
            requested_by=actor,
        )
        export.job = job_create(kind=JOB_KIND, created_by=actor, params={"privacy_request_id": str(export.id)})
        export.save(update_fields=["job"])
        audit_record(
            action=AuditAction.PRIVACY_EXPORT_REQUESTED,
            request=request,
            actor=actor,
            target_type="person",
            target_label=query.label,
            subject_ref=ref,
            metadata={"privacy_request": str(export.id)},
        )
        job_enqueue(job=export.job, task=privacy_export_task)
    return export


def privacy_export_run(job: Job, report_progress: ProgressCallback) -> dict[str, Any]:
    """The job: collect, bundle, encrypt and store. Safe to run again (it rebuilds the bundle)."""
    return request_run(job, PrivacyRequestKind.EXPORT, _build_and_store, report_progress, what="export")


def _build_and_store(export: PrivacyRequest, report_progress: ProgressCallback) -> dict[str, Any]:
    subject = subject_resolve(request_query(export))
    now = timezone.now()
    writer = BundleWriter(
        format_name=BUNDLE_FORMAT,
        about={
            "request_id": str(export.id),
            "subject": export.subject_label,
            "subject_ref": export.subject_ref,
            "workspace": connection.schema_name,
            "generated_at": now.isoformat(),
            "identities": {
                "emails": sorted(subject.emails),
                "lead_ids": sorted(subject.lead_ids),
                "customer_ids": sorted(subject.customer_ids),
            },
        },
    )
    registered = providers()
    counts: dict[str, int] = {}
    for index, provider in enumerate(registered):
        for record_set in provider.record_sets(subject):
            counts[record_set.label] = writer.add_records(
                label=record_set.label, queryset=record_set.queryset, provider=provider.name
            )
        for stored in provider.files(subject):
            data = stored.read()
            if stored.sha256 and hashlib.sha256(data).hexdigest() != stored.sha256:
                raise DecryptionFailed()  # never hand out bytes other than the ones recorded
            writer.add_file(name=stored.name, data=data, record=stored.record, content_type=stored.content_type)
        report_progress(10 + int(70 * (index + 1) / len(registered)))
    files = len(writer.manifest["files"])
    bundle = writer.close()
    key = export_bundle_key(export.id)
    encrypted_put(key=key, plaintext=bundle, object_id=str(export.id), purpose=BUNDLE_PURPOSE)
    report_progress(95)
    summary = {"records": counts, "files": files, "bundle_bytes": len(bundle)}
    request_finish(
        export,
        status=PrivacyRequestStatus.SUCCEEDED,
        report=summary,
        bundle_key=key,
        bundle_size=len(bundle),
        bundle_sha256=hashlib.sha256(bundle).hexdigest(),
        expires_at=now + timedelta(hours=settings.PRIVACY_EXPORT_TTL_HOURS),
    )
    audit_record(
        action=AuditAction.PRIVACY_EXPORTED,
        actor=export.requested_by,
        target_type="person",
        target_label=export.subject_label,
        subject_ref=export.subject_ref,
        metadata={"privacy_request": str(export.id), "count": sum(counts.values()), "files": files},
    )
    return summary


def privacy_export_download(*, user: Any, request_id: Any, request: Any = None) -> tuple[bytes, str]:
    """The decrypted bundle and its file name, for the admin who asked for it only; audited.

    404 for anyone else (another admin included), 409 while it is being built, 410 once expired.
    """
    require_privacy_admin(user)
    export = privacy_export_get_for_requester(user=user, request_id=request_id)
    if export.status != PrivacyRequestStatus.SUCCEEDED:
        raise ConflictError("This export is not ready yet." if not export.is_finished else "This export failed.")
    if not export.bundle_key or (export.expires_at and export.expires_at <= timezone.now()):
        raise ExportGone("This export has expired and was deleted; ask for a new one.")
    bundle = encrypted_get(key=export.bundle_key, object_id=str(export.id), purpose=BUNDLE_PURPOSE)
    if hashlib.sha256(bundle).hexdigest() != export.bundle_sha256:
        raise DecryptionFailed()
    audit_record(
        action=AuditAction.PRIVACY_EXPORT_DOWNLOADED,
        request=request,
        actor=user,
        target_type="person",
        target_label=export.subject_label,
        subject_ref=export.subject_ref,
        metadata={"privacy_request": str(export.id)},
    )
    return bundle, f"personal-data-{export.id}.zip"


def privacy_exports_purge_expired(*, now: datetime | None = None) -> int:
    """Delete every expired bundle from the store (the request row stays, without it)."""
    now = now or timezone.now()
    store = get_object_store()
    purged = 0
    for export in PrivacyRequest.objects.filter(expires_at__lte=now).exclude(bundle_key=""):
        store.delete(export.bundle_key)
        purged += PrivacyRequest.objects.filter(pk=export.pk, bundle_key=export.bundle_key).update(
            bundle_key="", bundle_deleted_at=now
        )
    if purged:
        audit_record(
            action=AuditAction.PRIVACY_EXPORT_EXPIRED,
            actor_label="Retention policy",
            target_type="privacyrequest",
            target_label=f"{purged} expired export{'s' if purged != 1 else ''}",
            metadata={"count": purged},
        )
    return purged
