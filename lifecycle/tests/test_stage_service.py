"""Stages stored for customers: history recorded on change only, recomputed after events (debounced),
after the rules change, and in bulk with a bounded number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm_saas.errors import DomainError
from lifecycle.models import ChurnPrediction, Customer, Stage, StageChange
from lifecycle.services import lifecycle_event_add
from lifecycle.stages import service
from lifecycle.tasks import customer_stages_recompute_task, customer_stages_refresh_task
from lifecycle.tests.factories import make_customer
from tests.surface import REP

pytestmark = pytest.mark.django_db


def history(customer: Customer) -> list[tuple[str, str | None]]:
    """(stage, previous stage) oldest first; call inside the tenant's schema."""
    return list(customer.stage_changes.order_by("changed_at", "id").values_list("stage", "previous_stage"))


def test_recompute_stores_the_history_and_the_current_stage(alpha) -> None:
    now = timezone.now()
    with alpha.active():
        customer = make_customer(actor=alpha.users[REP], days_ago=100)
        for days_ago in (90, 80, 70):  # then silent for 70 days: at risk since 40 days ago
            lifecycle_event_add(customer=customer, kind="login", occurred_at=now - timedelta(days=days_ago))
        result = service.customer_stages_recompute(customer_ids=[customer.pk], now=now)
        customer.refresh_from_db()
        rows = list(customer.stage_changes.order_by("changed_at"))
        stages = history(customer)
    assert (result.customers, result.stage_changed, result.history_written) == (1, 1, 3)
    assert stages == [(Stage.NEW, None), (Stage.ACTIVE, Stage.NEW), (Stage.AT_RISK, Stage.ACTIVE)]
    assert rows[1].changed_at == customer.signed_up_at + timedelta(days=30)
    assert rows[2].changed_at == now - timedelta(days=40)
    assert customer.stage == Stage.AT_RISK
    assert customer.stage_since == rows[2].changed_at
    assert customer.stage_reason == "No login or usage for 70 days (at risk from 30)"  # as of now, not then
    assert rows[2].reason == "No login or usage for 30 days (at risk from 30)"


def test_a_second_run_writes_nothing_and_a_change_is_appended(alpha) -> None:
    with alpha.active():
        customer = make_customer(actor=alpha.users[REP], days_ago=100)
        lifecycle_event_add(customer=customer, kind="login", occurred_at=timezone.now() - timedelta(days=1))
        service.customer_stages_recompute(customer_ids=[customer.pk])
        before = list(customer.stage_changes.order_by("changed_at").values_list("pk", "stage"))
        again = service.customer_stages_recompute(customer_ids=[customer.pk])
        assert (again.stage_changed, again.history_written) == (0, 0)
        assert list(customer.stage_changes.order_by("changed_at").values_list("pk", "stage")) == before

        lifecycle_event_add(customer=customer, kind="cancellation", note="Budget cut")
        after = service.customer_stages_recompute(customer_ids=[customer.pk])
        rows = list(customer.stage_changes.order_by("changed_at").values_list("pk", "stage"))
        customer.refresh_from_db()
    assert (after.stage_changed, after.history_written) == (1, 1)
    assert rows[:-1] == before  # the earlier history is kept as it was (same rows)
    assert rows[-1][1] == Stage.CHURNED
    assert customer.stage == Stage.CHURNED and customer.stage_reason.endswith(": Budget cut")


def test_churn_predictions_and_the_customers_current_risk_count(alpha) -> None:
    now = timezone.now()
    with alpha.active():
        customer = make_customer(actor=alpha.users[REP], days_ago=200)
        lifecycle_event_add(customer=customer, kind="login", occurred_at=now - timedelta(hours=1))
        for days_ago in range(190, 0, -7):  # a regular user
            lifecycle_event_add(customer=customer, kind="usage", quantity=3, occurred_at=now - timedelta(days=days_ago))
        ChurnPrediction.objects.create(customer=customer, risk=0.7, band="high", as_of=now - timedelta(days=60))
        ChurnPrediction.objects.create(customer=customer, risk=0.2, band="low", as_of=now - timedelta(days=30))
        service.customer_stages_recompute(customer_ids=[customer.pk], now=now)
        assert history(customer)[-2:] == [(Stage.AT_RISK, Stage.ACTIVE), (Stage.ACTIVE, Stage.AT_RISK)]

        Customer.objects.filter(pk=customer.pk).update(churn_risk=0.81, churn_band="high", churn_scored_at=now)
        service.customer_stages_recompute(customer_ids=[customer.pk], now=now)
        customer.refresh_from_db()
    assert customer.stage == Stage.AT_RISK
    assert customer.stage_reason == "Predicted churn risk 81% (at risk from 50%)"


