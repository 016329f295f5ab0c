"""Voice notes and spoken commands of one tenant.

Audio never sits in the database: each log points at one encrypted object in the object store
(key ``tenants/<schema>/voice/<log uuid>``, nothing personal in it). Transcripts stay after the
audio is deleted by the retention policy.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class VoiceLogKind(models.TextChoices):
    NOTE = "note", "Voice note"
    COMMAND = "command", "Spoken command"


class VoiceLogStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    TRANSCRIBING = "transcribing", "Transcribing"
    TRANSCRIBED = "transcribed", "Transcribed"
    FAILED = "failed", "Failed"


class VoiceLog(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=VoiceLogKind.choices, default=VoiceLogKind.NOTE)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="voice_logs"
    )
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="voice_logs")
    status = models.CharField(max_length=12, choices=VoiceLogStatus.choices, default=VoiceLogStatus.UPLOADED)
    # What was uploaded, as detected from its content.
    format = models.CharField(max_length=10)
    codec = models.CharField(max_length=30, blank=True)
    duration_seconds = models.FloatField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, help_text="Checksum of the uploaded (plaintext) audio.")
    storage_key = models.CharField(max_length=300, blank=True, help_text="Empty once the audio is deleted.")
    audio_deleted_at = models.DateTimeField(null=True, blank=True)
    # Transcription.
    transcript = models.TextField(blank=True)
    language = models.CharField(max_length=20, blank=True)
    engine = models.CharField(max_length=40, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    segments = models.JSONField(default=list, blank=True)
    # How a combining engine chose (Transcript.recognition): the winner, each engine's hypothesis.
    recognition = models.JSONField(default=dict, blank=True)
    transcription_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    transcribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["uploaded_by", "created_at"]), models.Index(fields=["lead", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.id}"

    @property
    def has_audio(self) -> bool:
        return bool(self.storage_key)


class VoiceCommandStatus(models.TextChoices):
    TRANSCRIBING = "transcribing", "Transcribing"
    AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting confirmation"
    NEEDS_INPUT = "needs_input", "Needs more input"
    ANSWERED = "answered", "Answered"
    EXECUTED = "executed", "Executed"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


class VoiceCommand(models.Model):
    """One spoken or typed command: what was understood, and what came of it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    speaker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    voice_log = models.OneToOneField(VoiceLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="command")
    text = models.TextField(blank=True, help_text="What was typed, or the transcript of what was said.")
    status = models.CharField(max_length=24, choices=VoiceCommandStatus.choices)
    action = models.JSONField(null=True, blank=True, help_text="The structured action understood.")
    result = models.JSONField(null=True, blank=True, help_text="What executing or answering it produced.")
    reply = models.TextField(blank=True, help_text="What the product says back.")
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["speaker", "created_at"])]

    def __str__(self) -> str:
        return f"Command {self.id} ({self.status})"


class VoiceSettings(models.Model):
    """Per-tenant voice policy (one row)."""

    retention_days = models.PositiveIntegerField(
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="Audio older than this is deleted; transcripts are kept.",
    )
    max_upload_mb = models.PositiveSmallIntegerField(
        default=25, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    max_note_seconds = models.PositiveIntegerField(
        default=900, validators=[MinValueValidator(5), MaxValueValidator(7200)]
    )
    max_command_seconds = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(2), MaxValueValidator(120)]
    )
    note_engine = models.CharField(max_length=40, default="whisper-tiny-en")
    command_engine = models.CharField(max_length=40, default="hybrid-commands")  # registry.DEFAULT_COMMAND_ENGINE
    allow_online_engine = models.BooleanField(
        default=False, help_text="Allow an engine that sends audio to a third party. Off unless an admin opts in."
    )
    timezone = models.CharField(max_length=64, default="UTC", help_text="Dates in spoken commands are read in it.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "voice settings"
        constraints = [
            models.CheckConstraint(condition=Q(retention_days__gte=1), name="voice_retention_at_least_a_day"),
        ]

    def __str__(self) -> str:
        return "Voice settings"
