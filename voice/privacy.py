"""What the voice app knows about a person: voice notes about their lead (audio and transcript)
and spoken commands that named them."""

from __future__ import annotations

from django.db.models import Q

from crm_saas.crypto import encrypted_get
from crm_saas.privacy.registry import ObjectKind, PrivacyProvider, RecordSet, StoredFile, Subject, register
from voice.models import VoiceCommand, VoiceLog
from voice.services.logs import AUDIO_PURPOSE, CONTENT_TYPES, voice_audio_filename


def _commands(subject: Subject):
    return VoiceCommand.objects.filter(lead_id__in=sorted(subject.lead_ids))


def _logs(subject: Subject):
    # A command's recording holds the spoken name too, whether or not the log names the lead.
    command_logs = _commands(subject).exclude(voice_log_id=None).values("voice_log_id")
    return VoiceLog.objects.filter(Q(lead_id__in=sorted(subject.lead_ids)) | Q(pk__in=command_logs))


class VoiceProvider(PrivacyProvider):
    name = "voice"
    label = "Voice notes and commands"

    def record_sets(self, subject: Subject) -> list[RecordSet]:
        return [RecordSet(_commands(subject)), RecordSet(_logs(subject))]

    def files(self, subject: Subject) -> list[StoredFile]:
        files = []
        for log in _logs(subject).exclude(storage_key="").only("id", "storage_key", "format", "sha256"):
            content_type = CONTENT_TYPES.get(log.format, "application/octet-stream")
            files.append(
                StoredFile(
                    key=log.storage_key,
                    name=f"voice/{voice_audio_filename(log_id=log.id, content_type=content_type)}",
                    record=f"voice.voicelog:{log.id}",
                    read=lambda log=log: encrypted_get(
                        key=log.storage_key, object_id=str(log.id), purpose=AUDIO_PURPOSE
                    ),
                    content_type=content_type,
                    sha256=log.sha256,
                )
            )
        return files

    def object_kinds(self) -> list[ObjectKind]:
        return [ObjectKind(prefix="voice/", purpose=AUDIO_PURPOSE)]


register(VoiceProvider())
