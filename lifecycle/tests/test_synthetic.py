"""The synthetic lifecycle generator: deterministic for a seed, fast, and plausible."""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import mean

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from lifecycle.models import Customer, EventKind, LifecycleEvent
from lifecycle.synthetic import lifecycle_generate
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 30, 12, tzinfo=UTC)
EVENT_FIELDS = ("kind", "occurred_at", "amount", "severity", "score", "quantity", "note", "metadata")


def _snapshot() -> tuple[list, list]:
    customers = list(
        Customer.objects.order_by("external_id").values_list(
            "external_id", "name", "email", "plan", "mrr", "status", "signed_up_at", "churned_at", "owner_id"
        )
    )
    events = list(
        LifecycleEvent.objects.order_by("customer__external_id", "occurred_at", "kind", "id").values_list(
            "customer__external_id", *EVENT_FIELDS
        )
    )
    return customers, events


def test_same_seed_same_rows_other_seed_other_rows(alpha) -> None:
    with alpha.active():
        owners = [alpha.users[REP], alpha.users[MANAGER]]
        lifecycle_generate(customers=40, seed=3, owners=owners, now=NOW)
        first = _snapshot()
        Customer.objects.all().delete()
        lifecycle_generate(customers=40, seed=3, owners=owners, now=NOW)
        assert _snapshot() == first
        Customer.objects.all().delete()
        lifecycle_generate(customers=40, seed=4, owners=owners, now=NOW)
        assert _snapshot()[1] != first[1]


def test_500_customers_take_seconds_and_look_like_a_real_business(alpha) -> None:
    with alpha.active():
        summary = lifecycle_generate(customers=500, seed=7, owners=[alpha.users[REP]], now=NOW)
        print(f"\ngenerator: {summary}")
        assert summary["seconds"] < 30
        assert 60 <= summary["events"] / 500 <= 250

        churn_rate = summary["churned"] / 500
        assert 0.15 <= churn_rate <= 0.5, churn_rate

        customers = Customer.objects.annotate(
            urgent=Count("events", filter=Q(events__kind=EventKind.TICKET_OPENED, events__severity="urgent")),
            failures=Count("events", filter=Q(events__kind=EventKind.PAYMENT_FAILED)),
            signups=Count("events", filter=Q(events__kind=EventKind.SIGNUP)),
            cancellations=Count("events", filter=Q(events__kind=EventKind.CANCELLATION)),
        )
        churned = [c for c in customers if c.status == "churned"]
        retained = [c for c in customers if c.status == "active"]
        # The churn process depends on the history, so a model can learn it later.
        assert mean(c.urgent for c in churned) > mean(c.urgent for c in retained)
        assert mean(c.failures for c in churned) > mean(c.failures for c in retained)
        assert all(c.signups == 1 for c in customers)
        assert all(c.cancellations >= 1 for c in churned)
        assert all(c.churned_at and c.churned_at >= c.signed_up_at for c in churned)

        kinds = set(LifecycleEvent.objects.values_list("kind", flat=True))
        assert kinds >= set(EventKind.values) - {EventKind.REACTIVATION}
        assert not LifecycleEvent.objects.filter(occurred_at__gt=NOW).exists()
        scores = LifecycleEvent.objects.filter(kind=EventKind.NPS).values_list("score", flat=True)
        assert min(scores) >= 0 and max(scores) <= 10
        # Seasonality: January sign-ups outnumber August ones over two years.
        months = [c.signed_up_at.month for c in customers]
        assert months.count(1) > months.count(8)


def test_command_names_its_tenant_and_refuses_to_duplicate_a_seed(alpha, capsys) -> None:
    with pytest.raises(CommandError, match="No tenant"):
        call_command("generate_lifecycle", "--tenant", "nope", "--customers", "5")
    call_command("generate_lifecycle", "--tenant", "alpha", "--customers", "5", "--seed", "11")
    assert "Generated 5 customers" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_lifecycle", "--tenant", "alpha", "--customers", "5", "--seed", "11")
    call_command("generate_lifecycle", "--tenant", "alpha", "--customers", "5", "--seed", "11", "--replace")
    with alpha.active():
        assert Customer.objects.filter(external_id__startswith="SYN-11-").count() == 5


def test_the_demo_converts_some_leads_and_generates_the_rest(alpha) -> None:
    from leads.demo import demo_leads_generate
    from lifecycle.demo import demo_customers_generate

    with alpha.active():
        demo_leads_generate(owners=[alpha.users[REP], alpha.users[MANAGER]], closed=80, open_leads=5)
        summary = demo_customers_generate(manager=alpha.users[MANAGER], from_leads=20, customers=30)
        from_leads = Customer.objects.filter(lead__isnull=False)
        assert from_leads.count() == 20 and Customer.objects.count() == 50 == summary["customers"]
        for customer in from_leads:
            assert customer.signed_up_at == customer.lead.converted_at
            assert customer.events.filter(kind="signup").count() == 1
            assert customer.events.count() > 1 and customer.plan
