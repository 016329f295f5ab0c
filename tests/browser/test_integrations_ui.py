"""In Chromium: an admin creates an API key (shown once) and revokes it, then subscribes a webhook
and reads its delivery log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crm_saas.integrations.models import ApiKey, DeliveryStatus, WebhookDelivery, WebhookSubscription
from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ui_world(django_db_setup, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("intui")
        try:
            yield world
        finally:
            world_drop(world)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_admin_manages_api_keys_and_webhooks(
    page: Page, ui_world: TenantWorld, web_server: str, artifacts_dir: Path, django_db_blocker
) -> None:
    base = f"http://{ui_world.host}:{web_server}"
    sign_in(page, base, ui_world.email("admin"))
    page.locator("#sidebar").get_by_role("link", name="API keys").click()
    expect(page.locator("h1")).to_have_text("API keys")

    page.fill("#id_name", "ERP sync")
    page.get_by_label("leads:read", exact=False).first.check()
    page.get_by_label("leads:write", exact=False).check()
    page.click("text=Create key")
    key = page.get_by_test_id("new-key").inner_text()
    assert key.startswith("crmk_")
    shot(page, artifacts_dir, "integrations-01-api-key-created")
    with django_db_blocker.unblock(), ui_world.active():
        stored = ApiKey.objects.get(name="ERP sync")
        assert stored.scopes == ["leads:read", "leads:write"] and key not in stored.key_digest

    page.reload()  # the key is gone for good once the page is left
    expect(page.get_by_test_id("new-key")).to_have_count(0)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke ERP sync").click()
    expect(page.locator("tbody tr").first).to_contain_text("Revoked")
    shot(page, artifacts_dir, "integrations-02-api-keys")

    page.locator("#sidebar").get_by_role("link", name="Webhooks").click()
    page.fill("#id_url", "https://hooks.example.test/crm")
    page.get_by_label("lead.created", exact=False).check()
    page.get_by_label("lead.priority_changed", exact=False).check()
    page.fill("#id_description", "Data warehouse")
    page.click("text=Add subscription")
    expect(page.locator("h1")).to_have_text("Webhook")
    with django_db_blocker.unblock(), ui_world.active():
        subscription = WebhookSubscription.objects.get()
        now = timezone.now()
        for index, (status, code, error) in enumerate(
            [
                (DeliveryStatus.SUCCEEDED, 200, ""),
                (DeliveryStatus.RETRYING, 503, "The receiver answered HTTP 503."),
                (DeliveryStatus.FAILED, None, "Connection failed: timed out"),
            ]
        ):
            WebhookDelivery.objects.create(
                subscription=subscription,
                event="lead.created",
                payload={"type": "lead.created", "data": {"lead": {"id": index}}},
                status=status,
                attempts=1 if status != DeliveryStatus.FAILED else 6,
                response_status=code,
                error=error,
                duration_ms=40 + index,
                last_attempt_at=now,
                next_attempt_at=now + timedelta(minutes=5) if status == DeliveryStatus.RETRYING else None,
            )
    page.reload()
    expect(page.locator("tbody tr")).to_have_count(3)
    page.locator("summary", has_text="Signing secret").click()
    expect(page.get_by_test_id("secret")).to_contain_text("whsec_")
    shot(page, artifacts_dir, "integrations-03-webhook-detail")

    page.get_by_role("link", name="All webhooks").click()
    expect(page.locator("tbody")).to_contain_text("Data warehouse")
    shot(page, artifacts_dir, "integrations-04-webhooks")
