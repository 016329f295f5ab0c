"""The Celery app. Tasks are tenant-aware: each carries the schema of whoever queued it
(tenant-schemas-celery puts it in a message header) and runs inside that schema, or, if that
tenant is gone by the time it runs, not at all (crm_saas/tenant_task.py)."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_saas.settings.base")

app = CeleryApp("crm_saas", task_cls="crm_saas.tenant_task:SchemaGuardedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
