"""The demo workspace's customers tell their story from day one: every customer has a stage with
its reason, every active one a churn risk with drivers, and customers at risk have a next action."""

from __future__ import annotations

import pytest

from lifecycle.models import ChurnPrediction, Customer, NextAction, StageChange
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.django_db


def test_a_manager_sees_every_customers_stage_risk_and_next_action(alpha) -> None:
    from leads.demo import demo_leads_generate
    from lifecycle.demo import demo_customers_generate

    with alpha.active():
        demo_leads_generate(owners=[alpha.users[REP], alpha.users[MANAGER]], closed=120, open_leads=5)
        summary = demo_customers_generate(manager=alpha.users[MANAGER], from_leads=40, customers=260)
        assert summary["churn_model_version"] == 1, summary
        customers = Customer.objects.all()
        assert not customers.filter(stage__isnull=True).exists()
        assert not customers.filter(stage_reason="").exists()
        active = customers.filter(status="active")
        assert not active.filter(churn_risk__isnull=True).exists()
        assert set(active.values_list("churn_band", flat=True)) <= {"high", "medium", "low"}
        assert StageChange.objects.values("customer").distinct().count() == customers.count()
        at_risk = active.filter(stage="at_risk")
        assert at_risk.exists()
        with_actions = at_risk.filter(next_actions__status="open").distinct().count()
        assert with_actions == at_risk.count(), (with_actions, at_risk.count())  # every one of them
        assert (
            ChurnPrediction.objects.filter(customer__in=active).values("customer").distinct().count() == active.count()
        )
        assert NextAction.objects.filter(status="open").exclude(rationale="").count() > 0
        story = at_risk.order_by("-churn_risk").first()

    # What the manager sees: the list with stage and risk, the customer with risk and actions.
    listing = alpha.web(MANAGER).get("/customers/?stage=at_risk").content.decode()
    assert story.display_name in listing and "At risk" in listing
    page = alpha.web(MANAGER).get(f"/customers/{story.pk}/").content.decode()
    assert f"{round(story.churn_risk * 100)}%" in page
    timeline = alpha.web(MANAGER).get(f"/customers/{story.pk}/timeline/")
    assert timeline.status_code == 200 and b"timeline-data" in timeline.content
