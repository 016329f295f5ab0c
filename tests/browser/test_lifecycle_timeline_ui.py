"""In Chromium: stages and risk on the customer list, a customer's timeline (stage bands, risk line,
milestones with hover, zoom, PNG/SVG export, next best actions beside it) and the portfolio page."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import Count, Q
from playwright.sync_api import Page, expect

from crm_saas.testing.world import TenantWorld, world_build, world_drop
from leads.demo import demo_leads_generate
from lifecycle.demo import demo_customers_generate
from lifecycle.models import ChurnPrediction, Customer, NextAction
from lifecycle.stages.service import customer_stages_recompute
from tests.browser.conftest import shot
from tests.browser.test_customers_ui import sign_in
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.browser


def _risk_history(customer: Customer, rng: random.Random) -> float:
    """Monthly churn predictions over the customer's life (what the churn model backfills)."""
    moment, risk = customer.signed_up_at + timedelta(days=14), 0.15
    end = customer.churned_at or customer.last_event_at or customer.signed_up_at
    rows = []
    while moment <= end:
        risk = min(0.95, max(0.03, risk + rng.uniform(-0.08, 0.1)))
        band = "high" if risk >= 0.5 else "medium" if risk >= 0.25 else "low"
        rows.append(ChurnPrediction(customer=customer, risk=round(risk, 3), band=band, as_of=moment))
        moment += timedelta(days=30)
    ChurnPrediction.objects.bulk_create(rows)
    return risk


@pytest.fixture(scope="module")
def staged_world(django_db_setup, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("stages")
        try:
            with world.active():
                demo_leads_generate(owners=[world.users[REP], world.users[MANAGER]], closed=80, open_leads=5)
                demo_customers_generate(manager=world.users[MANAGER], from_leads=20, customers=80)
                rng = random.Random(5)
                scored = []
                for customer in Customer.objects.filter(status="active").order_by("pk"):
                    customer.churn_risk = round(rng.betavariate(1.6, 4), 3)
                    customer.churn_band = "high" if customer.churn_risk >= 0.5 else "low"
                    scored.append(customer)
                Customer.objects.bulk_update(scored, ["churn_risk", "churn_band"])
                story = (
                    Customer.objects.filter(status="active")
                    .annotate(
                        turns=Count("events", filter=Q(events__kind__in=["plan_upgrade", "renewal", "reactivation"]))
                    )
                    .order_by("-turns", "signed_up_at")
                    .first()
                )
                story.churn_risk = _risk_history(story, rng)
                story.churn_band = "high" if story.churn_risk >= 0.5 else "medium"
                story.save(update_fields=["churn_risk", "churn_band"])
                NextAction.objects.create(
                    customer=story,
                    code="check_in",
                    title="Book a check-in call",
                    rationale="Usage fell by a third over the last month.",
                    rank=1,
                    strength=0.8,
                )
                NextAction.objects.create(
                    customer=story,
                    code="offer_training",
                    title="Offer a training session",
                    rationale="Two support tickets about setup this quarter.",
                    rank=2,
                    strength=0.5,
                )
                customer_stages_recompute()
                world.story_id = story.pk
            yield world
        finally:
            world_drop(world)


def chart_ready(page: Page, selector: str) -> None:
    expect(page.locator(f"{selector}.chart-ready")).to_be_visible(timeout=15000)


def test_list_timeline_and_portfolio(
    page: Page, staged_world: TenantWorld, web_server: str, artifacts_dir: Path
) -> None:
    base = f"http://{staged_world.host}:{web_server}"
    sign_in(page, base, staged_world.email(MANAGER))
    page.click("nav >> text=Customers")
    header = page.locator("table.table thead")
    expect(header).to_contain_text("Stage")
    expect(header).to_contain_text("Risk")
    expect(
        page.locator("table.table tbody .badge-stage-active, table.table tbody .badge-stage-loyal").first
    ).to_be_visible()
    expect(page.locator("table.table tbody tr td.num", has_text="%").first).to_be_visible()  # risk column
    shot(page, artifacts_dir, "customers-list-stages")
    page.select_option("#id_stage", "churned")
    page.click("button:has-text('Filter')")
    expect(page.locator("table.table tbody tr").first.locator(".badge-stage-churned")).to_be_visible()
    expect(page.locator("table.table tbody tr").first.locator("td.num").last).to_have_text("—")  # churned: no risk
    shot(page, artifacts_dir, "customers-list-churned")

    page.goto(f"{base}/customers/{staged_world.story_id}/")
    page.click("a:has-text('Timeline')")
    expect(page.locator("h1")).to_contain_text("timeline")
    chart_ready(page, "#timeline-plot")
    plot = page.locator("#timeline-plot")
    # Stage bands (one rectangle per stage span) behind the plot, the risk line, the milestones.
    bands = page.evaluate(
        "document.getElementById('timeline-plot').layout.shapes.filter(s => s.type === 'rect').length"
    )
    assert bands >= 2
    names = page.evaluate("document.getElementById('timeline-plot').data.map(t => t.name).filter(Boolean)")
    assert {"Milestones", "Churn risk", "Risk now", "Sessions per week"} <= set(names)
    expect(plot.locator(".shapelayer path").first).to_be_attached()
    expect(page.locator(".action-list li")).to_have_count(2)
    expect(page.locator(".action-list")).to_contain_text("Book a check-in call")
    expect(page.locator("a:has-text('Accept or dismiss')")).to_be_visible()

    # Hover a milestone: its label, date and details show.
    milestone = page.evaluate(
        """() => {
          const gd = document.getElementById('timeline-plot');
          const index = gd.data.findIndex(t => t.name === 'Milestones');
          return {index: index, x: gd.data[index].x[0]};
        }"""
    )
    page.evaluate("m => Plotly.Fx.hover('timeline-plot', [{curveNumber: m.index, pointNumber: 0}])", milestone)
    expect(plot.locator(".hoverlayer")).to_contain_text("Signed up")
    shot(page, artifacts_dir, "customer-timeline")

    # Zoom to the last six months with the range buttons; the axis follows.
    before = page.evaluate("document.getElementById('timeline-plot').layout.xaxis.range.slice()")
    plot.locator(".rangeselector .button", has_text="6m").click()
    page.wait_for_function(
        "before => document.getElementById('timeline-plot').layout.xaxis.range[0] !== before[0]", arg=before
    )
    shot(page, artifacts_dir, "customer-timeline-6m")

    for fmt in ("png", "svg"):
        with page.expect_download() as download:
            page.click(f"button[data-chart-export={fmt}]")
        assert download.value.suggested_filename == f"timeline-{staged_world.story_id}.{fmt}"
        saved = artifacts_dir / f"customer-timeline-export.{fmt}"
        download.value.save_as(saved)
        head = saved.read_bytes()[:64]
        assert head.startswith(b"\x89PNG") if fmt == "png" else b"<svg" in head

    page.click("nav >> text=Portfolio")
    expect(page.locator("h1")).to_have_text("Customer portfolio")
    for kind in ("funnel", "flow", "risk", "retention"):
        chart_ready(page, f"[data-lifecycle-chart={kind}]")
    expect(page.locator("[data-lifecycle-chart=flow] .sankey-link").first).to_be_attached()
    shot(page, artifacts_dir, "customer-portfolio")
