from __future__ import annotations

from django.conf import settings

from crm_saas.celery import app
from crm_saas.jobs.services import job_purge_finished


@app.task(name="jobs.purge_finished")
def job_purge_finished_task() -> int:
    """Per tenant (queued by crm_saas.fan_out_to_tenants): forget old finished jobs."""
    return job_purge_finished(older_than_days=settings.JOB_RETENTION_DAYS)


@app.task(name="jobs.requeue_stale")
def job_requeue_stale_task(queued_for_seconds: int | None = None) -> int:
    """Per tenant (queued by crm_saas.fan_out_to_tenants): send again jobs no worker will run."""
    from crm_saas.jobs.services import job_requeue_stale

    after = settings.JOB_REQUEUE_AFTER_SECONDS if queued_for_seconds is None else queued_for_seconds
    return len(job_requeue_stale(queued_for_seconds=after))
