"""Leads, their custom attributes and their engagement activity."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    QUALIFIED = "qualified", "Qualified"
    CONVERTED = "converted", "Converted"
    LOST = "lost", "Lost"


CLOSED_STATUSES = frozenset({LeadStatus.CONVERTED, LeadStatus.LOST})


class Lead(models.Model):
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    name = models.CharField(max_length=200, blank=True)
    company = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    title = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    company_size = models.CharField(max_length=50, blank=True, help_text="Employees, e.g. 11-50 or 250.")
    country = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=100, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    platform = models.CharField(max_length=100, blank=True)
    referred = models.BooleanField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_leads"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="created_leads"
    )
    # Extra columns a tenant brings (see CustomField for their types), keyed by CustomField.key.
    attributes = models.JSONField(default=dict, blank=True)
    # The current score (history in LeadScore); null until first scored.
    score = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    band = models.CharField(max_length=1, blank=True)
    probability = models.FloatField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)  # when the current score was reached
    score_model_version = models.ForeignKey(
        "ml.ModelVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The current priority (history in PriorityHistory), from the score and the lead's messages.
    priority = models.CharField(max_length=6, blank=True, db_index=True)
    priority_value = models.FloatField(null=True, blank=True)
    priority_reasons = models.JSONField(default=list, blank=True)
    priority_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    lost_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status"]),
            # The work lists' orders (leads/selectors.py ORDERINGS), alone and after the usual
            # filters, so a page is read off an index instead of sorting every lead.
            models.Index(F("score").desc(nulls_last=True), F("id").desc(), name="lead_hottest_first"),
            models.Index("band", F("score").desc(nulls_last=True), F("id").desc(), name="lead_band_hottest_first"),
            models.Index(F("created_at").desc(), F("id").desc(), name="lead_newest_first"),
            models.Index("status", F("created_at").desc(), F("id").desc(), name="lead_status_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.CONVERTED) | Q(converted_at__isnull=False),
                name="lead_converted_has_timestamp",
            ),
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.LOST) | Q(lost_at__isnull=False),
                name="lead_lost_has_timestamp",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.company or self.email or f"Lead {self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class CustomFieldType(models.TextChoices):
    NUMBER = "number", "Number"
    CATEGORY = "category", "Category"
    BOOLEAN = "boolean", "Yes/no"
    TEXT = "text", "Text"


class CustomField(models.Model):
    """A tenant's own lead attribute, usually discovered from an imported column."""

    key = models.SlugField(max_length=100, unique=True)
    label = models.CharField(max_length=200)
    type = models.CharField(max_length=10, choices=CustomFieldType.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return f"{self.label} ({self.type})"


class ActivityKind(models.TextChoices):
    VISIT = "visit", "Website visit"
    PAGE_VIEW = "page_view", "Page viewed"
    TIME_ON_SITE = "time_on_site", "Time on site (seconds)"
    EMAIL_OPEN = "email_open", "E-mail opened"
    EMAIL_CLICK = "email_click", "E-mail link clicked"
    FORM_SUBMISSION = "form_submission", "Form submitted"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"


class LeadActivity(models.Model):
    """One engagement event, timestamped so features can be computed as of any moment."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField()
    quantity = models.FloatField(default=1, help_text="Count, or seconds for time on site.")
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["lead", "occurred_at"])]
        verbose_name_plural = "lead activities"

    def __str__(self) -> str:
        return f"{self.kind} on lead {self.lead_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class RuleOperator(models.TextChoices):
    EQUALS = "equals", "is"
    NOT_EQUALS = "not_equals", "is not"
    CONTAINS = "contains", "contains"
    GREATER = "gt", "is more than"
    LESS = "lt", "is less than"
    IS_TRUE = "is_true", "is yes"
    IS_EMPTY = "is_empty", "is empty"
    NOT_EMPTY = "not_empty", "is filled in"
    NO_ACTIVITY_DAYS = "no_activity_days", "has no activity for (days)"


class ScoringRule(models.Model):
    """Tenant-editable points, e.g. "+15 if source is referral", "-10 if no activity in 30 days"."""

    field = models.CharField(max_length=100, help_text="A lead field, a custom attribute key, or 'activity'.")
    operator = models.CharField(max_length=20, choices=RuleOperator.choices)
    value = models.CharField(max_length=200, blank=True)
    points = models.SmallIntegerField()
    label = models.CharField(max_length=200, help_text="How the reason reads, e.g. 'Referred lead'.")
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=-100) & Q(points__lte=100), name="rule_points_in_range")
        ]

    def __str__(self) -> str:
        return f"{self.points:+d} {self.label}"


class ScoringSettings(models.Model):
    """One row per tenant: band thresholds and how much rules weigh next to the model."""

    band_a_min = models.PositiveSmallIntegerField(default=75)
    band_b_min = models.PositiveSmallIntegerField(default=50)
    band_c_min = models.PositiveSmallIntegerField(default=25)
    rules_weight = models.FloatField(default=0.25, help_text="0 = model only, 1 = rules only (when a model exists).")
    retrain_every_days = models.PositiveSmallIntegerField(default=7)

    class Meta:
        verbose_name_plural = "scoring settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(band_a_min__gt=models.F("band_b_min")) & Q(band_b_min__gt=models.F("band_c_min")),
                name="band_thresholds_descend",
                violation_error_message="Band thresholds must descend: 100 >= A > B > C >= 0.",
            ),
            models.CheckConstraint(
                condition=Q(rules_weight__gte=0) & Q(rules_weight__lte=1),
                name="rules_weight_0_1",
                violation_error_message="The rules weight is between 0 (model only) and 1 (rules only).",
            ),
        ]

    def __str__(self) -> str:
        return f"A>={self.band_a_min} B>={self.band_b_min} C>={self.band_c_min}"


class LeadScore(models.Model):
    """A lead's score at one moment, with what produced it."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="score_history")
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=1)
    probability = models.FloatField(null=True, blank=True)
    rules_points = models.SmallIntegerField(default=0)
    # Reasons in points; null when a bulk rescoring skipped them (filled in on first view).
    factors = models.JSONField(null=True, blank=True)
    model_version = models.ForeignKey("ml.ModelVersion", null=True, blank=True, on_delete=models.SET_NULL)
    scored_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-scored_at", "-id"]
        indexes = [models.Index(fields=["lead", "scored_at"])]

    def __str__(self) -> str:
        return f"{self.score} ({self.band}) for lead {self.lead_id}"


