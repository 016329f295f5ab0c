from __future__ import annotations

from crm_saas.celery import app
from crm_saas.jobs.services import job_run


@app.task(name="accounts.user_import")
def user_import_task(*, job_id: str) -> None:
    from tenants.accounts.imports import user_import_run

    job_run(job_id=job_id, handler=user_import_run)
