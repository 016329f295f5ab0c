"""Reads for the integrations pages and API. Missing ids answer NotFoundError alike."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from crm_saas.errors import NotFoundError
from crm_saas.integrations.models import ApiKey, DeliveryStatus, WebhookDelivery, WebhookSubscription


def api_key_list() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("created_by", "revoked_by")


def api_key_get(*, api_key_id: Any) -> ApiKey:
    try:
        return api_key_list().get(pk=api_key_id)
    except (ApiKey.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFoundError("API key not found.") from exc


def subscription_list() -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.all()


def subscription_get(*, subscription_id: Any) -> WebhookSubscription:
    try:
        return WebhookSubscription.objects.get(pk=subscription_id)
    except (WebhookSubscription.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFoundError("Webhook subscription not found.") from exc


def delivery_list(
    *, subscription: WebhookSubscription | None = None, status: str | None = None, event: str | None = None
) -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.select_related("subscription").defer("payload")
    if subscription is not None:
        deliveries = deliveries.filter(subscription=subscription)
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    if event:
        deliveries = deliveries.filter(event=event)
    return deliveries


def delivery_get(*, delivery_id: Any) -> WebhookDelivery:
    try:
        return WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    except (WebhookDelivery.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFoundError("Webhook delivery not found.") from exc
