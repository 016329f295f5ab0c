"""Input and output shapes of the voice log API."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm_saas.jobs.api.serializers import JobOutput
from leads.models import Lead
from tenants.accounts.models import User
from voice.models import VoiceLog, VoiceLogKind, VoiceLogStatus, VoiceSettings
from voice.transcription.registry import ENGINES


class VoiceLogInput(serializers.Serializer):
    audio = serializers.FileField(
        required=False,
        allow_empty_file=True,  # the service explains an empty recording in its own words
        help_text="The recording: WAV, MP3, M4A, OGG or WebM (Opus) or FLAC, recognised by its content.",
    )
    lead = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="Id of a lead you can see, to attach the note to."
    )
    kind = serializers.ChoiceField(choices=VoiceLogKind.choices, required=False, default=VoiceLogKind.NOTE)


class VoiceLogFilterInput(serializers.Serializer):
    lead = serializers.IntegerField(required=False, min_value=1, help_text="Only the notes about this lead.")
    status = serializers.ChoiceField(choices=VoiceLogStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=VoiceLogKind.choices, required=False)


class VoiceLogUploaderOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class VoiceLogLeadOutput(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = ["id", "name", "company"]


class VoiceLogOutput(serializers.ModelSerializer):
    uploaded_by = VoiceLogUploaderOutput(allow_null=True)
    lead = VoiceLogLeadOutput(allow_null=True)
    job = JobOutput(allow_null=True)
    has_audio = serializers.BooleanField()
    audio_url = serializers.SerializerMethodField(help_text="Streams the decrypted recording; null once deleted.")

    class Meta:
        model = VoiceLog
        fields = [
            "id",
            "kind",
            "status",
            "uploaded_by",
            "lead",
            "format",
            "codec",
            "duration_seconds",
            "size_bytes",
            "sha256",
            "has_audio",
            "audio_url",
            "audio_deleted_at",
            "transcript",
            "language",
            "engine",
            "confidence",
            "segments",
            "recognition",
            "transcription_seconds",
            "error",
            "job",
            "created_at",
            "transcribed_at",
        ]
        extra_kwargs = {
            "recognition": {
                "help_text": "How a combining engine decided: the engine that won and each engine's "
                "hypothesis with its score; empty for a single engine."
            }
        }

    @extend_schema_field(OpenApiTypes.STR)
    def get_audio_url(self, log: VoiceLog) -> str | None:
        return reverse("api:voice-log-audio", kwargs={"log_id": log.id}) if log.has_audio else None


class VoiceSettingsInput(serializers.Serializer):
    """Every field is optional; only the ones given change."""

    retention_days = serializers.IntegerField(required=False, help_text="1 to 3650. Transcripts are kept.")
    max_upload_mb = serializers.IntegerField(required=False, help_text="1 to 200 MB per recording.")
    max_note_seconds = serializers.IntegerField(required=False, help_text="5 to 7200 seconds.")
    max_command_seconds = serializers.IntegerField(required=False, help_text="2 to 120 seconds.")
    note_engine = serializers.CharField(required=False, help_text=f"One of: {', '.join(ENGINES)}.")
    command_engine = serializers.CharField(required=False, help_text=f"One of: {', '.join(ENGINES)}.")
    allow_online_engine = serializers.BooleanField(
        required=False, help_text="Allow an engine that sends audio to a third party (google-web)."
    )
    timezone = serializers.CharField(required=False, help_text="An IANA time zone such as Europe/Berlin.")


class VoiceSettingsOutput(serializers.ModelSerializer):
    class Meta:
        model = VoiceSettings
        fields = [
            "retention_days",
            "max_upload_mb",
            "max_note_seconds",
            "max_command_seconds",
            "note_engine",
            "command_engine",
            "allow_online_engine",
            "timezone",
            "updated_at",
        ]
