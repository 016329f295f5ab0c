"""Running an import described by an ``ImportSpec``: plan, preview, start (a job), and run (stream
the file in batches, each written in its own transaction, and report bad rows by line)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from celery import Task
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from crm_saas.errors import DomainError
from crm_saas.imports.columns import ImportPlan, plan_build
from crm_saas.imports.files import csv_rows, header_and_sample, upload_store
from crm_saas.imports.rows import ParsedRow, RowError
from crm_saas.jobs.models import Job
from crm_saas.jobs.services import ProgressCallback, job_create, job_enqueue
from crm_saas.storage import get_object_store

BATCH_ROWS = 1000
MAX_REPORTED_ERRORS = 1000


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0  # rows already there (e.g. an event imported before)
    errors: list[RowError] = field(default_factory=list)  # rows refused while writing (e.g. unknown customer)
    touched: list[int] = field(default_factory=list)  # ids handed to ``ImportSpec.finish``


@dataclass(frozen=True)
class ImportSpec:
    """What one app's import needs from the engine."""

    job_kind: str
    uploads: tuple[str, ...]  # object storage folder (under the tenant) for uploaded files
    entity: str  # "lead", "customer": how messages name a row's record
    fields: Mapping[str, tuple[str, ...]]  # field -> normalised column names that mean it
    row_parse: Callable[[ImportPlan, list[str], int], ParsedRow]  # (plan, cells, line)
    write_batch: Callable[[list[ParsedRow], Any], BatchResult]  # (rows, actor), in a transaction
    task: Callable[[], Task]  # the Celery task that calls ``import_run`` (imported lazily)
    existing_types: Callable[[], dict[str, str]] = dict  # attribute key -> type already known
    prepare: Callable[[ImportPlan], None] | None = None  # before the first batch, e.g. create fields
    finish: Callable[[list[int]], dict[str, Any]] | None = None  # after the last batch: extra totals


def import_plan(
    spec: ImportSpec,
    *,
    key: str,
    mapping: dict[str, str] | None = None,
    outcome_column: str | None = None,
    external_id_column: str | None = None,
) -> tuple[ImportPlan, list[list[str]]]:
    header, sample = header_and_sample(key)
    plan = plan_build(
        header=header,
        sample=sample,
        fields=spec.fields,
        entity=spec.entity,
        mapping=mapping,
        outcome_column=outcome_column or None,
        external_id_column=external_id_column or None,
        existing_types=spec.existing_types(),
    )
    return plan, sample


def import_preview(spec: ImportSpec, *, key: str, **options: Any) -> dict[str, Any]:
    """The plan and what the first rows would become, without writing anything."""
    plan, sample = import_plan(spec, key=key, **options)
    parsed = [spec.row_parse(plan, cells, index + 2) for index, cells in enumerate(sample[:200])]
    return {
        **plan.to_dict(),
        "sample_rows": len(sample),
        "sample_errors": [vars(error) for row in parsed for error in row.errors][:50],
    }


def import_start(
    spec: ImportSpec,
    *,
    actor: Any,
    upload: UploadedFile | None = None,
    key: str | None = None,
    size: int | None = None,
    mapping: dict[str, str] | None = None,
    outcome_column: str | None = None,
    external_id_column: str | None = None,
) -> Job:
    """Store the file (or reuse a previewed one), fix the plan now, and queue the import."""
    if upload is not None:
        key, size = upload_store(upload=upload, uploads=spec.uploads)
    if not key:
        raise DomainError("Send a CSV file.", field="file")
    try:
        plan, _ = import_plan(
            spec, key=key, mapping=mapping, outcome_column=outcome_column, external_id_column=external_id_column
        )
    except DomainError:
        if upload is not None:  # nothing is kept for a rejected file
            get_object_store().delete(key)
        raise
    with transaction.atomic():
        job = job_create(
            kind=spec.job_kind, created_by=actor, params={"object_key": key, "size": size or 0, "plan": plan.to_dict()}
        )
        job_enqueue(job=job, task=spec.task())
    return job


def import_run(spec: ImportSpec, job: Job, report_progress: ProgressCallback) -> dict[str, Any]:
    """Stream the stored file through the plan; good rows are written, bad rows reported.

    Rows are written in batches, each in its own transaction, so a failure never leaves a row
    half-written; rerunning the same file updates the same records (by external id) instead of
    duplicating them.
    """
    plan = ImportPlan.from_dict(job.params["plan"])
    key, size = job.params["object_key"], job.params.get("size") or 0
    if spec.prepare:
        spec.prepare(plan)
    rows, raw = csv_rows(key)
    next(rows, None)  # header

    totals = {"rows": 0, "created": 0, "updated": 0, "skipped": 0, "failed": 0}
    touched: list[int] = []
    errors: list[dict[str, Any]] = []
    batch: list[ParsedRow] = []
    last_percent = 0

    def write(batch: list[ParsedRow]) -> None:
        with transaction.atomic():
            result = spec.write_batch(batch, job.created_by)
        totals["created"] += result.created
        totals["updated"] += result.updated
        totals["skipped"] += result.skipped
        totals["failed"] += len({error.row for error in result.errors})
        errors.extend(vars(error) for error in result.errors[: max(0, MAX_REPORTED_ERRORS - len(errors))])
        touched.extend(result.touched)

    try:
        for line, cells in enumerate(rows, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            totals["rows"] += 1
            parsed = spec.row_parse(plan, cells, line)
            if parsed.errors:
                totals["failed"] += 1
                errors.extend(vars(error) for error in parsed.errors[: max(0, MAX_REPORTED_ERRORS - len(errors))])
                continue
            batch.append(parsed)
            if len(batch) >= BATCH_ROWS:
                write(batch)
                batch = []
                if size:
                    percent = min(99, int(100 * raw.bytes_read / size))
                    if percent > last_percent:
                        report_progress(percent)
                        last_percent = percent
    except csv.Error as error:
        errors.append(vars(RowError(totals["rows"] + 2, None, f"Unreadable CSV from here on: {error}.")))
    if batch:
        write(batch)
    get_object_store().delete(key)
    extra = spec.finish(touched) if spec.finish else {}
    errors.sort(key=lambda error: error["row"])
    return {**totals, **extra, "errors": errors[:MAX_REPORTED_ERRORS]}
