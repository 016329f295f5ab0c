"""In Chromium, with the real web server and Celery worker: a manager pastes a lead's e-mail "We need
this live by March, budget approved, can we see a demo?"; the worker recomputes the priority and the
lead jumps from Medium to High with those reasons; the triage inbox shows the message first with the
reasons highlighted in its words, and one click assigns the lead to a rep."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop
from leads.messages.services import lead_message_create
from leads.models import Lead, LeadMessage, PriorityHistory
from leads.priority.generator import generate
from leads.priority.service import leads_prioritise
from leads.services import lead_create
from tests.browser.conftest import shot
from tests.surface import MANAGER, REP

pytestmark = [pytest.mark.browser, pytest.mark.worker]

DONE_MEANS = "We need this live by March, budget approved, can we see a demo?"


@pytest.fixture(scope="module")
def triage_world(django_db_setup, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("triage")
        try:
            yield world
        finally:
            world_drop(world)


@pytest.fixture(scope="module")
def inbox(triage_world: TenantWorld, django_db_blocker) -> Lead:
    """Six leads that wrote in (generated inquiries), prioritised; and Nina, band C, not written yet."""
    now = timezone.now()
    with django_db_blocker.unblock(), triage_world.active():
        manager = triage_world.users[MANAGER]
        leads = []
        cases = [case for case in generate(40, family="heldout", seed=11) if case.kind == "inquiry"][:6]
        for index, case in enumerate(cases):
            lead = lead_create(actor=manager, data={"name": f"Writer {index}", "company": f"Company {index}"})
            Lead.objects.filter(pk=lead.pk).update(score=case.score, band="B" if case.score >= 50 else "C")
            message = lead_message_create(lead=lead, actor=None, body=case.text, channel=case.channel)
            LeadMessage.objects.filter(pk=message.pk).update(occurred_at=now - timedelta(hours=index + 2))
            leads.append(lead)
        nina = lead_create(actor=manager, data={"name": "Nina Novak", "company": "Harbor Health"})
        Lead.objects.filter(pk=nina.pk).update(score=45, band="C")
        leads_prioritise(list(Lead.objects.all()), trigger="manual")
        return Lead.objects.get(pk=nina.pk)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")


def test_a_pasted_email_lifts_the_lead_to_high_and_the_inbox_shows_why(
    page: Page, triage_world: TenantWorld, inbox: Lead, web_server: str, celery_worker, artifacts_dir: Path
) -> None:
    base = f"http://{triage_world.host}:{web_server}"
    sign_in(page, base, triage_world.email(MANAGER))
    page.goto(f"{base}/leads/{inbox.pk}/")
    card = page.locator("#priority")
    expect(card.locator(".badge-priority-medium")).to_have_text("Medium")

    page.select_option("#id_message_channel", "email")
    page.fill("#id_message_text", DONE_MEANS)
    card.locator("button", has_text="Add message").click()
    expect(page.locator(".alert-success")).to_contain_text("Message added")

    deadline = time.monotonic() + 30  # the worker recomputes the priority after the commit
    while time.monotonic() < deadline and not page.locator("#priority .badge-priority-high").count():
        time.sleep(0.5)
        page.reload()
    expect(card.locator(".badge-priority-high")).to_have_text("High")
    reasons = card.locator(".reason")
    expect(reasons.nth(0)).to_have_text("mentions budget approved")
    expect(reasons.nth(1)).to_have_text("asked for a demo today")
    expect(reasons.nth(2)).to_have_text("timeline: live by March")
    # The worker also rescored the new lead by the rules; its band is the last reason either way.
    expect(reasons.nth(3)).to_have_text(re.compile(r"^score band [A-D] \(\d+\)$"))
    expect(page.locator(".timeline-message").first).to_contain_text(DONE_MEANS)
    with triage_world.active():
        on_message = PriorityHistory.objects.get(lead=inbox, trigger="message")
        assert on_message.priority == "high" and on_message.message.body == DONE_MEANS
        assert PriorityHistory.objects.filter(lead=inbox).last().priority == "medium"  # where it started

    page.goto(f"{base}/leads/triage/")
    first = page.locator(".triage-item").first
    expect(first).to_contain_text("Nina Novak")
    expect(first.locator(".badge-priority-high")).to_be_visible()
    expect(first.locator("mark[data-signal=budget_approved]")).to_have_text("budget approved")
    expect(first.locator("mark[data-signal=demo]")).to_have_text("demo")
    expect(first.locator("mark[data-signal=timeline]")).to_have_text("live by March")
    shot(page, artifacts_dir, "triage-inbox")

    page.select_option("#id_priority", "high")
    page.locator("form[aria-label='Filter messages'] button").click()
    expect(page.locator(".triage-item .badge-priority-high")).to_have_count(page.locator(".triage-item").count())

    rep = triage_world.users[REP]
    first = page.locator(".triage-item").first
    first.locator("select[name=assignee]").select_option(str(rep.pk))
    first.locator("button", has_text="Assign").click()
    expect(page.locator(".alert-success")).to_have_text(f"Nina Novak assigned to {rep.display_name}.")
    with triage_world.active():
        assert Lead.objects.get(pk=inbox.pk).owner_id == rep.pk
    page.set_viewport_size({"width": 420, "height": 900})
    page.goto(f"{base}/leads/triage/?status=all")
    shot(page, artifacts_dir, "triage-inbox-phone")
