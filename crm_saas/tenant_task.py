"""The base class of every Celery task: a task runs in the schema it was queued for, or not at all.

tenant-schemas-celery switches to the schema named in the message before a task runs. When that
schema's tenant no longer exists (offboarded while the message waited in the queue), the switch
fails, Celery only logs the signal's error, and the task would go on in the public schema, where
tables such as users and audit events also exist. This class checks the switch really happened
and drops the message otherwise.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.exceptions import Reject
from django.db import connection
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.app import get_schema_name_from_task
from tenant_schemas_celery.task import TenantTask

logger = logging.getLogger(__name__)


class TenantUnavailable(Exception):
    """The tenant a task was queued for is gone; the task must not run anywhere else."""


class SchemaGuardedTask(TenantTask):
    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # A plain function call (``task(...)``) has no message and runs where the caller is.
        if not self.request.called_directly:
            self._refuse_if_schema_missed(kwargs)
        return super().__call__(*args, **kwargs)

    def _refuse_if_schema_missed(self, kwargs: dict[str, Any]) -> None:
        wanted = get_schema_name_from_task(self, kwargs) or get_public_schema_name()
        current = connection.schema_name
        if current == wanted:
            return
        message = f"Task {self.name} was queued for schema {wanted!r}, whose tenant no longer exists; dropped."
        logger.warning(
            "Refused task %s[%s]: queued for schema %r, connection is on %r (tenant gone)",
            self.name,
            self.request.id,
            wanted,
            current,
        )
        # Not retried and not requeued: the tenant will not come back under this message.
        raise Reject(TenantUnavailable(message), requeue=False)
