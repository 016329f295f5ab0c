"""Platform-wide periodic work: fan a task out to every active tenant, one message each."""

from __future__ import annotations

import logging

from django_tenants.utils import schema_context

from crm_saas.celery import app

logger = logging.getLogger(__name__)


@app.task(name="crm_saas.fan_out_to_tenants")
def fan_out_to_tenants(task_name: str, kwargs: dict | None = None) -> int:
    """Queue ``task_name`` once per active tenant, each running in its tenant's schema.

    Scheduled by Celery beat in the public schema; a tenant that fails does not stop the others.
    """
    from tenants.selectors import tenant_list

    count = 0
    for schema_name in tenant_list().filter(is_active=True).values_list("schema_name", flat=True):
        with schema_context(schema_name):
            app.send_task(task_name, kwargs=kwargs or {}, headers={"_schema_name": schema_name})
        count += 1
    logger.info("Queued %s for %d tenants", task_name, count)
    return count
