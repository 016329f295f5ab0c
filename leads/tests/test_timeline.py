"""The lead timeline: merged entries newest first, the provider hook, the card's forms and pages, and
the dashboard's follow-ups."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.models import FollowUp, LeadNote
from leads.services import (
    activity_record,
    follow_up_complete,
    follow_up_schedule,
    lead_create,
    lead_note_add,
    lead_update,
)
from leads.timeline import TimelineEntry, register_timeline_provider, timeline_entries, unregister_timeline_provider
from tests.surface import MANAGER, REP, VIEWER

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(alpha):
    """A lead created ten days ago, then worked on: activity, a note, follow-ups, conversion."""
    now = timezone.now()
    with alpha.active():
        rep = alpha.users[REP]
        lead = lead_create(actor=rep, data={"name": "Ada Lovelace"}, created_at=now - timedelta(days=10))
        activity_record(lead=lead, kind="visit", occurred_at=now - timedelta(days=8))
        note = lead_note_add(lead=lead, author=rep, text="Wants a demo in March.\nBudget approved.")
        LeadNote.objects.filter(pk=note.pk).update(created_at=now - timedelta(days=5))
        done = follow_up_schedule(lead=lead, actor=rep, due_at=now + timedelta(hours=1), kind="call")
        follow_up_complete(follow_up=done, actor=rep)
        FollowUp.objects.filter(pk=done.pk).update(done_at=now - timedelta(days=3))
        follow_up_schedule(lead=lead, actor=rep, due_at=now + timedelta(days=2), kind="demo")
        lead = lead_update(lead=lead, actor=rep, data={"status": "converted"})
    return lead


def render_tag(alpha, lead, role: str) -> str:
    request = RequestFactory().get(f"/leads/{lead.pk}/", HTTP_HOST=alpha.host)
    request.user = alpha.users[role]
    with alpha.active():
        return Template("{% load lead_timeline %}{% lead_timeline lead %}").render(
            RequestContext(request, {"lead": lead})
        )


def test_entries_are_merged_newest_first(alpha, story) -> None:
    with alpha.active():
        entries = timeline_entries(story, alpha.users[REP])
    assert [(entry.kind, entry.title, entry.badge) for entry in entries] == [
        ("follow_up", "Demo for Ada Lovelace", "Due"),  # due in two days: on top
        ("milestone", "Converted", ""),
        ("follow_up", "Call Ada Lovelace", "Done"),
        ("note", "Note", ""),
        ("activity", "Website visit", ""),
        ("milestone", "Lead created", ""),
    ]
    assert entries[3].by == alpha.users[REP].display_name
    assert [action.label for action in entries[0].actions] == ["Complete"]
    assert [action.label for action in entries[2].actions] == ["Reopen"]
    with alpha.active():
        viewer_entries = timeline_entries(story, alpha.users[VIEWER])
    assert all(not entry.actions for entry in viewer_entries)  # viewers may not change anything


def test_the_tag_renders_the_entries_in_order_with_forms_for_writers(alpha, story) -> None:
    html = render_tag(alpha, story, REP)
    titles = re.findall(r'<span class="timeline-title">([^<]+)</span>', html)
    assert titles == [
        "Demo for Ada Lovelace",
        "Converted",
        "Call Ada Lovelace",
        "Note",
        "Website visit",
        "Lead created",
    ]
    assert "Wants a demo in March.<br>Budget approved." in html
    assert f'action="/leads/{story.pk}/notes/new/"' in html
    assert f'action="/leads/{story.pk}/follow-ups/new/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="assignee"' not in html  # reps only schedule for themselves
    assert 'name="assignee"' in render_tag(alpha, story, MANAGER)

    read_only = render_tag(alpha, story, VIEWER)
    assert "Demo for Ada Lovelace" in read_only
    assert "<form" not in read_only


def test_other_apps_add_entries_through_a_provider(alpha, story) -> None:
    calls = []

    def spoken_notes(*, lead, user, limit):
        calls.append((lead.pk, user.pk, limit))
        return [TimelineEntry(at=timezone.now() + timedelta(days=30), kind="voice_note", title="Voice note", body="hi")]

    register_timeline_provider(spoken_notes)
    register_timeline_provider(spoken_notes)  # registering twice is harmless
    try:
        with alpha.active():
            entries = timeline_entries(story, alpha.users[REP], limit=3)
        assert [entry.kind for entry in entries] == ["voice_note", "follow_up", "milestone"]
        assert calls == [(story.pk, alpha.users[REP].pk, 3)]
        assert 'data-kind="voice_note"' in render_tag(alpha, story, REP)
    finally:
        unregister_timeline_provider(spoken_notes)
    with alpha.active():
        assert "voice_note" not in {entry.kind for entry in timeline_entries(story, alpha.users[REP])}


def test_the_lead_page_shows_the_timeline_with_a_bounded_query_count(alpha, story) -> None:
    page = alpha.web(REP)
    url = f"/leads/{story.pk}/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = page.get(url)
        assert response.status_code == 200
        assert b'id="timeline"' in response.content
        return len(captured)

    queries()  # warm-up: the first request also loads the session and caches content types
    few = queries()
    with alpha.active():
        for index in range(12):
            lead_note_add(lead=story, author=alpha.users[REP], text=f"note {index}")
            follow_up_schedule(lead=story, actor=alpha.users[REP], due_at=timezone.now() + timedelta(days=index + 1))
    assert queries() == few


def test_adding_a_note_from_the_lead_page(alpha, story) -> None:
    page = alpha.web(REP)
    response = page.post(
        f"/leads/{story.pk}/notes/new/", {"text": "Call after the board meeting", "next": f"/leads/{story.pk}/"}
    )
    assert response.status_code == 302 and response["Location"] == f"/leads/{story.pk}/"
    followed = page.get(response["Location"])
    assert b"Note added." in followed.content
    assert b"Call after the board meeting" in followed.content

    empty = page.post(f"/leads/{story.pk}/notes/new/", {"text": "  "})
    assert empty.status_code == 200
    assert b"This field is required." in empty.content
    offsite = page.post(f"/leads/{story.pk}/notes/new/", {"text": "ok", "next": "https://evil.test/"})
    assert offsite["Location"] == f"/leads/{story.pk}/#timeline"


def test_scheduling_from_the_lead_page_shows_errors(alpha, story) -> None:
    page = alpha.web(REP)
    past = page.post(f"/leads/{story.pk}/follow-ups/new/", {"kind": "call", "due_at": "2020-01-01T09:00"})
    assert past.status_code == 200
    assert b"The due time is in the past." in past.content
    assert b"Schedule a follow-up with Ada Lovelace" in past.content

    manager = alpha.web(MANAGER)
    to_viewer = manager.post(
        f"/leads/{story.pk}/follow-ups/new/",
        {"kind": "call", "due_at": "2099-01-01T09:00", "assignee": alpha.users[VIEWER].pk},
    )
    assert to_viewer.status_code == 200
    assert b"Select a valid choice" in to_viewer.content  # viewers are not offered

    created = page.post(f"/leads/{story.pk}/follow-ups/new/", {"kind": "meeting", "due_at": "2099-01-01T09:00"})
    assert created.status_code == 302
    assert b"Follow-up scheduled: Meet Ada Lovelace." in page.get(created["Location"]).content
    assert alpha.web(VIEWER).post(f"/leads/{story.pk}/notes/new/", {"text": "x"}).status_code == 403


def test_the_dashboard_lists_my_follow_ups_and_completes_them(alpha) -> None:
    now = timezone.now()
    with alpha.active():
        rep = alpha.users[REP]
        lead = lead_create(actor=rep, data={"company": "ABC Corp"})
        late = follow_up_schedule(lead=lead, actor=rep, due_at=now - timedelta(minutes=4), kind="call")
        follow_up_schedule(lead=lead, actor=rep, due_at=now + timedelta(days=3), kind="email")
    page = alpha.web(REP)
    html = page.get("/").content.decode()
    assert "My follow-ups" in html
    overdue_section = html.split("Overdue", 1)[1].split("Upcoming", 1)[0]
    assert 'class="overdue"' in overdue_section and "Call ABC Corp" in overdue_section
    assert "E-mail ABC Corp" in html.split("Upcoming", 1)[1]

    done = page.post(f"/leads/follow-ups/{late.pk}/complete/", {"next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    after = page.get("/").content.decode()
    assert "Done: Call ABC Corp." in after
    assert "Overdue" not in after
    assert "My follow-ups" not in alpha.web(VIEWER).get("/").content.decode()
