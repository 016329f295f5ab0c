"""In Chromium: the churn model page (metrics, charts, bands, acceptance) and a customer's risk,
drivers and next best actions, accepted and dismissed from the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from crm_saas.testing.world import TenantWorld, world_build, world_drop
from leads.models import FollowUp
from lifecycle.churn.service import churn_model_train
from lifecycle.models import Customer, NextAction
from lifecycle.synthetic import lifecycle_generate
from tests.browser.conftest import shot
from tests.browser.test_customers_ui import sign_in
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def churn_world(django_db_setup, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("churnui")
        try:
            with world.active():
                lifecycle_generate(customers=260, seed=5, owners=[world.users[REP], world.users[MANAGER]])
                churn_model_train(actor=world.users[MANAGER])
            yield world
        finally:
            world_drop(world)


def test_churn_model_page_and_customer_next_actions(
    page: Page, churn_world: TenantWorld, web_server: str, artifacts_dir: Path, django_db_blocker
) -> None:
    base = f"http://{churn_world.host}:{web_server}"
    sign_in(page, base, churn_world.email(MANAGER))
    page.click("nav >> text=Churn model")
    expect(page.locator("h1")).to_have_text("Churn model")
    expect(page.locator(".stat").first).to_contain_text("ROC-AUC")
    expect(page.locator("[data-chart=importance] .main-svg").first).to_be_visible()
    expect(page.locator("[data-chart=calibration] .main-svg").first).to_be_visible()
    expect(page.locator("text=Active customers by risk")).to_be_visible()
    shot(page, artifacts_dir, "churn-model")

    with django_db_blocker.unblock(), churn_world.active():
        customer = (
            Customer.objects.filter(status="active", next_actions__status="open")
            .order_by("-churn_risk")
            .distinct()
            .first()
        )
        actions = list(NextAction.objects.filter(customer=customer, status="open").order_by("rank"))
    page.goto(f"{base}/customers/{customer.pk}/")
    panel = page.locator("#churn-risk")
    expect(panel).to_contain_text(f"{round(customer.churn_risk * 100)}%")
    expect(panel.locator(f".badge-risk-{customer.churn_band}")).to_be_visible()
    expect(panel.locator(".driver-list li").first).to_be_visible()
    expect(page.locator("#next-actions li strong").first).to_have_text(actions[0].title)
    shot(page, artifacts_dir, "customer-churn")

    page.click(f"button[aria-label='Accept: {actions[0].title}']")
    expect(page.locator(".messages, [role=status]").first).to_contain_text("Accepted: follow-up")
    if len(actions) > 1:
        page.fill(f"#dismiss-reason-{actions[1].pk}", "Spoke to them this morning")
        page.click(f"button[aria-label='Dismiss: {actions[1].title}']")
        expect(page.locator(".messages, [role=status]").first).to_contain_text("Dismissed")
        expect(page.locator("#next-actions")).to_contain_text("Spoke to them this morning")
    shot(page, artifacts_dir, "customer-churn-decided")
    with django_db_blocker.unblock(), churn_world.active():
        accepted = NextAction.objects.get(pk=actions[0].pk)
        assert accepted.status == "accepted"
        assert FollowUp.objects.filter(pk=accepted.follow_up_id, customer=customer).exists()
