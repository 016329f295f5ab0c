from __future__ import annotations

from crm_saas.celery import app
from crm_saas.jobs.services import job_run


@app.task(name="leads.import")
def lead_import_task(*, job_id: str) -> None:
    from leads.imports.service import lead_import_run

    job_run(job_id=job_id, handler=lead_import_run)


@app.task(name="leads.train_model")
def lead_model_train_task(*, job_id: str) -> None:
    from leads.scoring.service import lead_model_train_run

    job_run(job_id=job_id, handler=lead_model_train_run)


@app.task(name="leads.rescore_pending", acks_late=True)
def leads_rescore_pending_task() -> int:
    """Shortly after changes: rescore every lead changed since the last run, in batches."""
    from leads.scoring.refresh import leads_rescore_pending

    return leads_rescore_pending()


@app.task(name="leads.rescore_lead", acks_late=True)
def lead_rescore_task(*, lead_id: int) -> int:
    """Messages queued one per lead (before batch rescoring): the lead joins the next batch."""
    from leads.models import Lead
    from leads.scoring.refresh import lead_rescore_mark, leads_rescore_pending

    if Lead.objects.filter(pk=lead_id).exists():  # deleted meanwhile: nothing to mark
        lead_rescore_mark(lead_id=lead_id)
    return leads_rescore_pending()


@app.task(name="leads.rescore_open")
def leads_rescore_open_task() -> int:
    """Per tenant, from the schedule: recompute every open lead's score (activity ages)."""
    from leads.scoring.service import leads_rescore_open

    return leads_rescore_open()


@app.task(name="leads.explain_scores")
def score_reasons_backfill_task() -> int:
    """After a bulk rescoring: the reasons of the open leads' latest scores, hottest first."""
    from leads.scoring.reasons import score_reasons_backfill

    return score_reasons_backfill()


@app.task(name="leads.retrain_if_due")
def lead_model_retrain_if_due_task() -> int | None:
    """Per tenant, from the schedule: retrain when the active model is older than the tenant's period."""
    from leads.scoring.service import lead_model_retrain_if_due

    version = lead_model_retrain_if_due()
    return version.version if version else None


@app.task(name="leads.purge_stale_uploads")
def lead_import_uploads_purge_task() -> int:
    """Per tenant, from the schedule: delete import uploads abandoned at the preview step."""
    from leads.imports.service import lead_import_uploads_purge

    return lead_import_uploads_purge()


@app.task(name="leads.prioritise_lead", acks_late=True)
def lead_prioritise_task(*, lead_id: int, message_id: int | None = None) -> str | None:
    from leads.priority.service import lead_prioritise_now

    return lead_prioritise_now(lead_id=lead_id, message_id=message_id)


@app.task(name="leads.reprioritise_open")
def leads_reprioritise_open_task() -> int:
    from leads.priority.models import PriorityTrigger
    from leads.priority.service import leads_prioritise_open

    return leads_prioritise_open(trigger=PriorityTrigger.SETTINGS)


@app.task(name="leads.train_text_model")
def text_model_train_task(*, job_id: str) -> None:
    from leads.priority.service import text_model_train_run

    job_run(job_id=job_id, handler=text_model_train_run)


@app.task(name="leads.refresh_priorities")
def priority_refresh_task() -> int:
    """Per tenant, from the schedule: retrain the text model when due, recompute open leads."""
    from leads.priority.service import priority_refresh_daily

    return priority_refresh_daily()
