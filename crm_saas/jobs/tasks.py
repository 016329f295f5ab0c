from __future__ import annotations

from django.conf import settings

from crm_saas.celery import app
from crm_saas.jobs.services import job_purge_finished


@app.task(name="jobs.purge_finished")
def job_purge_finished_task() -> int:
    """Per tenant (queued by crm_saas.fan_out_to_tenants): forget old finished jobs."""
    return job_purge_finished(older_than_days=settings.JOB_RETENTION_DAYS)
