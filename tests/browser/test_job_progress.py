"""In Chromium: an admin imports users from a CSV and watches the job's live progress bar finish,
with the real web server, Celery worker, Redis and S3 API server behind it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop
from tenants.accounts.models import User

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def importer_world(django_db_setup, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("importer")
        try:
            yield world
        finally:
            world_drop(world)


def test_csv_import_shows_live_progress_and_the_row_report(
    page: Page,
    importer_world: TenantWorld,
    web_server: str,
    celery_worker,
    artifacts_dir: Path,
    tmp_path: Path,
    django_db_blocker,
) -> None:
    base = f"http://{importer_world.host}:{web_server}"
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", importer_world.email("admin"))
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")

    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "email,full_name,role\nrosa@example.test,Rosa Diaz,sales_rep\nnot-an-address,Nobody,viewer\n"
        "amy@example.test,Amy Santiago,manager\n"
    )
    page.goto(f"{base}/accounts/users/")
    page.set_input_files("#id_file", str(csv_file))
    page.click("text=Start import")

    job = page.locator(".job")
    expect(job).to_be_visible()
    expect(job.locator(".job-status")).to_have_text("succeeded", timeout=30_000)
    expect(job.locator(".progress")).to_have_attribute("aria-valuenow", "100")
    expect(job.locator(".job-result")).to_contain_text("created: 2")
    expect(job.locator(".job-result")).to_contain_text("Row 3 (email): 'not-an-address' is not a valid e-mail address.")
    page.screenshot(path=str(artifacts_dir / "ui-import-progress.png"), full_page=True)
    page.click("text=Show the updated team")
    expect(page.locator("table")).to_contain_text("rosa@example.test")
    expect(page.locator("table")).to_contain_text("Amy Santiago")

    with django_db_blocker.unblock(), schema_context(importer_world.schema):
        assert set(User.objects.filter(email__endswith="@example.test").values_list("email", flat=True)) == {
            "rosa@example.test",
            "amy@example.test",
        }
