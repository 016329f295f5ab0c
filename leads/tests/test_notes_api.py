"""/api/v1/leads/<id>/notes/: add and list a lead's notes."""

from __future__ import annotations

import pytest

from leads.models import LeadNote
from leads.services import lead_create, lead_note_add
from tests.surface import ADMIN, MANAGER, REP, VIEWER

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(alpha):
    with alpha.active():
        return lead_create(actor=alpha.users[REP], data={"company": "Acme"})


def notes_url(lead_id: int) -> str:
    return f"/api/v1/leads/{lead_id}/notes/"


def test_a_rep_adds_notes_and_reads_them_newest_first(alpha, lead) -> None:
    client = alpha.api(REP)
    first = client.post(notes_url(lead.pk), {"text": " they want a demo in March "})
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["text"] == "they want a demo in March"
    assert body["source"] == "typed" and body["voice_log"] is None
    assert body["author"]["email"] == alpha.email(REP)
    client.post(notes_url(lead.pk), {"text": "Budget approved"})

    listed = client.get(notes_url(lead.pk)).json()
    assert listed["count"] == 2
    assert [note["text"] for note in listed["results"]] == ["Budget approved", "they want a demo in March"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"text": ["This field is required."]}),
        ({"text": ""}, {"text": ["Write something in the note."]}),
        ({"text": "   "}, {"text": ["Write something in the note."]}),
        ({"text": "n" * 5001}, {"text": ["A note is at most 5000 characters; this one has 5001."]}),
    ],
)
def test_bad_notes_are_refused_with_a_message(alpha, lead, body: dict, errors: dict) -> None:
    response = alpha.api(REP).post(notes_url(lead.pk), body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    with alpha.active():
        assert not LeadNote.objects.exists()


def test_viewers_read_notes_but_cannot_write(alpha, lead) -> None:
    with alpha.active():
        lead_note_add(lead=lead, author=alpha.users[REP], text="Call back after lunch")
    viewer = alpha.api(VIEWER)
    assert viewer.get(notes_url(lead.pk)).json()["count"] == 1
    refused = viewer.post(notes_url(lead.pk), {"text": "sneaky"})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Your role does not allow this action.", "errors": {}}


def test_anonymous_callers_are_asked_to_sign_in(alpha, lead) -> None:
    assert alpha.api().get(notes_url(lead.pk)).status_code == 401
    assert alpha.api().post(notes_url(lead.pk), {"text": "hi"}).status_code == 401


def test_leads_one_cannot_see_answer_404(alpha, beta) -> None:
    with alpha.active():
        theirs = lead_create(actor=alpha.users[MANAGER], data={"company": "Manager's own"})
    rep = alpha.api(REP)
    assert rep.get(notes_url(theirs.pk)).json() == {"detail": "Lead not found.", "errors": {}}
    assert rep.post(notes_url(theirs.pk), {"text": "hi"}).status_code == 404
    assert alpha.api(ADMIN).get(notes_url(theirs.pk)).status_code == 200
    # A user of another tenant: the id means nothing there, and alpha's token is refused.
    assert beta.api(ADMIN).get(notes_url(theirs.pk)).status_code == 404
    assert beta.api(ADMIN).post(notes_url(theirs.pk), {"text": "hi"}).status_code == 404
    with alpha.active():
        assert not LeadNote.objects.exists()