NOTE_MAX_LENGTH = 5000


class PendingRescore(models.Model):
    """A lead changed since it was last scored; the next batch rescoring picks it up. Written in the
    same transaction as the change, so no change is left unscored if the broker or cache is down."""

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, primary_key=True, related_name="+")
    since = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"lead {self.lead_id} to rescore"


class NoteSource(models.TextChoices):
    TYPED = "typed", "Typed"
    VOICE = "voice", "Voice"


class LeadNote(models.Model):
    """Something a person wrote (or said) about a lead. Notes are not engagement: they do not score."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=NOTE_MAX_LENGTH)
    source = models.CharField(max_length=10, choices=NoteSource.choices, default=NoteSource.TYPED)
    voice_log = models.ForeignKey("voice.VoiceLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lead", "created_at"])]

    def __str__(self) -> str:
        return f"Note {self.pk} on lead {self.lead_id}"


class FollowUpKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    MEETING = "meeting", "Meeting"
    DEMO = "demo", "Demo"
    FOLLOW_UP = "follow_up", "Follow up"


class FollowUp(models.Model):
    """A task due at a moment: call, e-mail, meet... a lead or a customer. Open until ``done_at`` is set."""

    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups")
    customer = models.ForeignKey(
        "lifecycle.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=FollowUpKind.choices, default=FollowUpKind.FOLLOW_UP)
    title = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["assignee", "done_at", "due_at"]), models.Index(fields=["lead", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(lead__isnull=False, customer__isnull=True) | Q(lead__isnull=True, customer__isnull=False),
                name="follow_up_for_a_lead_or_a_customer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due_at:%Y-%m-%d %H:%M})"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_at < timezone.now()


# Messages and priorities live in their own module; Django finds them through this import, and
# callers import them from here like every lead model.
from leads.priority.models import (  # noqa: E402, F401
    LeadMessage,
    MessageChannel,
    MessageDirection,
    Priority,
    PriorityHistory,
    PrioritySettings,
    PrioritySignal,
)
