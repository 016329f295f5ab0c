"""Lead CSV import on the shared engine (crm_saas/imports): store the upload, preview the plan,
and run it as a background job. Leads that the import converts go through the conversion hooks
in one call per batch."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Task
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from crm_saas.imports import engine
from crm_saas.imports.columns import ImportPlan
from crm_saas.imports.engine import BATCH_ROWS, BatchResult, ImportSpec
from crm_saas.imports.files import UPLOAD_LIFETIME, upload_store, uploads_purge
from crm_saas.jobs.models import Job
from crm_saas.jobs.services import ProgressCallback
from crm_saas.pg_arrays import ids_subquery
from leads.conversion import leads_converted
from leads.imports.columns import FIELD_SYNONYMS
from leads.imports.rows import ParsedRow, row_parse
from leads.models import CustomField, Lead, LeadStatus
from tenants.accounts.models import User

JOB_KIND = "leads.import"
UPLOADS = ("uploads", "lead-imports")


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


def _write_batch(rows: list[ParsedRow], actor: User | None) -> BatchResult:
    """Insert new leads and update those whose external id exists (inside the engine's transaction).

    ``touched`` holds the open leads written, so they can be scored."""
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
    converted: list[Lead] = []
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
            if status == LeadStatus.CONVERTED and lead.status != LeadStatus.CONVERTED:
                converted.append(lead)
            _apply_status(lead, status, at=lead.created_at if lead.pk is None else now)
    Lead.objects.bulk_create(new_leads, batch_size=BATCH_ROWS)
    if changed:
        fields = sorted(
            {name for row in rows for name in row.values if name != "created_at"}
            | {"attributes", "status", "converted_at", "lost_at", "updated_at"}
        )
        for lead in changed:
            lead.updated_at = now
        Lead.objects.bulk_update(changed, fields, batch_size=BATCH_ROWS)
    leads_converted(leads=converted, actor=actor)  # one call for the batch, in its transaction
    open_ids = [lead.pk for lead in [*new_leads, *changed] if not lead.is_closed]
    return BatchResult(created=len(new_leads), updated=len(changed), touched=open_ids)


def _score(ids: list[int]) -> dict[str, int]:
    """Give imported open leads their first score, so the work list is ranked at once."""
    from leads.scoring.service import leads_score_all

    return {"scored": leads_score_all(Lead.objects.filter(pk__in=ids_subquery(ids))) if ids else 0}


def _task() -> Task:
    from leads.tasks import lead_import_task

    return lead_import_task


SPEC = ImportSpec(
    job_kind=JOB_KIND,
    uploads=UPLOADS,
    entity="lead",
    fields=FIELD_SYNONYMS,
    row_parse=lambda plan, cells, line: row_parse(plan, cells, line=line),
    write_batch=_write_batch,
    task=_task,
    existing_types=lambda: dict(CustomField.objects.values_list("key", "type")),
    prepare=_ensure_custom_fields,
    finish=_score,
)


def lead_import_store(*, upload: UploadedFile) -> tuple[str, int]:
    return upload_store(upload=upload, uploads=UPLOADS)


def lead_import_uploads_purge(*, older_than: timedelta = UPLOAD_LIFETIME) -> int:
    """Delete lead uploads previewed but never imported (see ``crm_saas.imports.files.uploads_purge``)."""
    return uploads_purge(uploads=UPLOADS, job_kinds=[JOB_KIND], older_than=older_than)


def lead_import_plan(
    *,
    key: str,
    mapping: dict[str, str] | None = None,
    outcome_column: str | None = None,
    external_id_column: str | None = None,
) -> tuple[ImportPlan, list[list[str]]]:
    return engine.import_plan(
        SPEC, key=key, mapping=mapping, outcome_column=outcome_column, external_id_column=external_id_column
    )


def lead_import_preview(*, key: str, **options: Any) -> dict[str, Any]:
    """The plan and what the first rows would become, without writing anything."""
    return engine.import_preview(SPEC, key=key, **options)


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
    return engine.import_start(
        SPEC,
        actor=actor,
        upload=upload,
        key=key,
        size=size,
        mapping=mapping,
        outcome_column=outcome_column,
        external_id_column=external_id_column,
    )


def lead_import_run(job: Job, report_progress: ProgressCallback) -> dict[str, Any]:
    """Stream the stored file through the plan; good rows are written, bad rows reported."""
    return engine.import_run(SPEC, job, report_progress)