def test_rules_are_validated_and_changing_them_queues_a_recompute(
    alpha, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    sent = []
    monkeypatch.setattr(customer_stages_recompute_task, "apply_async", lambda **options: sent.append(options))
    with alpha.active():
        for data, field in (
            ({"risk_threshold": 1.5}, "risk_threshold"),
            ({"risk_threshold": 0}, "risk_threshold"),
            ({"new_days": 400}, "loyal_days"),
            ({"payment_window_days": 0}, "payment_window_days"),
            ({"inactive_days": 5000}, "inactive_days"),
            ({"colour": "red"}, None),
        ):
            with pytest.raises(DomainError) as error:
                service.stage_rules_update(data=data)
            assert error.value.field == field, data
        assert service.stage_rules().new_days == 30  # nothing was saved
        assert sent == []
        with django_capture_on_commit_callbacks(execute=True):
            rules = service.stage_rules_update(data={"new_days": 120, "payment_failures": 0})
    assert (rules.new_days, rules.payment_failures) == (120, 0)
    assert sent == [{"headers": {"_schema_name": "alpha"}}]

    with alpha.active():
        customer = make_customer(actor=alpha.users[REP], days_ago=100)
        lifecycle_event_add(customer=customer, kind="login")
        assert customer_stages_recompute_task() == 1  # the task's own work, in this schema
        customer.refresh_from_db()
    assert customer.stage == Stage.NEW and "new for the first 120 days" in customer.stage_reason


def test_new_events_queue_one_debounced_refresh(alpha, django_capture_on_commit_callbacks, monkeypatch) -> None:
    sent = []
    monkeypatch.setattr(customer_stages_refresh_task, "apply_async", lambda **options: sent.append(options))
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        customer = make_customer(actor=alpha.users[REP], days_ago=100)
        lifecycle_event_add(customer=customer, kind="login")
        lifecycle_event_add(customer=customer, kind="payment_failed", amount="29.00")
    assert sent == [
        {
            "kwargs": {"customer_ids": [customer.pk]},
            "countdown": service.REFRESH_DELAY_SECONDS,
            "headers": {"_schema_name": "alpha"},
        }
    ]
    with alpha.active():
        assert customer_stages_refresh_task(customer_ids=[customer.pk]) == 1
        customer.refresh_from_db()
        assert customer.stage == Stage.AT_RISK and customer.stage_reason == "1 failed payment in the last 60 days"
        # The task released the debounce key: the next event queues again.
        with django_capture_on_commit_callbacks(execute=True):
            lifecycle_event_add(customer=customer, kind="login")
    assert len(sent) == 2


def test_many_customers_cost_a_bounded_number_of_queries(alpha) -> None:
    now = timezone.now()

    def recompute_queries(count: int) -> int:
        with alpha.active():
            for index in range(count):
                customer = make_customer(actor=alpha.users[REP], days_ago=50 + index, name=f"C{index}")
                lifecycle_event_add(customer=customer, kind="login", occurred_at=now - timedelta(days=index % 40))
            with CaptureQueriesContext(connection) as captured:
                service.customer_stages_recompute(now=now)
        return len(captured)

    with alpha.active():
        service.stage_rules()  # created on first use: not part of what is measured
    few = recompute_queries(3)
    many = recompute_queries(30)
    assert many == few


def test_stage_as_of_a_past_moment_for_many_customers(alpha) -> None:
    now = timezone.now()
    with alpha.active():
        old = make_customer(actor=alpha.users[REP], days_ago=400, name="Old")
        lifecycle_event_add(customer=old, kind="renewal", occurred_at=now - timedelta(days=30))
        lifecycle_event_add(customer=old, kind="login", occurred_at=now - timedelta(days=1))
        young = make_customer(actor=alpha.users[REP], days_ago=40, name="Young")
        lifecycle_event_add(customer=young, kind="login", occurred_at=now - timedelta(days=1))
        Customer.objects.filter(pk=young.pk).update(churn_risk=0.9, churn_scored_at=now)
        verdicts = service.customers_stage_at(customer_ids=[old.pk, young.pk], at=now - timedelta(days=20))
        today = service.customers_stage_at(customer_ids=[old.pk, young.pk], at=now)
        assert StageChange.objects.count() == 0  # reading stages writes nothing
    # 20 days ago: Old had renewed but not logged in since signing up; Young was new.
    assert verdicts[old.pk].stage == Stage.AT_RISK
    assert verdicts[young.pk].stage == Stage.NEW
    assert today[old.pk].stage == Stage.LOYAL
    assert today[young.pk].stage == Stage.AT_RISK  # scored just now: not known 20 days ago
