"""Lead CSV import: store the upload, preview the plan, and run it as a background job."""

from __future__ import annotations

import csv
import io
import itertools
import secrets
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from crm_saas.errors import DomainError
from crm_saas.jobs.models import Job, JobStatus
from crm_saas.jobs.services import ProgressCallback, job_create, job_enqueue
from crm_saas.storage import ChunkReader, get_object_store, tenant_object_key
from leads.imports.columns import ImportPlan, plan_build
from leads.imports.rows import ParsedRow, RowError, row_parse
from leads.models import CustomField, Lead, LeadStatus
from tenants.accounts.models import User

JOB_KIND = "leads.import"
UPLOADS = ("uploads", "lead-imports")
UPLOAD_LIFETIME = timedelta(days=1)  # an upload not imported by then was abandoned at the preview
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
SAMPLE_ROWS = 2000
BATCH_ROWS = 1000
MAX_REPORTED_ERRORS = 1000
MAX_COLUMNS = 500
_DELIMITERS = ",;\t|"


# --- reading -----------------------------------------------------------------------------------


def _encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the first bytes decode as such, else Windows-1252."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if error.start < len(head) - 3:
            return "cp1252"
    return "utf-8-sig"


def _rows(key: str) -> tuple[Iterator[list[str]], ChunkReader]:
    store = get_object_store()
    head = b"".join(itertools.islice(store.open(key, chunk_size=64 * 1024), 1))
    raw = ChunkReader(store.open(key, chunk_size=256 * 1024))
    text = io.TextIOWrapper(io.BufferedReader(raw), encoding=_encoding(head), errors="replace", newline="")
    first_line = head.decode("utf-8", errors="ignore").splitlines()[0] if head.strip() else ""
    delimiter = max(_DELIMITERS, key=first_line.count) if first_line else ","
    return csv.reader(text, delimiter=delimiter), raw


def _header_and_sample(key: str) -> tuple[list[str], list[list[str]]]:
    rows, _ = _rows(key)
    try:
        header = next(rows, None)
        if not header or not any(cell.strip() for cell in header):
            raise DomainError("The file has no header row.", field="file")
        if len(header) > MAX_COLUMNS:
            raise DomainError(f"The file has more than {MAX_COLUMNS} columns.", field="file")
        names = [cell.strip() for cell in header]
        duplicates = sorted({name for name in names if name and names.count(name) > 1})
        if duplicates:
            raise DomainError(f"Column names appear twice: {', '.join(duplicates)}.", field="file")
        return names, list(itertools.islice(rows, SAMPLE_ROWS))
    except csv.Error as error:
        raise DomainError(f"The file is not a readable CSV: {error}.", field="file") from error


# --- start and preview -------------------------------------------------------------------------


def lead_import_store(*, upload: UploadedFile) -> tuple[str, int]:
    if not upload.size:
        raise DomainError("The file is empty.", field="file")
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.", field="file")
    head = upload.read(4096)
    upload.seek(0)
    if b"\x00" in head:
        raise DomainError("The file is not a CSV text file.", field="file")
    key = tenant_object_key(*UPLOADS, f"{_upload_token()}.csv")
    get_object_store().put(key, upload, content_type="text/csv")
    return key, upload.size


