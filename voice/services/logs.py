"""Voice logs: take a recording in, keep it encrypted, transcribe it in a worker, play it back, delete it.

The audio is checked by its content (``voice.audio.audio_inspect``) with the tenant's limits before
anything is stored, then encrypted under the tenant's data key and written to the object store under
``tenants/<schema>/voice/<log uuid>``: the key names no person, and the bytes at rest are ciphertext
bound to this tenant, this log and the purpose ``voice-audio``. The row and its transcription job
are created in one transaction; if the row cannot be written the object is deleted again, and if
the object cannot be written no row exists.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
import uuid
from typing import Any, BinaryIO

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record
from crm_saas.crypto import DecryptionFailed, encrypted_get, encrypted_put
from crm_saas.errors import DomainError, NotFoundError, PermissionDeniedError
from crm_saas.integrations.events import webhook_event_emit
from crm_saas.integrations.payloads import voice_log_payload
from crm_saas.jobs.models import Job
from crm_saas.jobs.services import ProgressCallback, job_create, job_enqueue
from crm_saas.roles import Capability
from crm_saas.storage import get_object_store, tenant_object_key
from leads.messages.services import voice_note_message_add
from leads.models import NOTE_MAX_LENGTH
from leads.selectors import lead_get_for_user
from leads.services import lead_note_add
from tenants.accounts.models import User
from voice.audio import SUPPORTED_FORMATS, AudioRejected, audio_inspect, audio_normalise
from voice.models import VoiceLog, VoiceLogKind, VoiceLogStatus
from voice.selectors import voice_log_get_for_user
from voice.services.settings import voice_settings_get
from voice.transcription.base import EngineHints
from voice.transcription.registry import engine_get

logger = logging.getLogger(__name__)

JOB_KIND = "voice.transcribe"
AUDIO_PURPOSE = "voice-audio"
BYTES_PER_MB = 1_000_000  # the limit is told to users in MB as voice.audio counts them
# The media type each detected format is played back with, and the extension of its file name.
CONTENT_TYPES = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "webm": "audio/webm",
    "flac": "audio/flac",
}
EXTENSIONS = {content_type: fmt for fmt, content_type in CONTENT_TYPES.items()}
assert set(CONTENT_TYPES) == set(SUPPORTED_FORMATS), "every accepted format needs a media type"


class AudioDeleted(DomainError):
    """The log exists but its audio was deleted by the retention policy; the transcript is kept."""

    status_code = 410
    default_code = "audio_deleted"


def voice_audio_key(log_id: uuid.UUID | str) -> str:
    """Where a log's encrypted audio lives: product-generated ids only, nothing personal."""
    return tenant_object_key("voice", str(log_id))


def voice_audio_filename(*, log_id: uuid.UUID | str, content_type: str) -> str:
    """The name a download gets: the log's id, never anything the uploader chose."""
    return f"voice-{log_id}.{EXTENSIONS.get(content_type, 'bin')}"


# --- upload --------------------------------------------------------------------------------------


def voice_log_create(
    *,
    actor: User,
    upload: UploadedFile | BinaryIO | None,
    lead_id: int | str | None = None,
    kind: str = VoiceLogKind.NOTE,
) -> VoiceLog:
    """Check, encrypt and store a recording, and queue its transcription.

    Refusals (no file, empty, not audio, damaged, too long, too big, unknown lead) raise a
    DomainError naming the field, and leave no row and no object behind.
    """
    if not actor.has_capability(Capability.VOICE_USE):
        raise PermissionDeniedError("Your role does not allow voice notes.")
    if kind not in VoiceLogKind.values:
        raise DomainError(f"Unknown kind {kind!r}; use one of: {', '.join(VoiceLogKind.values)}.", field="kind")
    lead = None
    if lead_id not in (None, ""):
        try:
            lead = lead_get_for_user(user=actor, lead_id=lead_id)
        except NotFoundError as exc:
            raise DomainError("No such lead, or it is not one of yours.", field="lead", code="not_found") from exc
    if upload is None:
        raise DomainError("Attach a recording (WAV, MP3, M4A, OGG, WebM or FLAC).", field="audio", code="required")

    settings = voice_settings_get()
    max_bytes = settings.max_upload_mb * BYTES_PER_MB
    max_seconds = settings.max_note_seconds if kind == VoiceLogKind.NOTE else settings.max_command_seconds
    declared_size = getattr(upload, "size", None)  # Django knows an upload's size once it is received
    if isinstance(declared_size, int) and declared_size > max_bytes:
        raise AudioRejected(
            f"The recording is too large ({declared_size / BYTES_PER_MB:.1f} MB); "
            f"the limit is {settings.max_upload_mb:.1f} MB.",
            code="audio_too_large",
        )
    plaintext = _read_at_most(upload, max_bytes + 1)  # one byte more tells "too big" without reading it all
    info = audio_inspect(plaintext, max_bytes=max_bytes, max_seconds=max_seconds)

    log_id = uuid.uuid4()
    key = voice_audio_key(log_id)
    encrypted_put(key=key, plaintext=plaintext, object_id=str(log_id), purpose=AUDIO_PURPOSE)
    from voice.tasks import voice_log_transcribe_task

    try:
        with transaction.atomic():
            job = job_create(kind=JOB_KIND, created_by=actor, params={"voice_log_id": str(log_id)})
            log = VoiceLog.objects.create(
                id=log_id,
                kind=kind,
                uploaded_by=actor,
                lead=lead,
                status=VoiceLogStatus.UPLOADED,
                format=info.format,
                codec=info.codec[:30],
                duration_seconds=info.duration_seconds,
                size_bytes=info.size_bytes,
                sha256=hashlib.sha256(plaintext).hexdigest(),
                storage_key=key,
                job=job,
            )
            job_enqueue(job=job, task=voice_log_transcribe_task)
    except BaseException:
        _delete_quietly(key)  # no row points at it: the object must not outlive the failure
        raise
    return log


