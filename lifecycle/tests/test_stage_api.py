"""Stages through the API and pages: fields and filter on customers, the history endpoint, the rules
(read by everyone, changed by admins, with clear errors); other tenants and reps get 404 alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifecycle.models import ChurnPrediction, Customer, StageRules
from lifecycle.services import lifecycle_event_add
from lifecycle.stages.service import customer_stages_recompute
from lifecycle.tests.factories import make_customer
from tests.surface import ADMIN, MANAGER, REP, STAGE_RULES, VIEWER

pytestmark = pytest.mark.django_db


@pytest.fixture
def staged(alpha) -> dict[str, Customer]:
    """A new, an at-risk (failed payment) and a churned customer with their histories."""
    now = timezone.now()
    with alpha.active():
        fresh = make_customer(actor=alpha.users[REP], days_ago=5, name="Fresh")
        lifecycle_event_add(customer=fresh, kind="login")
        shaky = make_customer(actor=alpha.users[REP], days_ago=90, name="Shaky")
        lifecycle_event_add(customer=shaky, kind="login")
        lifecycle_event_add(customer=shaky, kind="payment_failed", amount="99", occurred_at=now - timedelta(days=3))
        gone = make_customer(actor=alpha.users[MANAGER], days_ago=300, name="Gone")
        lifecycle_event_add(customer=gone, kind="cancellation", note="Closed the company")
        customer_stages_recompute()
        for customer in (fresh, shaky, gone):
            customer.refresh_from_db()
    return {"fresh": fresh, "shaky": shaky, "gone": gone}


def test_customers_carry_stage_reason_and_since_and_filter_by_stage(alpha, staged) -> None:
    manager = alpha.api(MANAGER)
    body = manager.get(f"/api/v1/customers/{staged['shaky'].pk}/").json()
    assert body["stage"] == "at_risk"
    assert body["stage_reason"] == "1 failed payment in the last 60 days"
    assert body["stage_since"] is not None

    def names(client, **query) -> set[str]:
        return {row["name"] for row in client.get("/api/v1/customers/", query).json()["results"]}

    assert names(manager, stage="new") == {"Fresh"}
    assert names(manager, stage="churned") == {"Gone"}
    assert names(alpha.api(REP), stage="churned") == set()  # the rep's own book only
    bad = manager.get("/api/v1/customers/", {"stage": "sleepy"})
    assert bad.status_code == 400 and "stage" in bad.json()["errors"]


def test_stage_history_endpoint_newest_first_and_scoped(alpha, beta, staged) -> None:
    gone = staged["gone"]
    body = alpha.api(MANAGER).get(f"/api/v1/customers/{gone.pk}/stages/").json()
    rows = body["results"]
    # Never logged in: at risk after 30 days of silence, then cancelled.
    assert [row["stage"] for row in rows] == ["churned", "at_risk", "new"]
    assert rows[0]["label"] == "Churned" and rows[0]["reason"].endswith("Closed the company")
    assert rows[0]["previous_stage"] == rows[1]["stage"]
    assert rows[-1]["stage"] == "new" and rows[-1]["previous_stage"] is None
    assert alpha.api(REP).get(f"/api/v1/customers/{gone.pk}/stages/").status_code == 404  # not the rep's
    assert beta.api(ADMIN).get(f"/api/v1/customers/{gone.pk}/stages/").status_code == 404
    assert alpha.api(VIEWER).get("/api/v1/customers/999999/stages/").status_code == 404


def test_rules_read_by_all_changed_by_admins_with_clear_errors(alpha) -> None:
    assert alpha.api(VIEWER).get("/api/v1/customers/stage-rules/").json()["new_days"] == 30
    assert alpha.api(MANAGER).put("/api/v1/customers/stage-rules/", STAGE_RULES, format="json").status_code == 403
    admin = alpha.api(ADMIN)
    incomplete = admin.put("/api/v1/customers/stage-rules/", {"new_days": 10}, format="json")
    assert incomplete.status_code == 400 and "loyal_days" in incomplete.json()["errors"]
    clash = admin.patch("/api/v1/customers/stage-rules/", {"new_days": 400}, format="json")
    assert clash.status_code == 400
    assert "Loyalty must start after the new period" in str(clash.json())
    risky = admin.patch("/api/v1/customers/stage-rules/", {"risk_threshold": 2}, format="json")
    assert risky.status_code == 400 and "risk_threshold" in str(risky.json())
    negative = admin.patch("/api/v1/customers/stage-rules/", {"inactive_days": -1}, format="json")
    assert negative.status_code == 400 and "inactive_days" in negative.json()["errors"]
    changed = admin.put("/api/v1/customers/stage-rules/", {**STAGE_RULES, "inactive_days": 45}, format="json")
    assert changed.status_code == 200 and changed.json()["inactive_days"] == 45
    with alpha.active():
        assert StageRules.objects.count() == 1 and StageRules.objects.get().inactive_days == 45


def test_rules_page_shows_rules_to_all_and_the_form_to_admins(alpha) -> None:
    viewer_page = alpha.web(VIEWER).get("/customers/stage-rules/")
    assert viewer_page.status_code == 200
    assert b"no login or usage for 30 days" in viewer_page.content and b"Save and recompute" not in viewer_page.content
    admin = alpha.web(ADMIN)
    refused = admin.post("/customers/stage-rules/", {**STAGE_RULES, "loyal_days": 10})
    assert refused.status_code == 400 and b"Loyalty must start after the new period" in refused.content
    saved = admin.post("/customers/stage-rules/", {**STAGE_RULES, "new_days": 14})
    assert saved.status_code == 302
    assert b"signed up less than 14 days ago" in admin.get("/customers/stage-rules/").content


def test_list_page_shows_stage_reason_and_risk_with_a_bounded_query_count(alpha, staged) -> None:
    with alpha.active():
        Customer.objects.filter(pk=staged["shaky"].pk).update(churn_risk=0.734, churn_band="high")
    client = alpha.web(MANAGER)
    page = client.get("/customers/")
    text = page.content.decode()
    assert 'title="1 failed payment in the last 60 days"' in text
    assert ">73%<" in text  # the risk column
    assert text.count('<span class="muted">—</span></td>') >= 2  # not scored: a dash
    filtered = client.get("/customers/", {"stage": "new"}).content.decode()
    assert "Fresh" in filtered and "Shaky" not in filtered

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/customers/").status_code == 200
        return len(captured)

    before = queries()
    with alpha.active():
        for index in range(10):
            make_customer(actor=alpha.users[REP], name=f"More {index}")
        customer_stages_recompute()
    assert queries() == before


def test_timeline_and_portfolio_pages_embed_their_data(alpha, staged) -> None:
    now = timezone.now()
    shaky = staged["shaky"]
    with alpha.active():
        ChurnPrediction.objects.create(customer=shaky, risk=0.3, band="low", as_of=now - timedelta(days=30))
        Customer.objects.filter(pk=shaky.pk).update(churn_risk=0.61, churn_band="high", churn_scored_at=now)
    client = alpha.web(REP)
    page = client.get(f"/customers/{shaky.pk}/timeline/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="timeline-data"' in text and "vendor/plotly/plotly.min.js" in text
    assert "No open recommendations." in text
    assert ">61%<" in text and "1 failed payment in the last 60 days" in text
    assert client.get(f"/customers/{staged['gone'].pk}/timeline/").status_code == 404  # not the rep's
    portfolio = client.get("/customers/portfolio/").content.decode()
    assert "Your customers" in portfolio and 'id="funnel-data"' in portfolio
    assert 'id="retention-data"' in portfolio or "too recent" in portfolio
    assert "All customers" in alpha.web(VIEWER).get("/customers/portfolio/").content.decode()
