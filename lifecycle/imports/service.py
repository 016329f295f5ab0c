"""Starting, previewing and running the customer and event imports (see customers.py, events.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from crm_saas.errors import DomainError
from crm_saas.imports import engine
from crm_saas.imports.files import UPLOAD_LIFETIME, upload_store, uploads_purge
from crm_saas.jobs.models import Job
from crm_saas.jobs.services import ProgressCallback
from lifecycle.imports import customers, events
from tenants.accounts.models import User


def customer_import_start(
    *,
    actor: User,
    upload: UploadedFile,
    mapping: dict[str, str] | None = None,
    outcome_column: str | None = None,
    external_id_column: str | None = None,
) -> Job:
    """Queue a customer import; the job's result is the row-level report."""
    return engine.import_start(
        customers.SPEC,
        actor=actor,
        upload=upload,
        mapping=mapping,
        outcome_column=outcome_column,
        external_id_column=external_id_column,
    )


def customer_event_import_start(
    *,
    actor: User,
    upload: UploadedFile,
    mapping: dict[str, str] | None = None,
    outcome_column: str | None = None,
    external_id_column: str | None = None,
) -> Job:
    """Queue an import of lifecycle events; ``external_id_column`` names the customer id column."""
    if outcome_column:
        raise DomainError("Event imports have no outcome column.", field="outcome_column")
    return engine.import_start(
        events.SPEC, actor=actor, upload=upload, mapping=mapping, external_id_column=external_id_column
    )


def customer_import_preview(*, upload: UploadedFile, **options: Any) -> dict[str, Any]:
    key, _ = upload_store(upload=upload, uploads=customers.UPLOADS)
    try:
        return engine.import_preview(customers.SPEC, key=key, **options)
    finally:
        from crm_saas.storage import get_object_store

        get_object_store().delete(key)


def customer_import_run(job: Job, report_progress: ProgressCallback) -> dict[str, Any]:
    return engine.import_run(customers.SPEC, job, report_progress)


def customer_event_import_run(job: Job, report_progress: ProgressCallback) -> dict[str, Any]:
    return engine.import_run(events.SPEC, job, report_progress)


def customer_import_uploads_purge(*, older_than: timedelta = UPLOAD_LIFETIME) -> int:
    """Delete customer and event uploads previewed on the import pages but never imported."""
    return uploads_purge(
        uploads=customers.UPLOADS, job_kinds=[customers.JOB_KIND], older_than=older_than
    ) + uploads_purge(uploads=events.UPLOADS, job_kinds=[events.JOB_KIND], older_than=older_than)
