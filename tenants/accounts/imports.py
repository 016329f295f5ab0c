"""Bulk creation of users from a CSV file, as a background job with a row-level report."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from crm_saas.errors import DomainError
from crm_saas.jobs.models import Job
from crm_saas.jobs.services import ProgressCallback, job_create, job_enqueue
from crm_saas.storage import get_object_store, tenant_object_key
from tenants.accounts.models import User
from tenants.accounts.services import user_invite

JOB_KIND = "users.import"
MAX_UPLOAD_BYTES = 1024 * 1024
MAX_ROWS = 5000
REQUIRED_COLUMNS = ("email", "role")


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError("The file is not UTF-8 text.", field="file") from exc


def _header(text: str) -> list[str]:
    try:
        header = next(csv.reader(io.StringIO(text)), [])
    except csv.Error as exc:
        raise DomainError(f"The file is not a readable CSV: {exc}.", field="file") from exc
    return [column.strip().lower() for column in header]


def user_import_start(*, upload: UploadedFile, actor: User, base_url: str) -> Job:
    """Check the file's shape now (so mistakes fail fast), store it, and queue the import."""
    if upload.size == 0:
        raise DomainError("The file is empty.", field="file")
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(f"The file is larger than {MAX_UPLOAD_BYTES // 1024} KB.", field="file")
    raw = upload.read()
    missing = [column for column in REQUIRED_COLUMNS if column not in _header(_decode(raw))]
    if missing:
        raise DomainError(f"The header row lacks the column(s): {', '.join(missing)}.", field="file")

    key = tenant_object_key("uploads", "user-imports", f"{uuid.uuid4().hex}.csv")
    get_object_store().put(key, raw, content_type="text/csv")
    from tenants.accounts.tasks import user_import_task

    with transaction.atomic():
        job = job_create(kind=JOB_KIND, created_by=actor, params={"object_key": key, "base_url": base_url})
        job_enqueue(job=job, task=user_import_task)
    return job


def user_import_run(job: Job, report_progress: ProgressCallback) -> dict[str, Any]:
    """Create one invited user per row. Bad rows are reported; good rows are kept.

    Rerunning the same file is safe: rows whose e-mail already exists are reported, not duplicated.
    """
    store = get_object_store()
    key = job.params["object_key"]
    rows = list(csv.DictReader(io.StringIO(_decode(store.get(key)))))
    if len(rows) > MAX_ROWS:
        raise DomainError(f"The file has more than {MAX_ROWS} rows; split it.")
    actor = job.created_by
    if actor is None or not actor.is_active:
        raise DomainError("The user who started this import is no longer active.")

    created: list[str] = []
    errors: list[dict[str, Any]] = []
    for index, row in enumerate(rows, start=2):  # row 1 is the header
        values = {(name or "").strip().lower(): (value or "").strip() for name, value in row.items()}
        try:
            with transaction.atomic():
                user = user_invite(
                    email=values.get("email", ""),
                    role=values.get("role", "").lower().replace(" ", "_"),
                    full_name=values.get("full_name", ""),
                    actor=actor,
                    base_url=job.params["base_url"],
                )
            created.append(user.email)
        except DomainError as exc:
            errors.append({"row": index, "column": exc.field, "message": exc.message})
        if index % 25 == 0:
            report_progress(int(100 * (index - 1) / max(1, len(rows))))
    store.delete(key)
    return {"rows": len(rows), "created": len(created), "failed": len(errors), "errors": errors[:500]}
