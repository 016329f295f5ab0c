"""Celery entry points: deliver one webhook attempt; purge old idempotency records and deliveries."""

from __future__ import annotations

from django.conf import settings

from crm_saas.celery import app
from crm_saas.integrations.services.idempotency import idempotency_records_purge
from crm_saas.integrations.services.webhooks import deliveries_purge, delivery_attempt


def deliveries_enqueue(*, delivery_ids: list[str], schema_name: str, attempt: int = 1, countdown: int = 0) -> None:
    """Queue an attempt per delivery in ``schema_name`` (called once the emitting transaction commits)."""
    for delivery_id in delivery_ids:
        webhook_deliver.apply_async(
            kwargs={"delivery_id": delivery_id, "attempt": attempt},
            countdown=countdown or None,
            headers={"_schema_name": schema_name},
        )


@app.task(name="integrations.webhook_deliver")
def webhook_deliver(delivery_id: str, attempt: int = 1) -> str | None:
    """One attempt; a failure queues the next attempt on the retry ladder.

    The attempt number makes a redelivered message harmless: an attempt already made is skipped.
    """
    from django.db import connection

    result = delivery_attempt(delivery_id=delivery_id, attempt=attempt)
    if result is None:
        return None
    if result.retry_in is not None:
        deliveries_enqueue(
            delivery_ids=[delivery_id],
            schema_name=connection.schema_name,
            attempt=attempt + 1,
            countdown=result.retry_in,
        )
    return result.delivery.status


@app.task(name="integrations.purge_idempotency_records")
def purge_idempotency_records_task() -> int:
    """Per tenant (queued by crm_saas.fan_out_to_tenants): forget idempotency keys past their TTL."""
    return idempotency_records_purge(older_than_hours=settings.IDEMPOTENCY_TTL_HOURS)


@app.task(name="integrations.purge_webhook_deliveries")
def purge_webhook_deliveries_task() -> int:
    """Per tenant: drop the log of finished deliveries older than the retention period."""
    return deliveries_purge(older_than_days=settings.WEBHOOK_DELIVERY_RETENTION_DAYS)
