"""Webhook events: the names a tenant can subscribe to and the one function services call.

Services emit inside their own transaction; the delivery rows are written in that transaction and
the delivery tasks are queued only when it commits, so a rolled-back change never reaches a
receiver and a committed one is never lost between commit and queueing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

EVENTS: dict[str, str] = {
    "lead.created": "A lead was created (form, API or voice command; an import reports its leads in its job).",
    "lead.updated": "A lead's fields, status or owner changed.",
    "lead.scored": "A lead was rescored after it was created, edited or had activity (bulk rescoring is not sent).",
    "lead.priority_changed": "A lead's priority band (A-D) changed when it was scored.",
    "voice.transcribed": "A voice note or spoken command was transcribed.",
    "voice.command_executed": "A confirmed voice command changed data.",
    "customer.stage_changed": "A customer moved to another lifecycle stage.",
    "customer.churn_risk_changed": "A customer's churn risk level changed.",
    "model.trained": "A new scoring model version was trained and activated.",
}
EVENT_NAMES: list[str] = list(EVENTS)


def webhook_event_emit(event: str, payload: dict[str, Any]) -> int:
    """Queue ``event`` for every active subscription to it in the current tenant; returns how many.

    ``payload`` becomes the envelope's ``data``; it must be JSON-serialisable (dates and UUIDs
    are fine). With no subscribers this costs one indexed query.
    """
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}; add it to EVENTS first.")
    if connection.schema_name == "public":
        return 0  # platform-level work has no tenant to notify
    from crm_saas.integrations.services.webhooks import deliveries_create_for_event

    deliveries = deliveries_create_for_event(event=event, data=payload, occurred_at=timezone.now())
    if deliveries:
        from crm_saas.integrations.tasks import deliveries_enqueue

        ids = [str(delivery.pk) for delivery in deliveries]
        schema_name = connection.schema_name
        transaction.on_commit(lambda: deliveries_enqueue(delivery_ids=ids, schema_name=schema_name))
    return len(deliveries)


def webhook_events_subscribed(*events: str) -> bool:
    """Whether any active subscription wants one of ``events``: lets a batch skip building payloads."""
    if connection.schema_name == "public":
        return False
    from crm_saas.integrations.models import WebhookSubscription

    return WebhookSubscription.objects.filter(is_active=True, events__overlap=list(events)).exists()


def lead_score_events_emit(lead: Any, *, previous_band: str | None) -> None:
    """``lead.scored``, and ``lead.priority_changed`` when the band moved (not on a first score)."""
    from crm_saas.integrations.payloads import lead_score_payload

    webhook_event_emit("lead.scored", lead_score_payload(lead))
    if previous_band and previous_band != lead.band:
        webhook_event_emit("lead.priority_changed", lead_score_payload(lead, previous_band=previous_band))
