"""In Chromium: a manager's ranked work list, a lead's reasons, the model page with its charts, the
charts on a phone, and the import flow."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import override_settings
from playwright.sync_api import Browser, Locator, Page, expect

from conftest import S3_TEST_ENV
from crm_saas.storage import reset_object_store
from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop
from leads.demo import demo_leads_generate
from leads.models import LeadScore
from leads.scoring.service import lead_model_train
from leads.selectors import LeadFilters, lead_list_for_user
from ml.models import ModelVersion
from tests.browser.conftest import new_page, shot
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


def record_requests(page: Page) -> list[str]:
    """Every URL the page asks for, to prove that nothing (such as a CDN) is fetched from elsewhere."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def assert_only_local(urls: list[str], host: str, port: str) -> None:
    assert any(urlsplit(url).path == "/static/vendor/plotly/plotly.min.js" for url in urls), urls
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob"}:  # made inside the page (e.g. by Plotly), not fetched
            continue
        assert (parts.scheme, parts.hostname, parts.port) == ("http", host, int(port)), url


def chart_rows(page: Page, chart: Locator) -> list[dict]:
    return json.loads(page.locator(f"#{chart.get_attribute('data-chart-data')}").text_content())["rows"]


def expect_chart(page: Page, kind: str, *, hover: str, hover_index: int = 0) -> Locator:
    """The ``kind`` chart is drawn by Plotly with one bar or point per data row, and hovering the
    ``hover_index`` row shows a tooltip containing ``hover``."""
    chart = page.locator(f'.chart-plot[data-chart="{kind}"]')
    expect(chart).to_have_class(re.compile(r"\bchart-ready\b"))
    expect(chart).to_have_class(re.compile(r"\bjs-plotly-plot\b"))
    expect(chart).to_have_attribute("role", "img")
    expect(chart).to_have_attribute("aria-label", re.compile(r"\w+"))
    expect(chart.locator(".main-svg").first).to_be_visible()
    # Once drawn, the table of the same numbers folds away (it is the no-JavaScript fallback).
    table = chart.locator("xpath=..").locator("details.chart-data")
    if kind != "versions":  # the versions table stays in view under its chart
        expect(table).to_have_count(1)
        expect(table).not_to_have_attribute("open", "")
    rows = chart_rows(page, chart)
    # Bars, or scatter markers (reference lines and the line joining versions have no markers).
    marks = chart.locator(".barlayer .point, .scatterlayer .point")
    assert marks.count() == len(rows), (kind, marks.count(), len(rows))
    marks.nth(hover_index).hover(force=True)
    expect(chart.locator(".hoverlayer .hovertext")).to_contain_text(hover)
    page.mouse.move(0, 0)
    return chart


@pytest.fixture(scope="module")
def top_lead_id(sales_world: TenantWorld, django_db_blocker) -> int:
    """The manager's top-scored lead (first on the work list), given two earlier scores, one by
    the rules alone and one by the model, so that it has a score history to chart."""
    with django_db_blocker.unblock(), sales_world.active():
        lead = lead_list_for_user(user=sales_world.users[MANAGER], filters=LeadFilters(ordering="-score")).first()
        latest = LeadScore.objects.filter(lead=lead).first()
        LeadScore.objects.bulk_create(
            [
                LeadScore(lead=lead, score=31, band="C", scored_at=latest.scored_at - timedelta(days=6)),
                LeadScore(
                    lead=lead,
                    score=55,
                    band="B",
                    probability=0.5,
                    model_version=ModelVersion.objects.get(is_active=True),
                    scored_at=latest.scored_at - timedelta(days=3),
                ),
            ]
        )
    return lead.pk


def top_shot(page: Page, artifacts_dir: Path, name: str) -> None:
    # Hovering scrolls the page; from the top, the sticky top bar is drawn where it belongs.
    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, artifacts_dir, name)


