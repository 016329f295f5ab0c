"""Churn features as of a cut-off see only the past; training labels only the future."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lifecycle.churn.features import EVENT_MODE, TABLE_MODE, churn_frame, churn_mode
from lifecycle.churn.training import HORIZON_DAYS, churn_training_set
from lifecycle.models import LifecycleEvent
from lifecycle.services import lifecycle_event_add
from lifecycle.tests.factories import make_customer
from tests.surface import REP

pytestmark = pytest.mark.django_db


def _add(customer, kind: str, days_ago: float, **values) -> None:
    lifecycle_event_add(customer=customer, kind=kind, occurred_at=timezone.now() - timedelta(days=days_ago), **values)


def test_features_count_only_events_before_the_cutoff(alpha) -> None:
    with alpha.active():
        customer = make_customer(actor=alpha.users[REP], days_ago=300)
        LifecycleEvent.objects.filter(customer=customer).update(metadata={"plan": "Starter"})
        cutoff = timezone.now() - timedelta(days=100)
        # Before the cut-off
        for days in (105, 110, 125):
            _add(customer, "login", days)
        _add(customer, "ticket_opened", 104, severity="urgent")
        _add(customer, "ticket_opened", 170, severity="urgent")  # outside the 30/60-day windows
        _add(customer, "nps", 120, score=4)
        _add(customer, "payment_failed", 130)
        _add(customer, "plan_upgrade", 200, metadata={"plan": "Team"})
        for week in range(12):  # 8 weeks of 10 sessions, then 4 weeks of 2
            _add(customer, "usage", 100.5 + 7 * week, quantity=2 if week < 4 else 10)
        before = churn_frame([customer.pk], as_of=cutoff, mode=EVENT_MODE, attribute_keys=[]).iloc[0]
        # After the cut-off: none of this may change the row computed as of the cut-off
        _add(customer, "ticket_opened", 99, severity="urgent")
        _add(customer, "nps", 95, score=10)
        _add(customer, "login", 90)
        _add(customer, "plan_downgrade", 50, metadata={"plan": "Starter"})
        _add(customer, "cancellation", 40)
        after = churn_frame([customer.pk], as_of=cutoff, mode=EVENT_MODE, attribute_keys=[]).iloc[0]

    assert before.drop(["as_of"]).equals(after.drop(["as_of"]))
    assert after["logins_30d"] == 3
    assert after["days_since_login"] == pytest.approx(5, abs=0.01)
    assert after["urgent_tickets_30d"] == 1 and after["urgent_tickets_60d"] == 1
    assert after["tickets_90d"] == 2
    assert after["last_nps"] == 4 and after["days_since_nps"] == pytest.approx(20, abs=0.01)
    assert after["payment_failures_60d"] == 1
    assert after["plan_at"] == "Team"  # the upgrade before the cut-off, not the later downgrade
    assert after["usage_28d"] == 8 and after["usage_prior_56d"] == 80
    assert after["usage_trend"] == pytest.approx(-0.8)
    assert after["tenure_days"] == pytest.approx(200, abs=0.01)


def test_training_rows_are_labelled_by_the_future_only(alpha) -> None:
    with alpha.active():
        rep = alpha.users[REP]
        leaver = make_customer(actor=rep, name="Leaver", days_ago=400)
        stayer = make_customer(actor=rep, name="Stayer", days_ago=400)
        _add(leaver, "login", 300)
        _add(stayer, "login", 300)
        _add(leaver, "cancellation", 155)
        cancelled_at = LifecycleEvent.objects.get(customer=leaver, kind="cancellation").occurred_at
        assert churn_mode() == EVENT_MODE
        training = churn_training_set()

    rows = training.frame.assign(y=training.y)
    assert len(rows) > 10
    for _, row in rows.iterrows():
        cutoff = row["as_of"].to_pydatetime()
        assert cutoff <= timezone.now() - timedelta(days=HORIZON_DAYS)
        if row["customer_id"] == leaver.pk:
            assert cutoff < cancelled_at  # no snapshot once the customer was gone
            assert row["y"] == int(cancelled_at - cutoff <= timedelta(days=HORIZON_DAYS))
        else:
            assert row["y"] == 0
    leaver_rows = rows[rows["customer_id"] == leaver.pk]
    assert set(leaver_rows["y"]) == {0, 1}


def test_a_flat_customer_table_uses_its_own_columns(alpha) -> None:
    with alpha.active():
        customer = make_customer(actor=alpha.users[REP], plan="Team", mrr="99", attributes={"Contract": "Two year"})
        assert churn_mode() == TABLE_MODE
        frame = churn_frame([customer.pk], as_of=timezone.now(), mode=TABLE_MODE, attribute_keys=["contract"])
    row = frame.iloc[0]
    assert (row["plan"], row["mrr"], row["attr__contract"]) == ("Team", 99.0, "Two year")
