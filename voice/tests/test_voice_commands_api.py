"""Typed commands through the API: understood, asked back, confirmed with the speaker's rights."""

from __future__ import annotations

import pytest

from crm_saas.audit.models import AuditEvent
from leads.models import Lead
from leads.services import lead_create
from tests.surface import ADMIN, MANAGER, REP, VIEWER

pytestmark = pytest.mark.django_db
URL = "/api/v1/voice/commands/"


def say(world, role: str, text: str) -> dict:
    response = world.api(role).post(URL, {"text": text}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_lead_waits_for_confirmation_then_runs_once(alpha) -> None:
    command = say(alpha, REP, "add a new lead from ABC Corp")
    assert command["status"] == "awaiting_confirmation"
    assert command["action"]["intent"] == "create_lead"
    assert command["action"]["entities"]["company"] == "ABC Corp"
    assert command["action"]["requires_confirmation"] is True
    assert command["reply"] == "Create lead ABC Corp?"
    with alpha.active():
        assert not Lead.objects.filter(company="ABC Corp").exists()  # nothing before the confirmation

    client = alpha.api(REP)
    done = client.post(f"{URL}{command['id']}/confirm/", {}, format="json")
    again = client.post(f"{URL}{command['id']}/confirm/", {}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "executed", done.content
    assert again.status_code == 200 and again.json()["executed_at"] == done.json()["executed_at"]
    with alpha.active():
        lead = Lead.objects.get(company="ABC Corp")
        assert lead.owner == alpha.users[REP] and lead.source == "voice"
        assert AuditEvent.objects.filter(action="voice.command_executed", target_id=command["id"]).count() == 1
    assert done.json()["result"] == {"lead_id": lead.pk}
    assert done.json()["lead"] == lead.pk


def test_saying_yes_confirms_the_latest_pending_command(alpha) -> None:
    with alpha.active():
        lead = lead_create(actor=alpha.users[REP], data={"company": "Globex Corporation"})
    pending = say(alpha, REP, "mark globex as qualified")
    assert pending["status"] == "awaiting_confirmation", pending
    assert pending["action"]["entities"]["lead_id"] == lead.pk
    answer = say(alpha, REP, "yes please")
    assert answer["status"] == "answered" and answer["result"] == {"command": pending["id"]}
    assert "qualified" in answer["reply"]
    with alpha.active():
        lead.refresh_from_db()
    assert lead.status == "qualified"
    assert say(alpha, REP, "yes")["reply"].startswith("There is nothing waiting")


def test_ambiguous_lead_is_asked_back_and_the_pick_is_checked(alpha, beta) -> None:
    with alpha.active():
        first = lead_create(actor=alpha.users[REP], data={"company": "Acme Ltd"})
        second = lead_create(actor=alpha.users[REP], data={"company": "Acme Inc"})
    command = say(alpha, REP, "mark acme as contacted")
    assert command["status"] == "needs_input", command
    candidates = {c["id"] for c in command["action"]["entities"]["lead_candidates"]}
    assert candidates == {first.pk, second.pk}
    assert "Which lead" in command["reply"]

    client = alpha.api(REP)
    with beta.active():
        foreign = lead_create(actor=beta.users[REP], data={"company": "Acme Beta"})
    wrong = client.post(f"{URL}{command['id']}/confirm/", {"entities": {"lead_id": foreign.pk}}, format="json")
    assert wrong.status_code == 200 and wrong.json()["status"] == "failed"  # not a lead of this workspace
    retry = say(alpha, REP, "mark acme as contacted")
    picked = client.post(f"{URL}{retry['id']}/confirm/", {"entities": {"lead_id": second.pk}}, format="json")
    assert picked.json()["status"] == "executed", picked.content
    with alpha.active():
        assert Lead.objects.get(pk=second.pk).status == "contacted"
        assert Lead.objects.get(pk=first.pk).status == "new"


def test_reads_are_answered_at_once(alpha) -> None:
    with alpha.active():
        lead_create(actor=alpha.users[REP], data={"company": "Hot One", "referred": True, "email": "a@h.test"})
        Lead.objects.filter(company="Hot One").update(score=90, band="A")
    answer = say(alpha, REP, "show my hot leads")
    assert answer["status"] == "answered"
    assert answer["action"]["entities"] == {"owner": "me", "band": ["A"]}
    assert answer["result"]["count"] == 1 and answer["result"]["leads"][0]["label"] == "Hot One"
    assert answer["reply"] == "1 found, your hot leads; Hot One (90)."
    none = say(alpha, REP, "show my cold leads")
    assert none["reply"] == "You have no cold leads right now."
    score = say(alpha, REP, "what is the score of hot one")
    assert score["status"] == "answered" and score["action"]["intent"] == "read_lead_score"
    assert score["reply"].startswith("Hot One scores ")


def test_unknown_speech_gets_help_and_bad_input_clear_errors(alpha) -> None:
    client = alpha.api(REP)
    unknown = say(alpha, REP, "sing me a song about the weather")
    assert unknown["status"] == "answered" and unknown["action"]["intent"] == "unknown"
    assert "You can say" in unknown["reply"] or "try" in unknown["reply"].lower()
    empty = client.post(URL, {"text": "   "}, format="json")
    assert empty.status_code == 400 and "text" in empty.json()["errors"]
    both = client.post(URL, {}, format="json")
    assert both.status_code == 400
    missing = client.get(f"{URL}00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404
    cancelled = say(alpha, REP, "add a new lead from Initech")
    assert client.post(f"{URL}{cancelled['id']}/cancel/").json()["status"] == "cancelled"
    conflict = client.post(f"{URL}{cancelled['id']}/confirm/", {}, format="json")
    assert conflict.status_code == 409 and "cancelled" in conflict.json()["detail"]


def test_commands_are_private_to_their_speaker_and_tenant(alpha, beta) -> None:
    command = say(alpha, REP, "add a new lead from Umbrella")
    path = f"{URL}{command['id']}/"
    assert alpha.api(MANAGER).get(path).status_code == 404  # another person's command
    assert beta.api(REP).get(path).status_code == 404
    assert alpha.api(VIEWER).post(URL, {"text": "show my leads"}, format="json").status_code == 403
    assert alpha.api().post(URL, {"text": "show my leads"}, format="json").status_code == 401
    assert alpha.api(ADMIN).get(URL).json()["count"] == 0
    assert alpha.api(REP).get(URL).json()["count"] == 1


def test_the_reply_is_spoken(alpha) -> None:
    command = say(alpha, REP, "add a new lead from ABC Corp")
    audio = alpha.api(REP).get(f"{URL}{command['id']}/reply-audio/")
    assert audio.status_code == 200 and audio["Content-Type"] == "audio/wav"
    body = audio.content
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE" and len(body) > 16000  # about a second of speech


def test_a_spoken_command_whose_row_fails_leaves_no_recording(alpha, monkeypatch) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import IntegrityError

    from crm_saas.storage import get_object_store
    from voice.models import VoiceCommand, VoiceLog
    from voice.services.commands import voice_command_submit_audio
    from voice.speech import speak

    def refuse(**kwargs):
        raise IntegrityError("refused")

    monkeypatch.setattr(VoiceCommand.objects, "create", refuse)
    with alpha.active():
        with pytest.raises(IntegrityError):
            voice_command_submit_audio(
                speaker=alpha.users[REP], upload=SimpleUploadedFile("c.wav", speak("show my leads"), "audio/wav")
            )
        assert not VoiceLog.objects.exists()
        assert get_object_store().list_keys("tenants/alpha/voice/") == []


def test_the_speech_prompt_names_the_team_and_recent_leads_apart_from_its_sentences(alpha) -> None:
    from voice.services.commands import COMMAND_PROMPT_WORDS, command_hints
    from voice.transcription.whisper import whisper_prompt

    with alpha.active():
        rep = alpha.users[REP]
        lead_create(actor=rep, data={"company": "Globex"})
        lead_create(actor=rep, data={"name": "Jane Cooper"})
        lead_create(actor=rep, data={"company": "Globex"})
        phrases = command_hints(speaker=rep).phrases
        colleagues = sorted(alpha.users[role].full_name for role in (ADMIN, MANAGER, VIEWER))

    assert phrases[: len(COMMAND_PROMPT_WORDS)] == COMMAND_PROMPT_WORDS
    lists = phrases[len(COMMAND_PROMPT_WORDS) :]
    # No one has signed in: colleagues by name; the speaker is "me", not in the list.
    assert lists[:3] == [f"Team: {colleagues[0]}", colleagues[1], f"{colleagues[2]}."]
    assert lists[3:] == ["Leads: Globex", "Jane Cooper."]  # most recently touched first, once each
    prompt = whisper_prompt(phrases)
    assert prompt.startswith("CRM voice commands: Add a new lead. Mark it as qualified.")
    assert prompt.endswith(f"Team: {', '.join(colleagues)}. Leads: Globex, Jane Cooper.")
    # Names stay out of the command sentences: a sentence with a name gets copied with that name.
    assert not any(name in sentence for sentence in COMMAND_PROMPT_WORDS for name in ["Globex", *colleagues])


def test_a_spoken_command_falls_back_on_the_recognisers_other_reading(alpha) -> None:
    # The kept transcript is no command (Whisper wrote a sentence where a name was said); the other
    # engine's reading of the same audio, kept with the log, is a whole command naming a real lead.
    from voice.models import VoiceCommand, VoiceCommandStatus, VoiceLog, VoiceLogKind, VoiceLogStatus
    from voice.services.commands import voice_command_transcribed

    with alpha.active():
        rep = alpha.users[REP]
        lead = lead_create(actor=rep, data={"name": "Omar Haddad"})
        readings = {
            "What do you know about Nadia?": ["what is omar haddad's score"],
            "Remind me to call Omar Haddad.": ["what is omar haddad's score"],  # no date yet: asked back
            "Sing me a song.": ["sing along"],  # neither is a command: the first is kept
        }
        commands = {}
        for transcript, alternatives in readings.items():
            log = VoiceLog.objects.create(
                kind=VoiceLogKind.COMMAND,
                uploaded_by=rep,
                status=VoiceLogStatus.TRANSCRIBED,
                format="wav",
                duration_seconds=2.0,
                size_bytes=64000,
                sha256="0" * 64,
                transcript=transcript,
                recognition={"winner": "whisper-tiny-en", "alternatives": alternatives},
            )
            VoiceCommand.objects.create(speaker=rep, voice_log=log, status=VoiceCommandStatus.TRANSCRIBING)
            commands[transcript] = voice_command_transcribed(voice_log=log)

    used = commands["What do you know about Nadia?"]
    assert used.text == "what is omar haddad's score"
    assert used.action["intent"] == "read_lead_score" and used.action["entities"]["lead_id"] == lead.pk
    assert used.status == VoiceCommandStatus.ANSWERED
    assert (
        commands["Remind me to call Omar Haddad."].text == "Remind me to call Omar Haddad."
    )  # asked back, not replaced
    assert commands["Remind me to call Omar Haddad."].status == VoiceCommandStatus.NEEDS_INPUT
    assert (
        commands["Sing me a song."].text == "Sing me a song."
        and commands["Sing me a song."].action["intent"] == "unknown"
    )
