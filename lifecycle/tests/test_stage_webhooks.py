"""A customer moving to another stage is sent to webhook subscribers; a recompute that changes
nothing sends nothing."""

from __future__ import annotations

import pytest

from crm_saas.integrations.models import WebhookDelivery
from crm_saas.integrations.services.webhooks import subscription_create
from lifecycle.services import lifecycle_event_add
from lifecycle.stages.service import customer_stages_recompute
from lifecycle.tests.factories import make_customer
from tests.surface import ADMIN, MANAGER

pytestmark = pytest.mark.django_db


def test_a_stage_move_is_emitted_once(alpha) -> None:
    with alpha.active():
        customer = make_customer(actor=alpha.users[MANAGER], days_ago=200)
        customer_stages_recompute(customer_ids=[customer.pk])
        customer.refresh_from_db()
        before = customer.stage
        subscription_create(actor=alpha.users[ADMIN], url="http://127.0.0.1:9/hook", events=["customer.stage_changed"])
        lifecycle_event_add(customer=customer, kind="cancellation")
        customer_stages_recompute(customer_ids=[customer.pk])
        customer_stages_recompute(customer_ids=[customer.pk])  # nothing new: nothing sent
        deliveries = list(WebhookDelivery.objects.filter(event="customer.stage_changed"))
    assert len(deliveries) == 1
    data = deliveries[0].payload["data"]
    assert (data["customer_id"], data["stage"], data["previous_stage"]) == (customer.pk, "churned", before)
    assert data["reason"] and data["since"]