def _upload_token() -> str:
    """32 hex digits whose first 12 are the upload time in milliseconds (as in a UUIDv7), so stale
    uploads are recognised by their key alone; the other 20 are random."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(10)}"


def lead_import_uploads_purge(*, older_than: timedelta = UPLOAD_LIFETIME) -> int:
    """Delete uploads that were previewed but never imported (a running or queued import still
    owns its file). Uploads from before time-ordered tokens whose random prefix reads as a date in
    the last year may be taken for stale ones: they are uploads no import has claimed either."""
    store = get_object_store()
    claimed = set(
        Job.objects.filter(kind=JOB_KIND, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).values_list(
            "params__object_key", flat=True
        )
    )
    now = time.time()
    deleted = 0
    for key in store.list_keys(tenant_object_key(*UPLOADS) + "/"):
        token = key.rsplit("/", 1)[-1].removesuffix(".csv")
        if len(token) != 32 or key in claimed:
            continue
        try:
            uploaded = int(token[:12], 16) / 1000
        except ValueError:
            continue
        if now - 365 * 86400 < uploaded < now - older_than.total_seconds():
            store.delete(key)
            deleted += 1
    return deleted


def lead_import_plan(
    *,
    key: str,
    mapping: dict[str, str] | None = None,
    outcome_column: str | None = None,
    external_id_column: str | None = None,
) -> tuple[ImportPlan, list[list[str]]]:
    header, sample = _header_and_sample(key)
    existing = dict(CustomField.objects.values_list("key", "type"))
    plan = plan_build(
        header=header,
        sample=sample,
        mapping=mapping,
        outcome_column=outcome_column or None,
        external_id_column=external_id_column or None,
        existing_types=existing,
    )
    return plan, sample


def lead_import_preview(*, key: str, **options: Any) -> dict[str, Any]:
    """The plan and what the first rows would become, without writing anything."""
    plan, sample = lead_import_plan(key=key, **options)
    parsed = [row_parse(plan, cells, line=index + 2) for index, cells in enumerate(sample[:200])]
    return {
        **plan.to_dict(),
        "sample_rows": len(sample),
        "sample_errors": [vars(error) for row in parsed for error in row.errors][:50],
    }


def lead_import_start(
    *,
    actor: User,
    upload: UploadedFile | None = None,
    key: str | None = None,
    size: int | None = None,
    mapping: dict[str, str] | None = None,
    outcome_column: str | None = None,
    external_id_column: str | None = None,
) -> Job:
    """Store the file (or reuse a previewed one), fix the plan now, and queue the import."""
    if upload is not None:
        key, size = lead_import_store(upload=upload)
    if not key:
        raise DomainError("Send a CSV file.", field="file")
    try:
        plan, _ = lead_import_plan(
            key=key, mapping=mapping, outcome_column=outcome_column, external_id_column=external_id_column
        )
    except DomainError:
        if upload is not None:  # nothing is kept for a rejected file
            get_object_store().delete(key)
        raise
    from leads.tasks import lead_import_task

    with transaction.atomic():
        job = job_create(
            kind=JOB_KIND, created_by=actor, params={"object_key": key, "size": size or 0, "plan": plan.to_dict()}
        )
        job_enqueue(job=job, task=lead_import_task)
    return job


# --- running -----------------------------------------------------------------------------------


def _ensure_custom_fields(plan: ImportPlan) -> None:
    existing = set(CustomField.objects.values_list("key", flat=True))
    CustomField.objects.bulk_create(
        [
            CustomField(key=column.target, label=column.source[:200] or column.target, type=column.type)
            for column in plan.columns
            if column.use == "attribute" and column.target not in existing
        ],
        ignore_conflicts=True,
    )


def _apply_status(lead: Lead, status: str, *, at: Any) -> None:
    lead.status = status
    lead.converted_at = (lead.converted_at or at) if status == LeadStatus.CONVERTED else None
    lead.lost_at = (lead.lost_at or at) if status == LeadStatus.LOST else None


def _write_batch(rows: list[ParsedRow], *, actor: User | None) -> tuple[int, int, list[int]]:
    """Insert new leads and update those whose external id exists.

    Returns (created, updated, ids of the open leads written) so they can be scored."""
    now = timezone.now()
    by_external_id: dict[str, ParsedRow] = {}
    anonymous: list[ParsedRow] = []
    for row in rows:
        external_id = row.values.get("external_id")
        if external_id:
            by_external_id[external_id] = row  # the last row for an id wins
        else:
            anonymous.append(row)
    existing = {lead.external_id: lead for lead in Lead.objects.filter(external_id__in=list(by_external_id))}

    new_leads: list[Lead] = []
    changed: list[Lead] = []
    for row in [*by_external_id.values(), *anonymous]:
        values = dict(row.values)
        status = values.pop("status", None)
        lead = existing.get(values.get("external_id")) if values.get("external_id") else None
        if lead is None:
            lead = Lead(owner=actor, created_by=actor, created_at=values.pop("created_at", now))
            new_leads.append(lead)
        else:
            values.pop("created_at", None)
            changed.append(lead)
        for name, value in values.items():
            setattr(lead, name, value)
        lead.attributes = {**lead.attributes, **row.attributes}
        if status:
            _apply_status(lead, status, at=lead.created_at if lead.pk is None else now)
    with transaction.atomic():
        Lead.objects.bulk_create(new_leads, batch_size=BATCH_ROWS)
        if changed:
            fields = sorted(
                {name for row in rows for name in row.values if name != "created_at"}
                | {"attributes", "status", "converted_at", "lost_at", "updated_at"}
            )
            for lead in changed:
                lead.updated_at = now
            Lead.objects.bulk_update(changed, fields, batch_size=BATCH_ROWS)
    open_ids = [lead.pk for lead in [*new_leads, *changed] if not lead.is_closed]
    return len(new_leads), len(changed), open_ids


def lead_import_run(job: Job, report_progress: ProgressCallback) -> dict[str, Any]:
    """Stream the stored file through the plan; good rows are written, bad rows reported.

    Rows are written in batches, each in its own transaction, so a failure never leaves a row
    half-written; rerunning the same file updates the same leads (by external id) instead of
    duplicating them.
    """
    plan = ImportPlan.from_dict(job.params["plan"])
    key, size = job.params["object_key"], job.params.get("size") or 0
    _ensure_custom_fields(plan)
    rows, raw = _rows(key)
    next(rows, None)  # header

    totals = {"rows": 0, "created": 0, "updated": 0, "failed": 0}
    to_score: list[int] = []
    errors: list[dict[str, Any]] = []
    batch: list[ParsedRow] = []
    last_percent = 0
    try:
        for line, cells in enumerate(rows, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            totals["rows"] += 1
            parsed = row_parse(plan, cells, line=line)
            if parsed.errors:
                totals["failed"] += 1
                errors.extend(vars(error) for error in parsed.errors[: MAX_REPORTED_ERRORS - len(errors)])
                continue
            batch.append(parsed)
            if len(batch) >= BATCH_ROWS:
                created, updated, open_ids = _write_batch(batch, actor=job.created_by)
                totals["created"] += created
                totals["updated"] += updated
                to_score.extend(open_ids)
                batch = []
                if size:
                    percent = min(99, int(100 * raw.bytes_read / size))
                    if percent > last_percent:
                        report_progress(percent)
                        last_percent = percent
    except csv.Error as error:
        errors.append(vars(RowError(totals["rows"] + 2, None, f"Unreadable CSV from here on: {error}.")))
    if batch:
        created, updated, open_ids = _write_batch(batch, actor=job.created_by)
        totals["created"] += created
        totals["updated"] += updated
        to_score.extend(open_ids)
    get_object_store().delete(key)
    totals["scored"] = _score(to_score)
    return {**totals, "errors": errors[:MAX_REPORTED_ERRORS]}


def _score(ids: list[int]) -> int:
    """Give imported open leads their first score, so the work list is ranked at once."""
    from leads.scoring.service import leads_score_all

    if not ids:
        return 0
    return leads_score_all(Lead.objects.filter(pk__in=ids))
