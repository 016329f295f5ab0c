"""Voice log services run directly: transcription as a job (Whisper, offline), the note on the lead's
timeline, retention, settings; and the pages that use them (voice home, lead card, settings)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.jobs.models import Job
from crm_saas.jobs.services import job_run
from crm_saas.storage import get_object_store
from crm_saas.testing.world import TenantWorld
from leads.models import LeadNote, NoteSource
from leads.services import lead_create
from tests.surface import ADMIN, MANAGER, REP, VIEWER
from voice.models import VoiceLog, VoiceLogStatus, VoiceSettings
from voice.services.logs import voice_log_create, voice_log_transcribe_run
from voice.services.retention import voice_audio_purge_expired
from voice.services.settings import VoiceSettingsInvalid, voice_settings_get, voice_settings_update
from voice.tasks import voice_audio_purge_expired_task
from voice.tests.samples import KEY_WORDS, encoded, silence_wav, spoken_wav

pytestmark = pytest.mark.django_db


def a_lead(world: TenantWorld, owner: str = REP):
    with world.active():
        return lead_create(actor=world.users[owner], data={"name": "Pat Prospect", "company": "Prospect Ltd"})


def recorded(world: TenantWorld, *, role: str = REP, data: bytes | None = None, lead=None) -> VoiceLog:
    with world.active():
        return voice_log_create(
            actor=world.users[role], upload=io.BytesIO(data or spoken_wav()), lead_id=lead.pk if lead else None
        )


def transcribe(world: TenantWorld, log: VoiceLog) -> tuple[Job, VoiceLog]:
    with world.active():
        job = job_run(job_id=str(log.job_id), handler=voice_log_transcribe_run)
        return job, VoiceLog.objects.get(pk=log.pk)


# --- transcription ---------------------------------------------------------------------------------


def test_the_job_transcribes_the_note_and_puts_it_on_the_lead_timeline(alpha) -> None:
    lead = a_lead(alpha)
    log = recorded(alpha, data=encoded("ogg"), lead=lead)

    job, log = transcribe(alpha, log)

    assert job.status == "succeeded", job.error
    assert log.status == VoiceLogStatus.TRANSCRIBED
    words = re.sub(r"[^a-z ]", "", log.transcript.lower())
    assert all(word in words for word in KEY_WORDS), log.transcript
    assert (log.language, log.engine, log.error) == ("en", "whisper-tiny-en", "")
    assert 0 < log.confidence <= 1
    assert log.segments and {"start", "end", "text"} <= set(log.segments[0])
    assert log.transcription_seconds > 0 and log.transcribed_at is not None
    assert job.result["voice_log_id"] == str(log.id) and job.result["words"] >= 8
    with alpha.active():
        note = LeadNote.objects.get(lead=lead)
    assert (note.text, note.source, note.voice_log_id, note.author_id) == (
        log.transcript,
        NoteSource.VOICE,
        log.id,
        alpha.users[REP].pk,
    )

    # Safe to run twice: a redelivered task, or the handler called again, changes nothing.
    with alpha.active():
        assert job_run(job_id=str(job.id), handler=voice_log_transcribe_run).status == "succeeded"
        assert voice_log_transcribe_run(job, lambda percent: None)["status"] == "transcribed"
        assert LeadNote.objects.filter(lead=lead).count() == 1
        assert VoiceLog.objects.get(pk=log.pk).transcribed_at == log.transcribed_at


def test_a_note_without_speech_fails_with_a_readable_reason(alpha) -> None:
    log = recorded(alpha, data=silence_wav(size_bytes=96_000))  # 3 s of silence

    job, log = transcribe(alpha, log)

    assert job.status == "failed"
    assert job.error == log.error == "No speech could be recognised in the recording."
    assert log.status == VoiceLogStatus.FAILED and log.transcript == ""


def test_an_online_engine_is_not_used_without_the_opt_in(alpha) -> None:
    log = recorded(alpha)
    with alpha.active():
        VoiceSettings.objects.update(note_engine="google-web", allow_online_engine=False)

    job, log = transcribe(alpha, log)

    assert job.status == "failed"
    assert "sends audio over the internet and is not enabled here" in log.error


def test_a_note_whose_audio_was_altered_fails_to_transcribe(alpha) -> None:
    log = recorded(alpha)
    get_object_store().put(log.storage_key, b"CRME" + b"\x00" * 80)

    job, log = transcribe(alpha, log)

    assert job.status == "failed" and log.status == VoiceLogStatus.FAILED
    assert "cannot be decrypted" in log.error


# --- retention -------------------------------------------------------------------------------------


def test_retention_deletes_old_audio_keeps_the_transcript_and_playback_says_so(alpha) -> None:
    old, recent = recorded(alpha), recorded(alpha)
    with alpha.active():
        VoiceSettings.objects.all().delete()
        VoiceSettings.objects.create(retention_days=30)
        VoiceLog.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(days=31), status="transcribed", transcript="Call them on Friday."
        )

        assert voice_audio_purge_expired_task() == 1  # the task the schedule fans out to each tenant

        old.refresh_from_db()
        recent.refresh_from_db()
        assert (old.storage_key, old.transcript) == ("", "Call them on Friday.")
        assert old.audio_deleted_at is not None and not old.has_audio
        assert recent.has_audio and get_object_store().exists(recent.storage_key)
        event = AuditEvent.objects.get(action=AuditAction.VOICE_AUDIO_EXPIRED)
        assert (event.metadata["count"], event.metadata["retention_days"]) == (1, 30)
        assert voice_audio_purge_expired() == 0
        assert AuditEvent.objects.filter(action=AuditAction.VOICE_AUDIO_EXPIRED).count() == 1
    assert get_object_store().list_keys("tenants/alpha/voice/") == [recent.storage_key]

    played = alpha.api(REP).get(f"/api/v1/voice/logs/{old.id}/audio/")
    assert played.status_code == 410
    assert "deleted" in played.json()["detail"] and "transcript is kept" in played.json()["detail"]
    detail = alpha.api(REP).get(f"/api/v1/voice/logs/{old.id}/").json()
    assert (detail["has_audio"], detail["audio_url"], detail["transcript"]) == (False, None, "Call them on Friday.")
    page = alpha.web(REP).get("/voice/")
    assert b"The recording was deleted on" in page.content


def test_the_schedule_purges_voice_audio_in_every_tenant() -> None:
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-voice-audio"]
    assert entry["task"] == "crm_saas.fan_out_to_tenants"
    assert entry["args"] == ("voice.purge_expired_audio",)


# --- settings --------------------------------------------------------------------------------------


def test_settings_report_every_refusal_and_audit_only_changes(alpha) -> None:
    with alpha.active():
        admin = alpha.users[ADMIN]
        with pytest.raises(VoiceSettingsInvalid) as refused:
            voice_settings_update(
                actor=admin,
                data={"max_command_seconds": 1, "note_engine": "google-web", "timezone": "", "colour": "red"},
            )
        assert set(refused.value.errors) == {"colour"}  # unknown names first: nothing else is looked at
        with pytest.raises(VoiceSettingsInvalid) as refused:
            voice_settings_update(
                actor=admin, data={"max_command_seconds": 1, "note_engine": "google-web", "timezone": ""}
            )
        assert set(refused.value.errors) == {"max_command_seconds", "note_engine", "timezone"}
        assert voice_settings_get().note_engine == "whisper-tiny-en"  # nothing was saved

        voice_settings_update(actor=admin, data={"timezone": "America/New_York", "retention_days": 365})
        voice_settings_update(actor=admin, data={"timezone": "America/New_York"})  # no change: no event
        events = AuditEvent.objects.filter(action=AuditAction.VOICE_SETTINGS_CHANGED)
        assert [event.metadata["changed"] for event in events] == [{"timezone": ["UTC", "America/New_York"]}]


def test_the_settings_page_saves_and_shows_errors(alpha) -> None:
    client = alpha.web(ADMIN)
    form = {
        "retention_days": 7,
        "max_upload_mb": 10,
        "max_note_seconds": 600,
        "max_command_seconds": 20,
        "note_engine": "whisper-tiny-en",
        "command_engine": "google-web",
        "timezone": "Europe/Paris",
    }
    refused = client.post("/voice/settings/", form)
    assert refused.status_code == 200
    assert b"allow online engines first" in refused.content

    saved = client.post("/voice/settings/", {**form, "command_engine": "sphinx-grammar"})
    assert saved.status_code == 302
    with alpha.active():
        stored = voice_settings_get()
        assert (stored.retention_days, stored.command_engine, stored.timezone) == (7, "sphinx-grammar", "Europe/Paris")
    assert alpha.web(MANAGER).get("/voice/settings/").status_code == 403


# --- pages -----------------------------------------------------------------------------------------


def test_the_voice_page_uploads_lists_plays_and_deletes(alpha) -> None:
    lead = a_lead(alpha)
    client = alpha.web(REP)
    home = client.get("/voice/")
    assert home.status_code == 200
    for text in (b"data-voice-recorder", b"Record", b"Or upload a file", b"crm_saas/voice.js", b"Pat Prospect"):
        assert text in home.content

    pdf = io.BytesIO(b"%PDF-1.4 not audio at all" * 20)
    pdf.name = "note.mp3"
    refused = client.post("/voice/", {"audio": pdf, "lead": lead.pk})
    assert refused.status_code == 200
    assert b"detected: PDF document" in refused.content
    with alpha.active():
        assert not VoiceLog.objects.exists()

    note = io.BytesIO(encoded("mp3"))
    note.name = "note.mp3"
    uploaded = client.post("/voice/", {"audio": note, "lead": lead.pk})
    assert uploaded.status_code == 302 and uploaded["Location"] == "/voice/"
    with alpha.active():
        log = VoiceLog.objects.get()
    assert log.lead_id == lead.pk and log.format == "mp3"

    listed = client.get("/voice/")
    assert f'src="/voice/logs/{log.id}/audio/"'.encode() in listed.content
    assert f"/api/v1/jobs/{log.job_id}/".encode() in listed.content  # live progress of the transcription
    played = client.get(f"/voice/logs/{log.id}/audio/")
    assert played.status_code == 200 and played.content == encoded("mp3")
    assert played["Content-Type"] == "audio/mpeg" and "no-store" in played["Cache-Control"]
    assert alpha.web(VIEWER).get(f"/voice/logs/{log.id}/audio/").status_code == 403

    deleted = client.post(f"/voice/logs/{log.id}/delete/", {"next": "https://evil.example/"})
    assert deleted.status_code == 302 and deleted["Location"] == "/voice/"
    with alpha.active():
        assert not VoiceLog.objects.exists()


def test_the_lead_page_shows_its_voice_notes_to_those_allowed(alpha) -> None:
    lead = a_lead(alpha)
    log = recorded(alpha, lead=lead)
    with alpha.active():
        VoiceLog.objects.filter(pk=log.pk).update(status="transcribed", transcript="Send the pricing proposal.")
    managers = recorded(alpha, role=MANAGER, lead=lead)

    rep_page = alpha.web(REP).get(f"/leads/{lead.pk}/")
    assert rep_page.status_code == 200
    html = rep_page.content.decode()
    assert 'id="voice-notes"' in html and "Voice notes" in html
    assert "Send the pricing proposal." in html
    assert f"/voice/logs/{log.id}/audio/" in html
    assert str(managers.id) not in html  # a rep hears their own notes only
    assert f'data-lead="{lead.pk}"' in html  # the recorder attaches new notes to this lead

    manager_html = alpha.web(MANAGER).get(f"/leads/{lead.pk}/").content.decode()
    assert str(log.id) in manager_html and str(managers.id) in manager_html
    viewer_html = alpha.web(VIEWER).get(f"/leads/{lead.pk}/").content.decode()
    assert 'id="voice-notes"' not in viewer_html


def test_the_card_upload_returns_to_the_lead(alpha) -> None:
    lead = a_lead(alpha)
    note = io.BytesIO(encoded("flac"))
    note.name = "x.flac"
    response = alpha.web(REP).post(
        "/voice/", {"audio": note, "lead": lead.pk, "next": f"/leads/{lead.pk}/#voice-notes"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/#voice-notes"


def test_pages_cost_the_same_queries_for_many_notes(alpha) -> None:
    lead = a_lead(alpha)

    def queries(path: str) -> int:
        client = alpha.web(MANAGER)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    def add_rows(count: int) -> None:
        with alpha.active():
            for _ in range(count):
                VoiceLog.objects.create(
                    uploaded_by=alpha.users[REP],
                    lead=lead,
                    format="wav",
                    duration_seconds=1.0,
                    size_bytes=10,
                    sha256="0" * 64,
                    storage_key="tenants/alpha/voice/x",
                )

    add_rows(1)
    queries("/voice/")  # the first visit creates the workspace's voice settings
    home, lead_page = queries("/voice/"), queries(f"/leads/{lead.pk}/")
    add_rows(8)
    assert queries("/voice/") == home
    assert queries(f"/leads/{lead.pk}/") == lead_page
