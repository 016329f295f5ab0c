"""In Chromium: the customers list (generated customers, some from converted leads) and a
customer's page with its events and the form to add one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop
from leads.demo import demo_leads_generate
from lifecycle.demo import demo_customers_generate
from lifecycle.models import Customer
from tests.browser.conftest import shot
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def customer_world(django_db_setup, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("shop")
        try:
            with world.active():
                demo_leads_generate(owners=[world.users[REP], world.users[MANAGER]], closed=120, open_leads=10)
                demo_customers_generate(manager=world.users[MANAGER], from_leads=30, customers=60)
            yield world
        finally:
            world_drop(world)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")


def test_customers_list_and_detail(
    page: Page, customer_world: TenantWorld, web_server: str, artifacts_dir: Path, django_db_blocker
) -> None:
    base = f"http://{customer_world.host}:{web_server}"
    sign_in(page, base, customer_world.email(MANAGER))
    page.click("nav >> text=Customers")
    expect(page.locator("h1")).to_have_text("Customers")
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(50)  # the first page of 90
    expect(page.locator(".pager")).to_contain_text("90 customers")
    shot(page, artifacts_dir, "customers-list")

    page.select_option("#id_status", "churned")
    page.click("button:has-text('Filter')")
    expect(page.locator("table.table tbody tr").first.locator(".badge-status-churned")).to_be_visible()

    with django_db_blocker.unblock(), customer_world.active():
        customer = Customer.objects.filter(lead__isnull=False, status="active").order_by("pk").first()
    page.goto(f"{base}/customers/{customer.pk}/")
    expect(page.locator("h1")).to_have_text(customer.display_name)
    expect(page.locator("section.card", has=page.locator("h2", has_text="Milestones"))).to_contain_text("Signed up")
    expect(page.locator("text=From lead")).to_be_visible()
    page.select_option("#id_kind", "ticket_opened")
    page.select_option("#id_severity", "urgent")
    page.fill("#id_note", "Checkout is down")
    page.click("button:has-text('Record event')")
    expect(page.locator(".messages, [role=status]").first).to_contain_text("Support ticket opened recorded")
    expect(page.locator("#events tbody tr").first).to_contain_text("Checkout is down")
    shot(page, artifacts_dir, "customer-detail")