def _read_at_most(upload: UploadedFile | BinaryIO, limit: int) -> bytes:
    if getattr(upload, "closed", False):
        raise DomainError("The upload could not be read; send it again.", field="audio")
    with contextlib.suppress(AttributeError, OSError, ValueError):  # a stream that cannot seek starts where it is
        upload.seek(0)  # a form or parser may have read some of it already
    return bytes(upload.read(limit))


def _delete_quietly(key: str) -> None:
    try:
        get_object_store().delete(key)
    except Exception:
        # The original error is what the caller needs; a leftover ciphertext without a row is
        # unreadable but should be cleaned up, so say where it is.
        logger.exception("Could not delete voice object %s after a failed upload", key)


# --- transcription (the job handler) -------------------------------------------------------------


def voice_log_transcribe_run(job: Job, report_progress: ProgressCallback) -> dict[str, Any]:
    """Decrypt the recording, normalise it to 16 kHz mono, transcribe it with the tenant's engine.

    Runs in a worker through ``job_run``. Safe to run twice: a transcribed log is left as it is, and
    a run interrupted half-way simply starts again.
    """
    log = VoiceLog.objects.select_related("lead", "uploaded_by").filter(pk=job.params.get("voice_log_id")).first()
    if log is None:
        raise DomainError("The voice note was deleted before it could be transcribed.", code="gone")
    if log.status == VoiceLogStatus.TRANSCRIBED:
        return _job_result(log)
    if not log.has_audio:
        message = "The audio was deleted before it could be transcribed."
        _mark_failed(log, message)
        raise DomainError(message, code="audio_deleted")

    VoiceLog.objects.filter(pk=log.pk).update(status=VoiceLogStatus.TRANSCRIBING, error="")
    report_progress(5)
    started = time.perf_counter()
    try:
        settings = voice_settings_get()
        engine_name = settings.note_engine if log.kind == VoiceLogKind.NOTE else settings.command_engine
        engine = engine_get(engine_name, allow_online=settings.allow_online_engine)
        plaintext = encrypted_get(key=log.storage_key, object_id=str(log.id), purpose=AUDIO_PURPOSE)
        report_progress(20)
        wav16k = audio_normalise(plaintext)
        report_progress(35)
        transcript = engine.transcribe(wav16k, hints=_hints(log))
    except DomainError as exc:
        _mark_failed(log, exc.message)
        _command_failed(log, exc.message)
        raise
    except Exception:
        _mark_failed(log, "Transcription failed because of an internal error; try again later.")
        _command_failed(log, "the transcription failed because of an internal error")
        raise
    report_progress(95)
    log.status = VoiceLogStatus.TRANSCRIBED
    log.transcript = transcript.text
    log.language = transcript.language[:20]
    log.engine = transcript.engine[:40]
    log.confidence = transcript.confidence
    log.segments = transcript.segments
    log.recognition = transcript.recognition
    log.transcription_seconds = round(time.perf_counter() - started, 3)
    log.error = ""
    log.transcribed_at = timezone.now()
    with transaction.atomic():  # the transcript and its timeline note appear together, or neither
        log.save(
            update_fields=[
                "status",
                "transcript",
                "language",
                "engine",
                "confidence",
                "segments",
                "recognition",
                "transcription_seconds",
                "error",
                "transcribed_at",
            ]
        )
        _attach_to_lead(log)
        webhook_event_emit("voice.transcribed", {"voice_log": voice_log_payload(log)})
    if log.kind == VoiceLogKind.COMMAND:
        from voice.services.commands import voice_command_transcribed

        voice_command_transcribed(voice_log=log)  # understood now, so the speaker's page can answer
    return _job_result(log, engine_seconds=transcript.processing_seconds)


