"""Celery entry points of the voice app: take ids, call one service, in the tenant's schema."""

from __future__ import annotations

from crm_saas.celery import app
from crm_saas.jobs.services import job_run


@app.task(name="voice.transcribe")
def voice_log_transcribe_task(*, job_id: str) -> None:
    """Transcribe one uploaded voice log (queued by voice_log_create once its row commits)."""
    from voice.services.logs import voice_log_transcribe_run

    job_run(job_id=job_id, handler=voice_log_transcribe_run)


@app.task(name="voice.purge_expired_audio")
def voice_audio_purge_expired_task() -> int:
    """Per tenant (queued by crm_saas.fan_out_to_tenants): delete audio past the retention period."""
    from voice.services.retention import voice_audio_purge_expired

    return voice_audio_purge_expired()
