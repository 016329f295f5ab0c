"""Trying a failed transcription again, once whatever made it fail (a worker crash, a store
outage, a missing engine) is fixed; the recording is still there, so nothing is uploaded twice."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from crm_saas.errors import ConflictError, DomainError
from crm_saas.jobs.services import job_create, job_enqueue
from tenants.accounts.models import User
from voice.models import VoiceLog, VoiceLogKind, VoiceLogStatus
from voice.selectors import voice_log_get_for_user
from voice.services.logs import JOB_KIND, AudioDeleted


def voice_log_transcribe_retry(*, user: User, log_id: Any) -> VoiceLog:
    """Queue a new transcription of a failed voice note the user may see.

    409 unless the note failed (a queued or finished one needs no retry), 410 once its audio was
    deleted; a spoken command is not redone: the moment it was meant for has passed.
    """
    log = voice_log_get_for_user(user=user, log_id=log_id)
    if log.kind != VoiceLogKind.NOTE:
        raise DomainError("A spoken command is not transcribed again; say or type it again.", code="not_retryable")
    from voice.tasks import voice_log_transcribe_task

    with transaction.atomic():
        # Locked so that two clicks queue one job, not two.
        locked = VoiceLog.objects.select_for_update().get(pk=log.pk)
        if locked.status != VoiceLogStatus.FAILED:
            raise ConflictError(
                f"Only a failed transcription can be tried again; this note is {locked.get_status_display().lower()}.",
                code="not_failed",
            )
        if not locked.has_audio:
            raise AudioDeleted("The recording was deleted under the retention policy; there is nothing to transcribe.")
        job = job_create(kind=JOB_KIND, created_by=user, params={"voice_log_id": str(locked.id)})
        locked.status = VoiceLogStatus.UPLOADED
        locked.error = ""
        locked.job = job
        locked.save(update_fields=["status", "error", "job"])
        job_enqueue(job=job, task=voice_log_transcribe_task)
    return locked
