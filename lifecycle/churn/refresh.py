"""Keeping churn risk fresh after a customer's events change (debounced)."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection, transaction

RESCORE_DELAY_SECONDS = 20


def _key(customer_id: int) -> str:
    return f"churn-rescore-pending:{connection.schema_name}:{customer_id}"


def customer_rescore_soon(*, customer_id: int) -> None:
    """Queue one rescoring of a customer shortly after the current transaction commits.

    Several events within the delay (an import of a day's activity) cost one rescoring: the first
    claims a cache key that the queued task releases when it runs."""
    key = _key(customer_id)
    schema_name = connection.schema_name

    def enqueue() -> None:
        if cache.add(key, 1, timeout=RESCORE_DELAY_SECONDS * 10):
            from lifecycle.tasks import churn_rescore_customer_task

            churn_rescore_customer_task.apply_async(
                kwargs={"customer_id": customer_id},
                countdown=RESCORE_DELAY_SECONDS,
                headers={"_schema_name": schema_name},
            )

    transaction.on_commit(enqueue)


def rescore_pending_clear(*, customer_id: int) -> None:
    cache.delete(_key(customer_id))
