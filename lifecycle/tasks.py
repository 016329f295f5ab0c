from __future__ import annotations

from crm_saas.celery import app
from crm_saas.jobs.services import job_run


@app.task(name="lifecycle.customer_import")
def customer_import_task(*, job_id: str) -> None:
    from lifecycle.imports.service import customer_import_run

    job_run(job_id=job_id, handler=customer_import_run)


@app.task(name="lifecycle.purge_stale_uploads")
def customer_import_uploads_purge_task() -> int:
    """Per tenant (queued by crm_saas.fan_out_to_tenants): uploads previewed but never imported."""
    from lifecycle.imports.service import customer_import_uploads_purge

    return customer_import_uploads_purge()


@app.task(name="lifecycle.event_import")
def event_import_task(*, job_id: str) -> None:
    from lifecycle.imports.service import customer_event_import_run

    job_run(job_id=job_id, handler=customer_event_import_run)


@app.task(name="lifecycle.churn_train")
def churn_model_train_task(*, job_id: str) -> None:
    from lifecycle.churn.service import churn_model_train_run

    job_run(job_id=job_id, handler=churn_model_train_run)


@app.task(name="lifecycle.churn_rescore_customer", acks_late=True)
def churn_rescore_customer_task(*, customer_id: int) -> bool:
    from lifecycle.churn.service import customer_rescore_now

    return customer_rescore_now(customer_id=customer_id)


@app.task(name="lifecycle.churn_rescore_all")
def churn_rescore_all_task() -> int:
    """Per tenant, from the schedule: recompute every active customer's risk (recency ages)."""
    from lifecycle.churn.service import customers_rescore_all

    return customers_rescore_all()


@app.task(name="lifecycle.stages_refresh", acks_late=True)
def customer_stages_refresh_task(*, customer_ids: list[int]) -> int:
    """Shortly after events were added: recompute those customers' stages and histories."""
    from lifecycle.stages.service import customer_stages_refresh_now

    return customer_stages_refresh_now(customer_ids=customer_ids).stage_changed


@app.task(name="lifecycle.stages_recompute")
def customer_stages_recompute_task() -> int:
    """Per tenant, daily and after the rules change: every customer's stage (time moves stages on)."""
    from lifecycle.stages.service import customer_stages_recompute

    return customer_stages_recompute().stage_changed
