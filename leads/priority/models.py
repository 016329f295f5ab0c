"""Lead messages (what leads write or say) and the priorities worked out from them.

Imported by ``leads.models`` so Django sees these models as part of the leads app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

MESSAGE_MAX_CHARS = 20_000  # longer bodies (long threads, quoted history) are cut here


class MessageChannel(models.TextChoices):
    FORM = "form", "Inquiry form"
    EMAIL = "email", "E-mail"
    CHAT = "chat", "Chat"
    VOICE = "voice", "Voice note"


class MessageDirection(models.TextChoices):
    INBOUND = "inbound", "From the lead"
    OUTBOUND = "outbound", "To the lead"


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class LeadMessage(models.Model):
    """One message of a lead's conversation, with what was read from its text when it arrived."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    direction = models.CharField(max_length=10, choices=MessageDirection.choices, default=MessageDirection.INBOUND)
    subject = models.CharField(max_length=300, blank=True)
    sender = models.CharField(max_length=254, blank=True)
    body = models.TextField()
    occurred_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The voice note a "voice" message was transcribed from: one message per note, however often retried.
    voice_log = models.OneToOneField(
        "voice.VoiceLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="lead_message"
    )
    # The e-mail's Message-ID header, so pasting or uploading the same e-mail twice is refused.
    email_message_id = models.CharField(max_length=300, blank=True)
    # Read from the text on arrival (leads.priority.analysis): signals with their spans in the body.
    language = models.CharField(max_length=10, blank=True)
    signals = models.JSONField(default=list, blank=True)
    key_phrases = models.JSONField(default=list, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "occurred_at"]),
            models.Index(fields=["direction", "handled_at", "occurred_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "email_message_id"],
                condition=~Q(email_message_id=""),
                name="lead_message_email_once_per_lead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} message {self.pk} on lead {self.lead_id}"


class PriorityTrigger(models.TextChoices):
    MESSAGE = "message", "New message"
    SCORE = "score", "Score changed"
    SETTINGS = "settings", "Settings changed"
    MODEL = "model", "Text model trained"
    MANUAL = "manual", "Recomputed"


class PriorityHistory(models.Model):
    """A lead's priority at one moment, with the reasons and the two parts it was made of."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="priority_history")
    priority = models.CharField(max_length=6, choices=Priority.choices)
    value = models.FloatField(help_text="The combined 0-100 value compared with the thresholds.")
    structured = models.FloatField(help_text="0-100 from the lead score.")
    text = models.FloatField(null=True, blank=True, help_text="0-100 from the messages; null without messages.")
    reasons = models.JSONField(default=list)
    trigger = models.CharField(max_length=10, choices=PriorityTrigger.choices)
    message = models.ForeignKey(LeadMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    computed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["lead", "computed_at"])]
        verbose_name_plural = "priority history"

    def __str__(self) -> str:
        return f"{self.priority} for lead {self.lead_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class PrioritySettings(models.Model):
    """One row per tenant: where High and Medium start, and how much the messages weigh."""

    high_min = models.PositiveSmallIntegerField(default=65)
    medium_min = models.PositiveSmallIntegerField(default=40)
    text_weight = models.FloatField(
        default=0.6, help_text="0 = the score alone, 1 = the messages alone (when a lead has messages)."
    )
    min_training_leads = models.PositiveSmallIntegerField(
        default=60, help_text="Closed leads with messages needed before the text model is trained."
    )

    class Meta:
        verbose_name_plural = "priority settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(high_min__gt=models.F("medium_min")) & Q(high_min__lte=100) & Q(medium_min__gte=1),
                name="priority_thresholds_descend",
                violation_error_message="Thresholds must descend: 100 >= High > Medium >= 1.",
            ),
            models.CheckConstraint(
                condition=Q(text_weight__gte=0) & Q(text_weight__lte=1),
                name="priority_text_weight_0_1",
                violation_error_message="The text weight is between 0 (score only) and 1 (messages only).",
            ),
        ]

    def __str__(self) -> str:
        return f"High>={self.high_min} Medium>={self.medium_min} text weight {self.text_weight:g}"


class PrioritySignal(models.Model):
    """A tenant's own phrases that say something about a lead, e.g. "SOC 2" +10 or "student project" -20."""

    label = models.CharField(max_length=120, help_text="How the reason reads, e.g. 'asks about SOC 2'.")
    phrases = models.TextField(help_text="One phrase per line; matched as whole words, any case.")
    points = models.SmallIntegerField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["label", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=-50) & Q(points__lte=50), name="priority_signal_points_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.points:+d} {self.label}"

    @property
    def phrase_list(self) -> list[str]:
        return [line.strip() for line in self.phrases.splitlines() if line.strip()]
