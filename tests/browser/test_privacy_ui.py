"""In Chromium: an admin finds a person on the privacy page, exports their data, then erases them
with the typed confirmation and reads the verification report (real web server, worker and S3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from crm_saas.privacy.tests.people import EMAIL, person_build
from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop

pytestmark = pytest.mark.browser


@pytest.fixture
def privacy_ui_world(django_db_blocker, celery_worker, s3_storage) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("privacy_ui")
        try:
            with world.active():
                person_build(world)
            yield world
        finally:
            world_drop(world)


def test_an_admin_exports_and_erases_a_person(
    page: Page, privacy_ui_world: TenantWorld, web_server: str, artifacts_dir: Path
) -> None:
    base = f"http://{privacy_ui_world.host}:{web_server}"
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", privacy_ui_world.email("admin"))
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=Privacy")
    expect(page.locator("h1")).to_have_text("Privacy")

    page.fill("#privacy-email", EMAIL)
    page.click("text=Search")
    page.screenshot(path=str(artifacts_dir / "ui-privacy-search.png"), full_page=True)
    expect(page.locator("main")).to_contain_text("Lead notes: ")
    expect(page.locator("main")).to_contain_text("Voice logs: 1")
    expect(page.locator("main")).to_contain_text("1 voice recording")
    page.screenshot(path=str(artifacts_dir / "ui-privacy-search.png"), full_page=True)

    page.click("text=Export all data")
    job = page.locator(".job")
    expect(job.locator(".job-status")).to_have_text("succeeded", timeout=60_000)
    page.click("text=Show the report")
    expect(page.locator("main")).to_contain_text("voice.voicelog: 1")  # the export report
    with page.expect_download() as download:
        page.click("a.btn-primary:has-text('Download')")
    assert download.value.suggested_filename.startswith("personal-data-")

    page.goto(f"{base}/privacy/?email={EMAIL}")
    page.fill("#privacy-confirm", "wrong@example.com")
    page.click("text=Erase this person")
    expect(page.locator("main")).to_contain_text("To confirm, type the e-mail address exactly as above.")
    page.fill("#privacy-confirm", EMAIL)
    page.click("text=Erase this person")
    expect(page.locator(".job-status")).to_have_text("succeeded", timeout=60_000)
    page.click("text=Show the report")
    expect(page.locator("main")).to_contain_text("Nothing remains")
    expect(page.locator("main")).not_to_contain_text(EMAIL)
    page.screenshot(path=str(artifacts_dir / "ui-privacy-erasure-report.png"), full_page=True)

    page.goto(f"{base}/privacy/")
    expect(page.locator("main")).not_to_contain_text(EMAIL)
    page.screenshot(path=str(artifacts_dir / "ui-privacy-page.png"), full_page=True)
