"""Webhook subscriptions and deliveries: who receives which events, and how each attempt went.

One delivery row per (event, subscription). An attempt signs the body, POSTs it once (no
redirects, SSRF-checked), and records the answer. Failures are retried on the ladder in
``WEBHOOK_RETRY_DELAYS``; a subscription whose deliveries keep failing every retry is switched off
after ``WEBHOOK_DISABLE_AFTER_FAILURES`` in a row, and an admin switches it back on.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record
from crm_saas.errors import ConflictError, DomainError
from crm_saas.integrations.events import EVENTS
from crm_saas.integrations.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from crm_saas.integrations.netguard import http_post, target_check
from crm_saas.integrations.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    secret_generate,
    signature_compute,
)

logger = logging.getLogger(__name__)

AUDIT_WEBHOOK_CREATED = AuditAction.WEBHOOK_CREATED
AUDIT_WEBHOOK_UPDATED = AuditAction.WEBHOOK_UPDATED
AUDIT_WEBHOOK_DELETED = AuditAction.WEBHOOK_DELETED
AUDIT_WEBHOOK_DISABLED = AuditAction.WEBHOOK_DISABLED
USER_AGENT = "crm_saas-webhooks/1.0"
MAX_SUBSCRIPTIONS = 50


def events_clean(events: Any) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise DomainError("Choose at least one event.", field="events")
    unknown = sorted({str(event) for event in events} - set(EVENTS))
    if unknown:
        raise DomainError(f"Unknown event(s): {', '.join(unknown)}.", field="events")
    return [event for event in EVENTS if event in set(events)]


def _label(subscription: WebhookSubscription) -> str:
    return subscription.url[:254]


def subscription_create(
    *, actor: Any, url: str, events: list[str], description: str = "", request: HttpRequest | None = None
) -> WebhookSubscription:
    target_check(url)
    clean_events = events_clean(events)
    if WebhookSubscription.objects.count() >= MAX_SUBSCRIPTIONS:
        raise DomainError(f"A workspace can have at most {MAX_SUBSCRIPTIONS} webhook subscriptions.")
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            url=url.strip(),
            events=clean_events,
            description=(description or "").strip()[:200],
            secret=secret_generate(),
            created_by=actor,
        )
        audit_record(
            action=AUDIT_WEBHOOK_CREATED,
            request=request,
            actor=actor,
            target=subscription,
            target_label=_label(subscription),
            metadata={"events": clean_events},
        )
    return subscription


def subscription_update(
    *,
    subscription: WebhookSubscription,
    actor: Any,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> WebhookSubscription:
    """Change url, events, description or is_active; ``rotate_secret`` issues a new secret."""
    changed: list[str] = []
    if "url" in data and data["url"] != subscription.url:
        target_check(data["url"])
        subscription.url = data["url"].strip()
        changed.append("url")
    if "events" in data:
        subscription.events = events_clean(data["events"])
        changed.append("events")
    if "description" in data:
        subscription.description = (data["description"] or "").strip()[:200]
        changed.append("description")
    if "is_active" in data and bool(data["is_active"]) != subscription.is_active:
        subscription.is_active = bool(data["is_active"])
        if subscription.is_active:  # switched back on: start counting failures afresh
            subscription.consecutive_failures = 0
            subscription.disabled_reason = ""
        else:
            subscription.disabled_reason = "Switched off by an admin."
        changed += ["is_active", "consecutive_failures", "disabled_reason"]
    if data.get("rotate_secret"):
        subscription.secret = secret_generate()
        changed.append("secret")
    if changed:
        with transaction.atomic():
            subscription.save()
            audit_record(
                action=AUDIT_WEBHOOK_UPDATED,
                request=request,
                actor=actor,
                target=subscription,
                target_label=_label(subscription),
                metadata={"changed": sorted(set(changed))},
            )
    return subscription


def subscription_delete(*, subscription: WebhookSubscription, actor: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        audit_record(
            action=AUDIT_WEBHOOK_DELETED,
            request=request,
            actor=actor,
            target=subscription,
            target_label=_label(subscription),
        )
        subscription.delete()


def _envelope(*, event: str, event_id: uuid.UUID, occurred_at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(event_id),
        "type": event,
        "created_at": occurred_at.isoformat(),
        "workspace": connection.schema_name,
        "data": data,
    }


def deliveries_create_for_event(*, event: str, data: dict[str, Any], occurred_at: datetime) -> list[WebhookDelivery]:
    subscriptions = list(
        WebhookSubscription.objects.filter(is_active=True, events__contains=[event]).values_list("pk", flat=True)
    )
    if not subscriptions:
        return []
    event_id = uuid.uuid4()
    # Through the encoder now, so dates and decimals are stored exactly as they will be sent.
    payload = json.loads(
        json.dumps(_envelope(event=event, event_id=event_id, occurred_at=occurred_at, data=data), cls=DjangoJSONEncoder)
    )
    return WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(subscription_id=pk, event=event, event_id=event_id, payload=payload) for pk in subscriptions]
    )


@dataclass(frozen=True)
class AttemptResult:
    delivery: WebhookDelivery
    retry_in: int | None  # seconds until the next attempt, None when there is none


def _body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def delivery_attempt(*, delivery_id: str, attempt: int) -> AttemptResult | None:
    """Make attempt number ``attempt`` (1-based) of a delivery.

    Returns None when there is nothing to do: the delivery is gone, finished, already past this
    attempt, or being attempted by another worker right now (a redelivered task message).
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in {DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED}:
            return None
        if delivery.attempts != attempt - 1:
            return None
        subscription = delivery.subscription
        now = timezone.now()
        if not subscription.is_active:
            delivery.status = DeliveryStatus.FAILED
            delivery.error = "Not sent: the subscription is switched off."
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "error", "next_attempt_at"])
            return AttemptResult(delivery=delivery, retry_in=None)

        body = _body(delivery)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: str(delivery.event_id),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature_compute(secret=subscription.secret, timestamp=timestamp, body=body),
        }
        outcome = http_post(subscription.url, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)

        delivery.attempts = attempt
        delivery.last_attempt_at = now
        delivery.response_status = outcome.status
        delivery.response_body = outcome.body
        delivery.duration_ms = outcome.duration_ms
        succeeded = outcome.status is not None and 200 <= outcome.status < 300
        if succeeded:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.error = ""
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
            retry_in = None
        else:
            delivery.error = outcome.error or f"The receiver answered HTTP {outcome.status}."
            retry_in = _retry_delay(attempt)
            if retry_in is None:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.status = DeliveryStatus.RETRYING
                delivery.next_attempt_at = now + timedelta(seconds=retry_in)
        delivery.save()
        if succeeded:
            WebhookSubscription.objects.filter(pk=subscription.pk, consecutive_failures__gt=0).update(
                consecutive_failures=0
            )
        elif retry_in is None:
            _subscription_count_failure(subscription)
    return AttemptResult(delivery=delivery, retry_in=retry_in)


