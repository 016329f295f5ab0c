from __future__ import annotations

from crm_saas.celery import app
from crm_saas.jobs.services import job_run


@app.task(name="lifecycle.customer_import")
def customer_import_task(*, job_id: str) -> None:
    from lifecycle.imports.service import customer_import_run

    job_run(job_id=job_id, handler=customer_import_run)


@app.task(name="lifecycle.event_import")
def event_import_task(*, job_id: str) -> None:
    from lifecycle.imports.service import customer_event_import_run

    job_run(job_id=job_id, handler=customer_event_import_run)
