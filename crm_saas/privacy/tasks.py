from __future__ import annotations

from crm_saas.celery import app
from crm_saas.jobs.services import job_run


@app.task(name="privacy.export")
def privacy_export_task(*, job_id: str) -> None:
    from crm_saas.privacy.services import privacy_export_run

    job_run(job_id=job_id, handler=privacy_export_run)


@app.task(name="privacy.erase")
def privacy_erasure_task(*, job_id: str) -> None:
    from crm_saas.privacy.services import privacy_erasure_run

    job_run(job_id=job_id, handler=privacy_erasure_run)


@app.task(name="privacy.purge_expired_exports")
def privacy_purge_expired_exports_task() -> int:
    """Per tenant (queued by crm_saas.fan_out_to_tenants): delete expired export bundles."""
    from crm_saas.privacy.services import privacy_exports_purge_expired

    return privacy_exports_purge_expired()


@app.task(name="privacy.offboard_tenant")
def tenant_offboard_task(*, offboarding_id: str) -> str | None:
    """Runs in the public schema (queued from the platform host)."""
    from crm_saas.privacy.offboarding import tenant_offboard_run

    offboarding = tenant_offboard_run(offboarding_id=offboarding_id)
    return offboarding.status if offboarding else None


@app.task(name="privacy.purge_expired_offboarding_archives")
def tenant_archives_purge_expired_task() -> int:
    """Hourly from beat, in the public schema: delete offboarding archives past their expiry."""
    from crm_saas.privacy.offboarding import tenant_archives_purge_expired

    return tenant_archives_purge_expired()
