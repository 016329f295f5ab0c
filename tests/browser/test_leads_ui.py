"""In Chromium: a manager's ranked work list, a lead's reasons, the model page, and the import flow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from playwright.sync_api import Page, expect

from conftest import S3_TEST_ENV
from crm_saas.storage import reset_object_store
from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop
from leads.demo import demo_leads_generate
from leads.scoring.service import lead_model_train
from tests.browser.conftest import shot
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sales_world(django_db_setup, django_db_blocker, s3_endpoint: str) -> Iterator[TenantWorld]:
    # The model is stored where the web server and worker look for it: the local S3 server.
    s3 = {
        **settings.OBJECT_STORAGE,
        "BACKEND": "s3",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_BUCKET": S3_TEST_ENV["S3_BUCKET"],
        "S3_CREATE_BUCKET": True,
    }
    with django_db_blocker.unblock():
        world = world_build("sales")
        try:
            with world.active(), override_settings(OBJECT_STORAGE=s3):
                reset_object_store()
                demo_leads_generate(owners=[world.users[REP], world.users[MANAGER]], closed=300, open_leads=40)
                lead_model_train(actor=world.users[MANAGER])
            reset_object_store()
            yield world
        finally:
            world_drop(world)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")


def test_work_list_reasons_and_model_page(
    page: Page, sales_world: TenantWorld, web_server: str, artifacts_dir: Path
) -> None:
    base = f"http://{sales_world.host}:{web_server}"
    sign_in(page, base, sales_world.email(MANAGER))
    page.click("#sidebar >> text=Leads")
    rows = page.locator("table tbody tr")
    expect(rows.first.locator(".band")).to_be_visible()
    scores = [int(text.split()[-1]) for text in rows.locator("td:first-child").all_inner_texts()[:10]]
    assert scores == sorted(scores, reverse=True), scores
    expect(page.locator("#sidebar a[aria-current=page]")).to_have_text("Leads")
    shot(page, artifacts_dir, "ui-10-work-list")

    page.select_option("#id_band", "A")
    page.click("text=Filter")
    bands = set(page.locator("table tbody .band").all_inner_texts())
    assert bands <= {"A"}

    page.goto(f"{base}/leads/")
    rows.first.locator("a").first.click()
    reasons = page.locator(".factors li")
    expect(reasons.first).to_be_visible()
    assert reasons.count() >= 2
    expect(page.locator("text=Why this score")).to_be_visible()
    shot(page, artifacts_dir, "ui-11-lead-reasons")

    page.click("#sidebar >> text=Scoring model")
    expect(page.locator("h1")).to_have_text("Lead scoring model")
    expect(page.locator("#sidebar a[aria-current=page]")).to_have_text("Scoring model")
    expect(page.locator("text=What drives the score")).to_be_visible()
    assert page.locator(".chart-point").count() >= 5
    shot(page, artifacts_dir, "ui-12-model")


def test_import_flow_previews_then_runs(
    page: Page,
    sales_world: TenantWorld,
    web_server: str,
    celery_worker,
    artifacts_dir: Path,
    tmp_path: Path,
) -> None:
    base = f"http://{sales_world.host}:{web_server}"
    sign_in(page, base, sales_world.email(MANAGER))
    csv_file = tmp_path / "campaign.csv"
    csv_file.write_text(
        "Ref,Contact,Organisation,Lead Source,Seats\r\nC-1,Ana Lima,Lima Foods,referral,40\r\n"
        "C-2,Bo Chen,Chen Labs,web,5\r\nC-3,,,web,x\r\n"
    )
    page.goto(f"{base}/leads/import/")
    page.set_input_files("#id_file", str(csv_file))
    page.fill("#id_external_id_column", "Ref")
    page.click("text=Upload and preview")
    expect(page.locator("h1")).to_have_text("Check the import plan")
    expect(page.locator("table")).to_contain_text("Lead field: name (detected)")
    expect(page.locator("text=Rows that would be skipped")).to_be_visible()
    shot(page, artifacts_dir, "ui-13-import-preview")
    page.click("button[name=confirm]")
    job = page.locator(".job")
    expect(job.locator(".job-status")).to_have_text("succeeded", timeout=30_000)
    expect(job.locator(".job-result")).to_contain_text("created: 2")
    expect(job.locator(".job-result")).to_contain_text("Row 4")
    shot(page, artifacts_dir, "ui-14-import-done")