def _retry_delay(attempt: int) -> int | None:
    """Seconds before attempt ``attempt + 1``; None once the ladder is used up."""
    ladder = settings.WEBHOOK_RETRY_DELAYS
    return ladder[attempt - 1] if attempt - 1 < len(ladder) else None


def _subscription_count_failure(subscription: WebhookSubscription) -> None:
    WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    subscription.refresh_from_db(fields=["consecutive_failures", "is_active"])
    limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    if subscription.is_active and subscription.consecutive_failures >= limit:
        reason = f"Switched off after {subscription.consecutive_failures} deliveries in a row failed every retry."
        WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=False, disabled_reason=reason)
        subscription.is_active, subscription.disabled_reason = False, reason
        audit_record(
            action=AUDIT_WEBHOOK_DISABLED,
            target=subscription,
            target_label=_label(subscription),
            actor_label="system",
            metadata={"consecutive_failures": subscription.consecutive_failures},
        )
        logger.warning("Webhook subscription %s switched off: %s", subscription.pk, reason)


def delivery_redeliver(*, delivery: WebhookDelivery, actor: Any) -> WebhookDelivery:
    """Send a delivery's event again as a new delivery (same event id, so receivers can dedupe)."""
    subscription = delivery.subscription
    if not subscription.is_active:
        raise ConflictError("Switch the subscription back on before redelivering to it.")
    copy = WebhookDelivery.objects.create(
        subscription=subscription,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        redelivery_of=delivery,
    )
    from crm_saas.integrations.tasks import deliveries_enqueue

    schema_name = connection.schema_name
    ids = [str(copy.pk)]
    transaction.on_commit(lambda: deliveries_enqueue(delivery_ids=ids, schema_name=schema_name))
    return copy


def subscription_ping(*, subscription: WebhookSubscription, actor: Any) -> WebhookDelivery:
    """Queue a ``ping`` delivery so an admin can check the receiver and its signature check."""
    if not subscription.is_active:
        raise ConflictError("Switch the subscription on before sending a test event.")
    event_id = uuid.uuid4()
    payload = _envelope(
        event="ping",
        event_id=event_id,
        occurred_at=timezone.now(),
        data={"subscription_id": str(subscription.pk), "message": "Webhook test from your CRM workspace."},
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event="ping", event_id=event_id, payload=payload
    )
    from crm_saas.integrations.tasks import deliveries_enqueue

    schema_name = connection.schema_name
    ids = [str(delivery.pk)]
    transaction.on_commit(lambda: deliveries_enqueue(delivery_ids=ids, schema_name=schema_name))
    return delivery


def deliveries_purge(*, older_than_days: int) -> int:
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = WebhookDelivery.objects.filter(
        created_at__lt=cutoff, status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED]
    ).delete()
    return deleted
