"""Transcribing a failed voice note again: once the cause is fixed, through the API and the page."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from crm_saas.jobs.models import Job
from crm_saas.jobs.services import job_run
from crm_saas.testing.world import TenantWorld
from tests.surface import ADMIN, MANAGER, REP, VIEWER
from voice.models import VoiceLog, VoiceLogKind, VoiceLogStatus, VoiceSettings
from voice.services.logs import voice_log_create, voice_log_transcribe_run
from voice.services.settings import voice_settings_get
from voice.tests.samples import KEY_WORDS, spoken_wav

pytestmark = pytest.mark.django_db
LOGS = "/api/v1/voice/logs/"


def failed_note(world: TenantWorld, *, role: str = REP, kind: str = VoiceLogKind.NOTE) -> VoiceLog:
    """A note whose transcription failed: the workspace chose an online engine without opting in."""
    with world.active():
        voice_settings_get()
        VoiceSettings.objects.update(note_engine="google-web", command_engine="google-web", allow_online_engine=False)
        log = voice_log_create(actor=world.users[role], upload=io.BytesIO(spoken_wav()), kind=kind)
        job_run(job_id=str(log.job_id), handler=voice_log_transcribe_run)
        log.refresh_from_db()
    assert log.status == VoiceLogStatus.FAILED
    return log


def test_a_failed_note_is_transcribed_again_once_the_cause_is_fixed(alpha) -> None:
    log = failed_note(alpha)
    first_job = log.job_id
    with alpha.active():
        VoiceSettings.objects.update(note_engine="whisper-tiny-en")

    response = alpha.api(REP).post(f"{LOGS}{log.id}/retry/")

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "uploaded" and body["error"] == ""
    assert body["job"]["id"] != str(first_job)
    with alpha.active():
        job = job_run(job_id=body["job"]["id"], handler=voice_log_transcribe_run)
        log.refresh_from_db()
        assert Job.objects.filter(kind="voice.transcribe").count() == 2
    assert job.status == "succeeded", job.error
    assert log.status == VoiceLogStatus.TRANSCRIBED
    assert all(word in log.transcript.lower() for word in KEY_WORDS[:3]), log.transcript
    # Transcribed now: nothing to retry.
    again = alpha.api(REP).post(f"{LOGS}{log.id}/retry/")
    assert again.status_code == 409
    assert again.json()["detail"] == "Only a failed transcription can be tried again; this note is transcribed."


def test_two_retries_queue_one_job(alpha) -> None:
    log = failed_note(alpha)
    assert alpha.api(REP).post(f"{LOGS}{log.id}/retry/").status_code == 202
    assert alpha.api(MANAGER).post(f"{LOGS}{log.id}/retry/").status_code == 409
    with alpha.active():
        assert Job.objects.filter(kind="voice.transcribe").count() == 2  # the failed one and one retry


def test_who_may_retry_and_what_cannot_be_retried(alpha, beta) -> None:
    log = failed_note(alpha)
    assert alpha.api(VIEWER).post(f"{LOGS}{log.id}/retry/").status_code == 403
    assert beta.api(ADMIN).post(f"{LOGS}{log.id}/retry/").status_code == 404
    managers = failed_note(alpha, role=MANAGER)  # not the rep's note: the rep cannot see it
    assert alpha.api(REP).post(f"{LOGS}{managers.id}/retry/").status_code == 404

    command = failed_note(alpha, kind=VoiceLogKind.COMMAND)
    refused = alpha.api(REP).post(f"{LOGS}{command.id}/retry/")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "A spoken command is not transcribed again; say or type it again."

    with alpha.active():
        VoiceLog.objects.filter(pk=log.pk).update(storage_key="", audio_deleted_at=timezone.now())
    gone = alpha.api(ADMIN).post(f"{LOGS}{log.id}/retry/")
    assert gone.status_code == 410
    with alpha.active():
        assert VoiceLog.objects.get(pk=log.pk).status == VoiceLogStatus.FAILED  # left as it was


def test_the_page_offers_to_transcribe_a_failed_note_again(alpha) -> None:
    log = failed_note(alpha)
    client = alpha.web(REP)
    home = client.get("/voice/").content.decode()
    assert f"/voice/logs/{log.id}/retry/" in home and "Transcribe again" in home

    response = client.post(f"/voice/logs/{log.id}/retry/", {"next": "/voice/"}, follow=True)

    assert response.redirect_chain[-1][0] == "/voice/"
    assert "queued to be transcribed again" in response.content.decode()
    with alpha.active():
        assert VoiceLog.objects.get(pk=log.pk).status == VoiceLogStatus.UPLOADED
    # A second click, after the first already queued it, explains instead of failing.
    response = client.post(f"/voice/logs/{log.id}/retry/", {"next": "/voice/"}, follow=True)
    assert "Only a failed transcription can be tried again" in response.content.decode()
