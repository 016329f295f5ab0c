"""The audio retention policy: recordings older than the tenant's ``retention_days`` are deleted.

Transcripts and the rest of each log stay; the log records when its audio went (``audio_deleted_at``)
and playback then answers 410 Gone with that date. Run daily per tenant (``voice.purge_expired_audio``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record
from crm_saas.storage import get_object_store
from voice.models import VoiceLog
from voice.services.settings import voice_settings_get


def voice_audio_purge_expired(*, now: datetime | None = None) -> int:
    """Delete the audio of every log older than the retention period; returns how many.

    Each object is deleted before its row forgets the key, so a failure part-way (the store is
    unreachable) leaves the remaining logs pointing at their audio for the next run. One audit
    event per run records the count.
    """
    now = now or timezone.now()
    retention_days = voice_settings_get().retention_days
    cutoff = now - timedelta(days=retention_days)
    expired = VoiceLog.objects.filter(created_at__lt=cutoff).exclude(storage_key="").only("id", "storage_key")
    store = get_object_store()
    purged = 0
    try:
        for log in expired.iterator(chunk_size=500):
            store.delete(log.storage_key)
            purged += VoiceLog.objects.filter(pk=log.pk, storage_key=log.storage_key).update(
                storage_key="", audio_deleted_at=now
            )
    finally:
        if purged:
            audit_record(
                action=AuditAction.VOICE_AUDIO_EXPIRED,
                actor_label="Retention policy",
                target_type="voicelog",
                target_label=f"{purged} voice recording{'s' if purged != 1 else ''}",
                metadata={"count": purged, "retention_days": retention_days, "cutoff": cutoff.isoformat()},
            )
    return purged
