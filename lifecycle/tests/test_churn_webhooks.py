"""A customer's churn risk band moving is sent to webhook subscribers; a steady band is not."""

from __future__ import annotations

import pytest

from crm_saas.integrations.models import WebhookDelivery
from crm_saas.integrations.services.webhooks import subscription_create
from lifecycle.churn.service import churn_model_train, customers_score
from lifecycle.models import Customer
from lifecycle.synthetic import lifecycle_generate
from tests.surface import ADMIN, MANAGER

pytestmark = pytest.mark.django_db


def test_a_band_change_is_emitted_once(alpha) -> None:
    with alpha.active():
        lifecycle_generate(customers=200, seed=5, owners=[alpha.users[MANAGER]])
        churn_model_train(actor=alpha.users[MANAGER])
        subscription_create(
            actor=alpha.users[ADMIN], url="http://127.0.0.1:9/hook", events=["customer.churn_risk_changed"]
        )
        customer = Customer.objects.filter(status="active").order_by("-churn_risk").first()
        band = customer.churn_band
        Customer.objects.filter(pk=customer.pk).update(churn_band="low" if band != "low" else "high")

        customers_score([customer.pk])
        customers_score([customer.pk])  # the band holds: nothing more to tell

        deliveries = list(WebhookDelivery.objects.filter(event="customer.churn_risk_changed"))
    assert len(deliveries) == 1
    data = deliveries[0].payload["data"]
    assert data["customer_id"] == customer.pk and data["band"] == band
    assert data["previous_band"] == ("low" if band != "low" else "high")
    assert 0 <= data["risk"] <= 1 and data["scored_at"]