def test_work_list_reasons_and_model_page(
    page: Page,
    console_errors: list[str],
    sales_world: TenantWorld,
    web_server: str,
    artifacts_dir: Path,
    top_lead_id: int,
) -> None:
    base = f"http://{sales_world.host}:{web_server}"
    requests = record_requests(page)
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
    expect(page.locator("text=Why this score")).to_be_visible()
    assert page.url.endswith(f"/leads/{top_lead_id}/")
    reasons = page.locator(".factors-table tbody tr")
    assert reasons.count() >= 2
    factors = expect_chart(page, "factors", hover="points")
    first_reason = chart_rows(page, factors)[0]
    factors.locator(".barlayer .point").first.hover(force=True)
    expect(factors.locator(".hoverlayer .hovertext")).to_contain_text(first_reason["source_label"])
    page.mouse.move(0, 0)
    history = expect_chart(page, "history", hover="band C", hover_index=0)
    assert [row["scored_by"] for row in chart_rows(page, history)][:2] == ["rules only", "model v1"]
    # The band thresholds are shaded behind the line, one rectangle per band.
    assert history.locator(".layer-below .shapelayer path").count() == 4
    top_shot(page, artifacts_dir, "ui-11-lead-reasons")
    history.locator(".scatterlayer .point").nth(1).hover(force=True)
    expect(history.locator(".hoverlayer .hovertext")).to_contain_text("model v1")
    history.screenshot(path=str(artifacts_dir / "ui-11b-lead-history-hover.png"))
    page.mouse.move(0, 0)

    page.click("#sidebar >> text=Scoring model")
    expect(page.locator("h1")).to_have_text("Lead scoring model")
    expect(page.locator("#sidebar a[aria-current=page]")).to_have_text("Scoring model")
    expect(page.locator("text=What drives the score")).to_be_visible()
    importance = expect_chart(page, "importance", hover="mean contribution")
    assert len(chart_rows(page, importance)) >= 5
    expect_chart(page, "calibration", hover="observed")
    expect_chart(page, "conversion", hover="converted")
    expect_chart(page, "lift", hover="the base rate")
    buckets = chart_rows(page, page.locator('.chart-plot[data-chart="distribution"]'))
    assert len(buckets) == 10  # the whole 0-100 scale, empty ranges included
    busiest = max(range(10), key=lambda index: buckets[index]["leads"])
    expect_chart(page, "distribution", hover=f"{buckets[busiest]['leads']} leads", hover_index=busiest)
    expect_chart(page, "versions", hover="AUC")
    # Every chart's toolbar offers the PNG download, and none offers Plotly's upload to its cloud.
    assert page.locator('.chart-plot .modebar-btn[data-title="Download plot as a PNG"]').count() == 6
    assert page.locator('.modebar-btn[data-title^="Share"]').count() == 0
    top_shot(page, artifacts_dir, "ui-12-model")
    importance.locator(".barlayer .point").first.hover(force=True)
    importance.screenshot(path=str(artifacts_dir / "ui-12b-model-hover.png"))
    with page.expect_download() as download:
        importance.locator('.modebar-btn[data-title="Download plot as a PNG"]').click()
    assert download.value.suggested_filename == "lead-model-importance.png"
    png = Path(download.value.path()).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    download.value.save_as(artifacts_dir / "ui-12c-model-importance-download.png")

    assert console_errors == []
    assert_only_local(requests, sales_world.host, web_server)


def expect_fits_phone(page: Page, kinds: list[str], width: int = 390) -> None:
    for kind in kinds:
        chart = page.locator(f'.chart-plot[data-chart="{kind}"]')
        expect(chart).to_have_class(re.compile(r"\bchart-ready\b"))
        box = chart.locator(".main-svg").first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (kind, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_charts_fit_a_phone_screen(
    browser: Browser,
    console_errors: list[str],
    sales_world: TenantWorld,
    web_server: str,
    artifacts_dir: Path,
    top_lead_id: int,
    monkeypatch,
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    page = new_page(browser, console_errors, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    base = f"http://{sales_world.host}:{web_server}"
    requests = record_requests(page)
    sign_in(page, base, sales_world.email(MANAGER))
    page.goto(f"{base}/leads/model/")
    expect_fits_phone(page, ["importance", "calibration", "conversion", "lift", "distribution", "versions"])
    top_shot(page, artifacts_dir, "ui-16-phone-model")
    page.goto(f"{base}/leads/{top_lead_id}/")
    expect_fits_phone(page, ["factors", "history"])
    top_shot(page, artifacts_dir, "ui-17-phone-lead")
    page.context.close()
    assert console_errors == []
    assert_only_local(requests, sales_world.host, web_server)


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
