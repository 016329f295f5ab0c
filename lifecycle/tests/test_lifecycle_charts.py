"""The data behind the timeline and portfolio charts: what is drawn one by one, what is counted
per week, stage bands, risk history, funnel, flows, risk buckets and cohort retention."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifecycle.charts.portfolio import (
    cohort_retention_chart,
    risk_distribution_chart,
    stage_flow_chart,
    stage_funnel_chart,
)
from lifecycle.charts.timeline import customer_timeline_chart
from lifecycle.models import ChurnPrediction, Customer, LifecycleEvent, StageRules
from lifecycle.selectors import customers_visible_to
from lifecycle.services import customers_after_events, lifecycle_event_add
from lifecycle.stages.service import customer_stages_recompute, stage_rules_update
from lifecycle.tests.factories import make_customer
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.django_db


def test_timeline_draws_milestones_and_signals_and_counts_everyday_events_per_week(alpha) -> None:
    now = timezone.now()
    with alpha.active():
        customer = make_customer(actor=alpha.users[REP], days_ago=400, plan="Team")
        start = customer.signed_up_at
        everyday = [
            LifecycleEvent(customer=customer, kind="login", occurred_at=start + timedelta(hours=4 * i))
            for i in range(1, 2400)
            if start + timedelta(hours=4 * i) < now
        ]
        everyday += [
            LifecycleEvent(customer=customer, kind="usage", quantity=5, occurred_at=start + timedelta(days=7 * i))
            for i in range(1, 50)
        ]
        LifecycleEvent.objects.bulk_create(everyday)
        customers_after_events(customer_ids=[customer.pk])
        lifecycle_event_add(
            customer=customer,
            kind="plan_upgrade",
            occurred_at=start + timedelta(days=100),
            metadata={"from": "Team", "to": "Business"},
        )
        lifecycle_event_add(customer=customer, kind="renewal", amount="1188", occurred_at=start + timedelta(days=366))
        lifecycle_event_add(
            customer=customer,
            kind="ticket_opened",
            severity="urgent",
            note="Checkout down",
            occurred_at=start + timedelta(days=200),
        )
        lifecycle_event_add(
            customer=customer, kind="ticket_opened", severity="low", occurred_at=start + timedelta(days=201)
        )
        lifecycle_event_add(customer=customer, kind="nps", score=3, occurred_at=start + timedelta(days=210))
        ChurnPrediction.objects.create(customer=customer, risk=0.2, band="low", as_of=start + timedelta(days=150))
        ChurnPrediction.objects.create(customer=customer, risk=0.6, band="high", as_of=start + timedelta(days=210))
        Customer.objects.filter(pk=customer.pk).update(churn_risk=0.35, churn_band="medium", churn_scored_at=now)
        customer_stages_recompute(customer_ids=[customer.pk], now=now)
        customer.refresh_from_db()
        with CaptureQueriesContext(connection) as captured:
            chart = customer_timeline_chart(customer, rules=StageRules(), now=now)
    total = len(everyday) + 1 + 5  # with the sign-up
    queries = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
    assert len(queries) == 4  # notable events, weekly counts, stage history, risk history
    assert chart["counts"] == {"events": total, "milestones": 3, "signals": 2, "weekly": total - 5}
    assert [m["kind"] for m in chart["milestones"]] == ["signup", "plan_upgrade", "renewal"]
    assert chart["milestones"][1]["detail"] == "Team → Business"
    assert chart["milestones"][2]["detail"] == "1,188.00"
    assert [(s["kind"], s["severity"]) for s in chart["signals"]] == [("ticket_opened", "urgent"), ("nps", "")]
    assert chart["signals"][0]["detail"] == "Urgent severity · Checkout down"
    activity = chart["activity"]
    assert len(activity["weeks"]) <= 60  # ~2,400 events become a point per week
    assert sum(activity["logins"]) == len(everyday) - 49
    assert sum(activity["sessions"]) == 49 * 5
    assert sum(activity["tickets"]) == 1  # the low ticket, counted; the urgent one drawn
    bands = chart["stages"]
    assert bands[0]["stage"] == "new" and bands[0]["from"] == chart["signed_up"]
    assert all(a["to"] == b["from"] for a, b in itertools.pairwise(bands))  # contiguous
    assert bands[-1]["to"] == chart["now"] and bands[-1]["stage"] == "loyal"
    assert "at_risk" in [band["stage"] for band in bands]  # the urgent ticket and the 60% prediction
    assert [point["risk"] for point in chart["risk"]] == [0.2, 0.6]
    assert chart["current_risk"]["risk"] == 0.35
    assert "churn risk now 35%" in chart["summary"]


def test_portfolio_counts_flows_risk_and_retention(alpha) -> None:
    now = timezone.now()
    with alpha.active():
        rep, manager = alpha.users[REP], alpha.users[MANAGER]
        stage_rules_update(data={"inactive_days": 0})  # these customers rarely log in
        # Ten customers signed up ~8 months ago; four cancel in their third month, one comes back.
        cohort = [make_customer(actor=rep if i < 5 else manager, days_ago=245, name=f"C{i}") for i in range(10)]
        for index, customer in enumerate(cohort):
            lifecycle_event_add(customer=customer, kind="login", occurred_at=now - timedelta(days=1))
            if index < 4:
                lifecycle_event_add(customer=customer, kind="cancellation", occurred_at=now - timedelta(days=170))
        lifecycle_event_add(customer=cohort[0], kind="reactivation", occurred_at=now - timedelta(days=100))
        for index, customer in enumerate(cohort[4:]):
            Customer.objects.filter(pk=customer.pk).update(churn_risk=0.1 * index + 0.05, churn_scored_at=now)
        customer_stages_recompute(now=now)
        everyone = customers_visible_to(manager)
        funnel = stage_funnel_chart(everyone)
        flow = stage_flow_chart(everyone, since=now - timedelta(days=400))
        risk = risk_distribution_chart(everyone, threshold=0.3)
        retention = cohort_retention_chart(everyone, now=now)
        own = stage_funnel_chart(customers_visible_to(rep))
    counts = {row["stage"]: row["customers"] for row in funnel["rows"]}
    # The stage rules' threshold is 0.5: only the 55% customer is at risk.
    assert counts == {"new": 0, "active": 6, "loyal": 0, "at_risk": 1, "churned": 3}
    assert funnel["total"] == 10 and own["total"] == 5
    moves = {(row["source"], row["target"]): row["moves"] for row in flow["rows"]}
    assert moves[("new", "active")] == 10 and moves[("active", "churned")] == 4
    assert moves[("churned", "active")] == 1
    assert [row["customers"] for row in risk["rows"]][:6] == [1, 1, 1, 1, 1, 1]
    assert risk["scored"] == 6 and "3 (50%) have a churn risk of 30% or more" in risk["summary"]
    (row,) = retention["rows"]
    assert row["customers"] == 10 and len(row["retention"]) in (7, 8)
    assert row["retention"][:2] == [1.0, 1.0]
    assert row["retention"][3] == 0.6  # four gone in month 3
    assert row["retention"][5] == 0.7  # one came back in month 5
    assert retention["average"] == row["retention"]