def _attach_to_lead(log: VoiceLog) -> None:
    """A transcribed voice note about a lead becomes a note on the lead's timeline (badged "Voice").

    Lead notes hold at most NOTE_MAX_LENGTH characters; a longer transcript is cut at a word there and
    says where the rest is. The voice log always keeps the whole transcript.
    """
    if log.kind != VoiceLogKind.NOTE or log.lead is None or log.uploaded_by is None:
        return
    text = log.transcript.strip()
    if len(text) > NOTE_MAX_LENGTH:
        suffix = " … (the full transcript is on the voice note)"
        text = text[: NOTE_MAX_LENGTH - len(suffix)].rsplit(" ", 1)[0] + suffix
    lead_note_add(lead=log.lead, author=log.uploaded_by, text=text, voice_log=log)
    voice_note_message_add(voice_log=log)  # the whole transcript, read for the lead's priority


def _command_failed(log: VoiceLog, message: str) -> None:
    if log.kind == VoiceLogKind.COMMAND:
        from voice.services.commands import voice_command_transcription_failed

        voice_command_transcription_failed(voice_log=log, message=message)


def _hints(log: VoiceLog) -> EngineHints | None:
    """The lead's name and company, so the engine spells them as the CRM does; for a command, the
    command words and the speaker's own lead names."""
    if log.kind == VoiceLogKind.COMMAND:
        from voice.services.commands import command_hints

        return command_hints(speaker=log.uploaded_by)
    if log.lead is None:
        return None
    phrases = [value for value in (log.lead.name, log.lead.company) if value]
    return EngineHints(phrases=phrases) if phrases else None


def _mark_failed(log: VoiceLog, message: str) -> None:
    VoiceLog.objects.filter(pk=log.pk).update(status=VoiceLogStatus.FAILED, error=message)


def _job_result(log: VoiceLog, *, engine_seconds: float | None = None) -> dict[str, Any]:
    return {
        "voice_log_id": str(log.id),
        "status": log.status,
        "engine": log.engine,
        "language": log.language,
        "words": len(log.transcript.split()),
        "audio_seconds": log.duration_seconds,
        "transcription_seconds": log.transcription_seconds,
        "engine_seconds": engine_seconds,
    }


# --- playback and deletion -----------------------------------------------------------------------


def voice_log_audio(*, user: User, log_id: Any, request: Any = None, audit: bool = True) -> tuple[bytes, str]:
    """The original recording, decrypted, and its media type; the playback is audited (``audit``
    False: a player's later range read of a playback already recorded).

    404 for a log the user may not see, 410 once the retention policy deleted the audio, 409 when
    the stored object was altered or belongs to another log or workspace.
    """
    log = voice_log_get_for_user(user=user, log_id=log_id)
    if not log.has_audio:
        deleted = timezone.localtime(log.audio_deleted_at) if log.audio_deleted_at else None
        when = f"{deleted.day} {deleted:%b %Y}" if deleted else None
        raise AudioDeleted(
            f"The audio of this voice note was deleted{f' on {when}' if when else ''} under the "
            "workspace's retention policy; the transcript is kept."
        )
    plaintext = encrypted_get(key=log.storage_key, object_id=str(log.id), purpose=AUDIO_PURPOSE)
    if hashlib.sha256(plaintext).hexdigest() != log.sha256:
        logger.warning("Voice log %s decrypted to audio whose checksum differs from the upload's", log.id)
        raise DecryptionFailed()
    if audit:
        audit_record(
            action=AuditAction.VOICE_PLAYED,
            request=request,
            actor=user,
            target=log,
            metadata={"kind": log.kind, "lead_id": log.lead_id, "uploaded_by": log.uploaded_by_id},
        )
    return plaintext, CONTENT_TYPES[log.format]


def voice_log_delete(*, user: User, log_id: Any, request: Any = None) -> None:
    """Delete a log and its audio (its uploader, or a role that sees every log); audited.

    The audio goes first: if the store is unreachable the log stays, with its audio, and the user
    can try again; a log is never removed while its recording lingers.
    """
    log = voice_log_get_for_user(user=user, log_id=log_id)
    if log.storage_key:
        get_object_store().delete(log.storage_key)
    with transaction.atomic():
        audit_record(
            action=AuditAction.VOICE_DELETED,
            request=request,
            actor=user,
            target=log,
            metadata={
                "kind": log.kind,
                "lead_id": log.lead_id,
                "uploaded_by": log.uploaded_by_id,
                "duration_seconds": log.duration_seconds,
                "had_audio": log.has_audio,
            },
        )
        log.delete()
