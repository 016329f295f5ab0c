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
