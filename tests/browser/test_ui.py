"""In Chromium, as people use it: sign in, dashboard, managing the team, the audit log, what a
sales rep may not see, a wrong password, another tenant's host, the platform, and a phone screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, expect

from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop
from tenants.accounts.models import User
from tenants.services import operator_create
from tests.browser.conftest import new_page, shot

pytestmark = pytest.mark.browser

OPERATOR_EMAIL = "ops@platform.test"


@pytest.fixture(scope="module")
def ui_world(django_db_setup, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("browser")
        connection.set_schema_to_public()
        operator = operator_create(email=OPERATOR_EMAIL, password=PASSWORD)
        try:
            yield world
        finally:
            connection.set_schema_to_public()
            # Deactivated rather than deleted: the test database is dropped at the end anyway.
            User.objects.filter(pk=operator.pk).update(is_active=False)
            world_drop(world)


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_admin_manages_the_team_end_to_end(
    page: Page,
    ui_world: TenantWorld,
    web_server: str,
    artifacts_dir: Path,
    django_db_blocker,
) -> None:
    base = f"http://{ui_world.host}:{web_server}"
    page.goto(f"{base}/accounts/login/")
    expect(page.locator("h1")).to_have_text("Sign in")
    shot(page, artifacts_dir, "ui-01-sign-in")

    sign_in(page, base, ui_world.email("admin"))
    expect(page.locator("h1")).to_have_text("Welcome, Browser Admin")
    nav = page.locator("#sidebar")
    expect(nav).to_contain_text("Team")
    expect(nav).to_contain_text("Audit log")
    expect(nav).to_contain_text("Leads")
    shot(page, artifacts_dir, "ui-02-dashboard")

    page.click("#sidebar >> text=Team")
    expect(page.locator("h1")).to_have_text("Team")
    page.fill("#id_email", "new.hire@browser.test")
    page.fill("#id_full_name", "Nova Hire")
    page.select_option("#id_role", "sales_rep")
    page.fill("#id_password", PASSWORD)
    page.click("text=Add user")
    expect(page.locator(".alert-success")).to_contain_text("new.hire@browser.test can now sign in.")
    row = page.locator("tr", has_text="new.hire@browser.test")
    expect(row).to_contain_text("Sales rep")
    shot(page, artifacts_dir, "ui-03-team")

    row.get_by_role("link", name="Edit").click()
    expect(page.locator("h1")).to_have_text("Nova Hire")
    page.select_option("#id_role", "manager")
    page.click("text=Save")
    expect(page.locator(".alert-success")).to_contain_text("Saved changes to new.hire@browser.test")
    row = page.locator("tr", has_text="new.hire@browser.test")
    expect(row).to_contain_text("Manager")

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Deactivate").click()
    expect(page.locator(".alert-success")).to_contain_text("was deactivated")
    expect(page.locator("tr", has_text="new.hire@browser.test")).to_contain_text("Deactivated")

    page.click("#sidebar >> text=Audit log")
    table = page.locator("table")
    expect(table).to_contain_text("Role changed")
    expect(table).to_contain_text("User deactivated")
    expect(table).to_contain_text("Signed in")
    shot(page, artifacts_dir, "ui-04-audit-log")

    with django_db_blocker.unblock(), schema_context(ui_world.schema):
        hire = User.objects.get(email="new.hire@browser.test")
        assert (hire.role, hire.is_active) == ("manager", False)


def test_a_sales_rep_sees_no_admin_pages(
    page: Page, ui_world: TenantWorld, web_server: str, artifacts_dir: Path
) -> None:
    base = f"http://{ui_world.host}:{web_server}"
    sign_in(page, base, ui_world.email("sales_rep"))
    expect(page.locator("h1")).to_contain_text("Welcome")
    nav = page.locator("#sidebar")
    expect(nav).to_contain_text("Leads")
    expect(nav).not_to_contain_text("Team")
    expect(nav).not_to_contain_text("Audit log")
    response = page.goto(f"{base}/accounts/users/")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")
    shot(page, artifacts_dir, "ui-05-rep-forbidden")


def test_a_wrong_password_is_explained_and_signs_no_one_in(
    page: Page, ui_world: TenantWorld, web_server: str, artifacts_dir: Path
) -> None:
    base = f"http://{ui_world.host}:{web_server}"
    sign_in(page, base, ui_world.email("admin"), password="not-the-password")
    expect(page.locator(".alert-error")).to_contain_text("E-mail or password is incorrect")
    expect(page.locator("h1")).to_have_text("Sign in")
    shot(page, artifacts_dir, "ui-06-wrong-password")
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/")


def test_a_session_does_not_carry_over_to_another_tenant(page: Page, ui_world: TenantWorld, web_server: str) -> None:
    sign_in(page, f"http://{ui_world.host}:{web_server}", ui_world.email("admin"))
    expect(page.locator("h1")).to_contain_text("Welcome")
    page.goto(f"http://alpha.localhost:{web_server}/")
    expect(page).to_have_url(f"http://alpha.localhost:{web_server}/accounts/login/?next=/")
    expect(page.locator("body")).not_to_contain_text("Browser")


def test_the_platform_operator_sees_every_tenant(
    page: Page, ui_world: TenantWorld, web_server: str, artifacts_dir: Path
) -> None:
    base = f"http://localhost:{web_server}"
    page.goto(f"{base}/")
    expect(page.locator("h1")).to_have_text("crm_saas platform")
    sign_in(page, base, OPERATOR_EMAIL)
    expect(page.locator("h1")).to_have_text("Tenants")
    table = page.locator("table")
    for name in ("Alpha Corp", "Beta Corp", "Browser Corp"):
        expect(table).to_contain_text(name)
    shot(page, artifacts_dir, "ui-07-platform-tenants")


def test_phone_sized_screens_get_a_navigation_menu(
    browser: Browser,
    console_errors: list[str],
    ui_world: TenantWorld,
    web_server: str,
    artifacts_dir: Path,
    monkeypatch,
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    page = new_page(browser, console_errors, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(page, f"http://{ui_world.host}:{web_server}", ui_world.email("admin"))
    expect(page.locator("h1")).to_contain_text("Welcome")
    toggle = page.locator("[data-nav-toggle]")
    expect(toggle).to_be_visible()
    expect(page.locator("#sidebar")).to_be_hidden()
    shot(page, artifacts_dir, "ui-08-phone-dashboard")
    toggle.click()
    expect(page.locator("#sidebar")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    shot(page, artifacts_dir, "ui-09-phone-menu")
    page.context.close()
    assert console_errors == []
