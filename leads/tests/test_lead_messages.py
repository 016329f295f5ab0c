"""Lead messages through the API and services: JSON, pasted e-mails, .eml uploads and their errors,
priorities with reasons and history, the ?priority= filter, tenant signals, the text model, the
voice hook, and the triage inbox's escaping."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from leads.messages.services import lead_message_create, voice_note_message_add
from leads.models import Lead, LeadMessage, PriorityHistory, PrioritySignal
from leads.priority import service
from leads.priority.configuration import priority_settings_update, priority_signal_create
from leads.priority.generator import generate
from leads.services import lead_create
from tests.surface import ADMIN, MANAGER, REP, VIEWER

pytestmark = pytest.mark.django_db

EML = (
    b"From: Ada Buyer <ada@acme.example>\r\n"
    b"To: sales@ourcrm.example\r\n"
    b"Subject: Timeline for our rollout\r\n"
    b"Date: Mon, 3 Feb 2025 09:15:00 +0100\r\n"
    b"Message-ID: <abc123@acme.example>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"We need this live by March, budget approved, can we see a demo?\r\n\r\n"
    b"On Fri, 31 Jan 2025 Sam wrote:\r\n> Thanks for your interest, no budget questions yet\r\n"
)


@pytest.fixture
def lead(alpha):
    with alpha.active():
        return lead_create(actor=alpha.users[REP], data={"company": "Acme", "email": "ada@acme.example"})


def url(lead_id: int) -> str:
    return f"/api/v1/leads/{lead_id}/messages/"


def eml(data: bytes, name: str = "mail.eml") -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def test_a_json_message_is_read_for_signals_language_and_phrases(alpha, lead) -> None:
    response = alpha.api(REP).post(
        url(lead.pk), {"body": "We need this live by March, budget approved, can we see a demo?", "channel": "chat"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["channel"] == "chat" and body["direction"] == "inbound" and body["language"] == "en"
    assert [signal["key"] for signal in body["signals"]] == ["timeline", "budget_approved", "demo"]
    assert body["signals"][1]["start"] == 28 and body["signals"][1]["text"] == "budget approved"
    assert "budget approved" in body["key_phrases"]
    assert alpha.api(VIEWER).get(url(lead.pk)).json()["count"] == 1


def test_an_eml_upload_keeps_the_senders_words_and_refuses_a_second_copy(alpha, lead) -> None:
    client = alpha.api(REP)
    response = client.post(url(lead.pk), {"file": eml(EML)}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["subject"] == "Timeline for our rollout" and body["sender"] == "ada@acme.example"
    assert body["body"] == "We need this live by March, budget approved, can we see a demo?"  # quote cut off
    assert body["occurred_at"].startswith("2025-02-03T08:15:00")
    again = client.post(url(lead.pk), {"file": eml(EML)}, format="multipart")
    assert again.status_code == 409
    assert again.json()["detail"] == "This e-mail is already on the lead (same Message-ID)."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),  # refused by the upload field itself
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not an e-mail file (.eml): it holds binary data."),
        (b"just some words, no headers at all", "This is not an e-mail (.eml): it has none of the From"),
        (b"From: a@b.example\r\nSubject:\r\n\r\n   \r\n", "The e-mail has no text to read"),
        (b"From: a@b.example\r\n\r\n" + b"x" * (2 * 1024 * 1024 + 10), "The e-mail is larger than 2 MB."),
    ],
)
def test_bad_eml_files_get_a_clear_400_and_store_nothing(alpha, lead, data: bytes, message: str) -> None:
    response = alpha.api(REP).post(url(lead.pk), {"file": eml(data)}, format="multipart")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"].startswith(message) or body["errors"]["file"][0].startswith(message)
    with alpha.active():
        assert not LeadMessage.objects.exists()


def test_a_pasted_email_source_is_parsed_and_blank_text_refused(alpha, lead) -> None:
    client = alpha.api(MANAGER)
    pasted = client.post(url(lead.pk), {"body": EML.decode().replace("abc123", "pasted1")}, format="json")
    assert pasted.status_code == 201
    assert pasted.json()["subject"] == "Timeline for our rollout"
    blank = client.post(url(lead.pk), {"body": "   "}, format="json")
    assert blank.status_code == 400 and blank.json()["errors"] == {"body": ["The message has no text."]}
    wrong = client.post(url(lead.pk), {"body": "hi", "channel": "fax"}, format="json")
    assert wrong.status_code == 400 and "channel" in wrong.json()["errors"]


def test_messages_of_another_tenants_lead_are_not_found(alpha, beta, lead) -> None:
    assert beta.api(ADMIN).get(url(lead.pk)).status_code == 404
    assert beta.api(ADMIN).post(url(lead.pk), {"body": "hello"}, format="json").status_code == 404


def test_priority_combines_score_and_text_with_history_and_filter(alpha, lead) -> None:
    with alpha.active():
        Lead.objects.filter(pk=lead.pk).update(score=45, band="C")
        lead.refresh_from_db()
        assert service.lead_prioritise(lead=lead).priority == "medium"  # the score alone
        message = lead_message_create(
            lead=lead,
            actor=alpha.users[MANAGER],
            body="We need this live by March, budget approved, can we see a demo?",
        )
        decision = service.lead_prioritise(lead=lead, trigger="message", message=message)
        assert decision.priority == "high"
        lead.refresh_from_db()
        assert [reason["text"] for reason in lead.priority_reasons] == [
            "mentions budget approved",
            "asked for a demo today",
            "timeline: live by March",
            "score band C (45)",
        ]
        history = list(PriorityHistory.objects.filter(lead=lead).order_by("computed_at", "id"))
        assert [(row.priority, row.trigger) for row in history] == [("medium", "manual"), ("high", "message")]
        assert history[-1].message == message
        service.lead_prioritise(lead=lead)  # nothing changed: no new history row
        assert PriorityHistory.objects.filter(lead=lead).count() == 2
        other = lead_create(actor=alpha.users[REP], data={"company": "Quiet Co"})
        Lead.objects.filter(pk=other.pk).update(score=20, band="D")
        other.refresh_from_db()
        service.lead_prioritise(lead=other)

    client = alpha.api(VIEWER)
    high = client.get("/api/v1/leads/?priority=high").json()
    assert [row["id"] for row in high["results"]] == [lead.pk]
    assert high["results"][0]["priority_reasons"][0]["text"] == "mentions budget approved"
    assert [row["id"] for row in client.get("/api/v1/leads/?priority=low").json()["results"]] == [other.pk]
    assert client.get("/api/v1/leads/?priority=urgent").status_code == 400
    detail = client.get(f"/api/v1/leads/{lead.pk}/priority/").json()
    assert detail["priority"] == "high" and [row["priority"] for row in detail["history"]] == ["high", "medium"]


def test_unsubscribe_in_the_latest_message_makes_the_lead_low(alpha, lead) -> None:
    with alpha.active():
        Lead.objects.filter(pk=lead.pk).update(score=90, band="A")
        lead.refresh_from_db()
        lead_message_create(lead=lead, actor=None, body="Budget approved, can we see a demo?")
        assert service.lead_prioritise(lead=lead).priority == "high"
        lead_message_create(lead=lead, actor=None, body="Actually, please remove me from your list.")
        decision = service.lead_prioritise(lead=lead)
        assert decision.priority == "low" and decision.reasons[0].text == "asked to unsubscribe"


def test_tenant_signals_and_thresholds_change_priorities(alpha, lead) -> None:
    with alpha.active():
        Lead.objects.filter(pk=lead.pk).update(score=50, band="C")
        lead.refresh_from_db()
        lead_message_create(lead=lead, actor=None, body="Are you SOC 2 certified? We handle patient data.")
        assert service.lead_prioritise(lead=lead).priority == "medium"
        priority_signal_create(actor=alpha.users[ADMIN], label="asks about SOC 2", phrases="SOC 2, HIPAA", points=40)
        decision = service.lead_prioritise(lead=lead)
        assert decision.priority == "high" and decision.reasons[0].text == "asks about SOC 2"
        assert LeadMessage.objects.get(lead=lead).signals[0]["tenant"] is True  # re-read with the new phrase
        priority_settings_update(actor=alpha.users[ADMIN], data={"high_min": 90, "medium_min": 80})
        assert service.lead_prioritise(lead=lead).priority == "low"
        with pytest.raises(Exception, match="Only admins"):
            priority_signal_create(actor=alpha.users[MANAGER], label="x", phrases="y", points=1)
    bad = alpha.api(ADMIN).patch("/api/v1/leads/priority/settings/", {"high_min": 30, "medium_min": 50}, format="json")
    assert bad.status_code == 400 and "descend" in bad.json()["detail"]


def test_the_text_model_trains_on_closed_leads_messages_and_explains(alpha) -> None:
    with alpha.active():
        assert PrioritySignal.objects.count() == 0
        rep = alpha.users[REP]
        with pytest.raises(Exception, match="at least 60 closed leads"):
            service.text_model_train(actor=rep)
        for index, case in enumerate(generate(160, family="train", seed=5)):
            status = "converted" if case.converted else "lost"
            closed = lead_create(actor=rep, data={"company": f"Closed {index}", "status": status})
            LeadMessage.objects.create(lead=closed, channel="form", body=case.text, occurred_at=closed.created_at)
        version = service.text_model_train(actor=rep)
        assert version.kind == service.TEXT_KIND and version.metrics["rows"] == 160
        keen = lead_create(actor=rep, data={"company": "Keen"})
        lead_message_create(lead=keen, actor=rep, body="Budget approved. Can we see a demo? We are 20 sales reps.")
        decision = service.lead_prioritise(lead=keen)
        model_reason = next(reason for reason in decision.reasons if reason.source == "model")
        assert "by the text model" in model_reason.text
        assert service.text_model_status()["closed_with_messages"] == 160


def test_a_transcribed_voice_note_becomes_one_voice_message(alpha, lead) -> None:
    from voice.models import VoiceLog
    from voice.services.logs import _attach_to_lead

    with alpha.active():
        log = VoiceLog.objects.create(
            lead=lead,
            uploaded_by=alpha.users[REP],
            kind="note",
            status="transcribed",
            transcript="They asked for a demo this week and the budget is approved.",
            format="wav",
            duration_seconds=3.0,
            size_bytes=100,
            sha256="0" * 64,
        )
        _attach_to_lead(log)  # what the transcription job does once the transcript is stored
        first = LeadMessage.objects.get(voice_log=log)
        assert voice_note_message_add(voice_log=log) == first  # a retried transcription adds nothing
        assert first.channel == "voice" and [s["key"] for s in first.signals] == ["demo", "timeline", "budget_approved"]


def test_the_triage_inbox_highlights_reasons_and_escapes_the_text(alpha, lead) -> None:
    with alpha.active():
        message = lead_message_create(
            lead=lead, actor=None, body="<script>alert(1)</script> Budget approved, can we see a demo?"
        )
        service.lead_prioritise(lead=lead)
    page = alpha.web(MANAGER).get("/leads/triage/?priority=high&channel=email")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<mark class="signal signal-for" data-signal="budget_approved"' in html
    assert f'data-message="{message.pk}"' in html
    assert "mentions budget approved" in html
    assert f'data-message="{message.pk}"' not in alpha.web(MANAGER).get("/leads/triage/?channel=chat").content.decode()
    assigned = alpha.web(MANAGER).post(f"/leads/triage/{message.pk}/assign/", {"assignee": alpha.users[MANAGER].pk})
    assert assigned.status_code == 302
    with alpha.active():
        lead.refresh_from_db()
        message.refresh_from_db()
        assert lead.owner == alpha.users[MANAGER] and message.handled_at is not None
    assert f'data-message="{message.pk}"' not in alpha.web(MANAGER).get("/leads/triage/").content.decode()
    connection.set_schema_to_public()
