"""In Chromium: a sales rep works a lead from its timeline (a note, a follow-up), then finds the
follow-up on the dashboard and completes it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop
from leads.models import Lead, LeadNote
from leads.services import activity_record, follow_up_schedule, lead_create, lead_note_add, lead_update
from tests.browser.conftest import shot
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def timeline_world(django_db_setup, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("timeline")
        try:
            yield world
        finally:
            world_drop(world)


@pytest.fixture(scope="module")
def worked_lead(timeline_world: TenantWorld, django_db_blocker) -> Lead:
    """A lead with some history: created two weeks ago, visited, noted, an overdue call, qualified."""
    now = timezone.now()
    with django_db_blocker.unblock(), timeline_world.active():
        rep, manager = timeline_world.users[REP], timeline_world.users[MANAGER]
        lead = lead_create(
            actor=rep,
            data={"name": "John Smith", "company": "ABC Corp", "title": "CTO"},
            created_at=now - timedelta(days=14),
        )
        activity_record(lead=lead, kind="visit", occurred_at=now - timedelta(days=12))
        activity_record(lead=lead, kind="email_open", occurred_at=now - timedelta(days=9))
        note = lead_note_add(lead=lead, author=manager, text="Met at the fair; asked about SSO and pricing.")
        LeadNote.objects.filter(pk=note.pk).update(created_at=now - timedelta(days=6))
        follow_up_schedule(lead=lead, actor=rep, due_at=now - timedelta(minutes=4), kind="call")
        return lead_update(lead=lead, actor=rep, data={"status": "qualified"})


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")


def test_a_rep_notes_schedules_and_completes_from_the_timeline(
    page: Page, timeline_world: TenantWorld, worked_lead: Lead, web_server: str, artifacts_dir: Path
) -> None:
    base = f"http://{timeline_world.host}:{web_server}"
    sign_in(page, base, timeline_world.email(REP))
    page.goto(f"{base}/leads/{worked_lead.pk}/")
    timeline = page.locator("#timeline")
    expect(timeline.locator("h2")).to_have_text("Timeline")
    expect(timeline.locator(".timeline-entry").first).to_contain_text("Call John Smith")
    expect(timeline.locator(".timeline-entry").first).to_contain_text("Overdue")

    page.fill("#id_note_text", "They want a demo in March.")
    timeline.locator("button", has_text="Add note").click()
    expect(page.locator(".alert-success")).to_have_text("Note added.")
    expect(page.locator(".timeline-note").first).to_contain_text("They want a demo in March.")

    due = timezone.localtime() + timedelta(days=3)
    page.select_option("#id_follow_up_kind", "demo")
    page.fill("#id_follow_up_due_at", due.strftime("%Y-%m-%dT15:00"))
    timeline.locator("button", has_text="Schedule").click()
    expect(page.locator(".alert-success")).to_have_text("Follow-up scheduled: Demo for John Smith.")
    entries = page.locator("#timeline .timeline-title")
    assert entries.all_inner_texts()[:3] == ["Demo for John Smith", "Note", "Call John Smith"]
    page.evaluate("window.scrollTo(0, 0)")  # so the sticky top bar is drawn at the top of the shot
    shot(page, artifacts_dir, "ui-20-lead-timeline")

    page.click("#sidebar >> text=Dashboard")
    card = page.locator("#my-follow-ups")
    expect(card.locator("li.overdue")).to_contain_text("Call John Smith")
    expect(card).to_contain_text("Demo for John Smith")
    shot(page, artifacts_dir, "ui-21-dashboard-follow-ups")
    card.locator("li.overdue button", has_text="Complete").click()
    expect(page.locator(".alert-success")).to_have_text("Done: Call John Smith.")
    expect(page.locator("#my-follow-ups li.overdue")).to_have_count(0)
