"""Customer accounts and their lifecycle events.

Events carry timestamps so that features (recency, frequency, support load, usage trend...) can
be computed as of any cut-off date; the customer's status is derived from its latest cancellation
or reactivation event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from crm_saas.attributes import AttributeType


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CHURNED = "churned", "Churned"


class Stage(models.TextChoices):
    NEW = "new", "New"
    ACTIVE = "active", "Active"
    LOYAL = "loyal", "Loyal"
    AT_RISK = "at_risk", "At risk"
    CHURNED = "churned", "Churned"


class Customer(models.Model):
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    name = models.CharField(max_length=200, blank=True)
    company = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=50, blank=True)
    # The lead this account came from (see lifecycle.services.customers_from_leads).
    lead = models.OneToOneField("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="customer")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_customers"
    )
    plan = models.CharField(max_length=100, blank=True)
    mrr = models.DecimalField("MRR", max_digits=12, decimal_places=2, default=0, help_text="Monthly revenue.")
    status = models.CharField(
        max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE, db_index=True
    )
    signed_up_at = models.DateTimeField(default=timezone.now, db_index=True)
    churned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Extra columns a tenant brings (types in CustomerField), keyed by CustomerField.key.
    attributes = models.JSONField(default=dict, blank=True)
    # Kept by the lifecycle stage rules; null until they first ran for this customer.
    stage = models.CharField(max_length=10, choices=Stage.choices, null=True, blank=True, db_index=True)
    stage_reason = models.CharField(max_length=300, blank=True)
    stage_since = models.DateTimeField(null=True, blank=True)
    # The latest churn prediction, copied here so lists and filters need no join (history in ChurnPrediction).
    churn_risk = models.FloatField(null=True, blank=True, db_index=True)
    churn_band = models.CharField(max_length=10, blank=True)
    churn_scored_at = models.DateTimeField(null=True, blank=True)
    # The latest event's time, kept by the services so lists need no aggregate.
    last_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_up_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=CustomerStatus.CHURNED) | Q(churned_at__isnull=False),
                name="customer_churned_has_timestamp",
            ),
            models.CheckConstraint(
                condition=Q(status=CustomerStatus.CHURNED) | Q(churned_at__isnull=True),
                name="customer_active_has_no_churn_time",
            ),
            models.CheckConstraint(condition=Q(mrr__gte=0), name="customer_mrr_not_negative"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.company or self.email or self.external_id or f"Customer {self.pk}"

    @property
    def last_event_label(self) -> str:
        """The latest event's label, when the list selector annotated ``last_event_kind``."""
        kind = getattr(self, "last_event_kind", None)
        return EventKind(kind).label if kind in EventKind.values else ""


class CustomerField(models.Model):
    """A tenant's own customer attribute, usually discovered from an imported column."""

    key = models.SlugField(max_length=100, unique=True)
    label = models.CharField(max_length=200)
    type = models.CharField(max_length=10, choices=AttributeType.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return f"{self.label} ({self.type})"


class EventKind(models.TextChoices):
    SIGNUP = "signup", "Signed up"
    FIRST_PURCHASE = "first_purchase", "First purchase"
    PURCHASE = "purchase", "Purchase"
    PLAN_UPGRADE = "plan_upgrade", "Plan upgrade"
    PLAN_DOWNGRADE = "plan_downgrade", "Plan downgrade"
    RENEWAL = "renewal", "Renewal"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    TICKET_OPENED = "ticket_opened", "Support ticket opened"
    TICKET_CLOSED = "ticket_closed", "Support ticket closed"
    LOGIN = "login", "Login"
    USAGE = "usage", "Usage"
    NPS = "nps", "NPS response"
    FEEDBACK = "feedback", "Feedback"
    CANCELLATION = "cancellation", "Cancellation"
    REACTIVATION = "reactivation", "Reactivation"


TICKET_KINDS = frozenset({EventKind.TICKET_OPENED, EventKind.TICKET_CLOSED})
# Events that mark a turn in the customer's story (the timeline's milestones).
MILESTONE_KINDS = frozenset(
    {
        EventKind.SIGNUP,
        EventKind.FIRST_PURCHASE,
        EventKind.PLAN_UPGRADE,
        EventKind.PLAN_DOWNGRADE,
        EventKind.RENEWAL,
        EventKind.CANCELLATION,
        EventKind.REACTIVATION,
    }
)
STATUS_KINDS = frozenset({EventKind.CANCELLATION, EventKind.REACTIVATION})


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class LifecycleEvent(models.Model):
    """One thing that happened to a customer, at a moment."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, null=True, blank=True)
    score = models.SmallIntegerField(null=True, blank=True, help_text="NPS answer, 0-10.")
    quantity = models.FloatField(null=True, blank=True, help_text="Usage, e.g. sessions or seats.")
    note = models.TextField(blank=True, max_length=2000)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "occurred_at"]),
            models.Index(fields=["kind", "occurred_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=10)), name="event_nps_0_10"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="event_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(severity__isnull=True) | Q(kind__in=sorted(TICKET_KINDS)), name="event_severity_on_tickets"
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0), name="event_quantity_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for customer {self.customer_id} at {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def is_milestone(self) -> bool:
        return self.kind in MILESTONE_KINDS


class StageChange(models.Model):
    """One entry of a customer's stage history: the stage it entered, when and why."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    previous_stage = models.CharField(max_length=10, choices=Stage.choices, null=True, blank=True)
    reason = models.CharField(max_length=300)
    # When the customer entered the stage (for a recomputed history, the moment in its past).
    changed_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["customer", "changed_at"])]

    def __str__(self) -> str:
        return f"customer {self.customer_id} -> {self.stage} at {self.changed_at:%Y-%m-%d}"


class ChurnPrediction(models.Model):
    """A customer's predicted churn risk as of a moment, with its drivers: the risk history."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="churn_predictions")
    risk = models.FloatField(help_text="Calibrated probability of churning, 0-1.")
    band = models.CharField(max_length=10)
    # [{"column", "label", "value", "contribution"}...], strongest first; base + sum = model output.
    factors = models.JSONField(default=list)
    base_value = models.FloatField(null=True, blank=True)
    model_version = models.ForeignKey("ml.ModelVersion", null=True, blank=True, on_delete=models.SET_NULL)
    # The cut-off the features were computed at (for backfilled history, a moment in the past).
    as_of = models.DateTimeField()
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-as_of", "-id"]
        indexes = [models.Index(fields=["customer", "as_of"])]
        constraints = [
            models.CheckConstraint(condition=Q(risk__gte=0) & Q(risk__lte=1), name="churn_risk_is_probability"),
        ]

    def __str__(self) -> str:
        return f"customer {self.customer_id}: {self.risk:.0%} as of {self.as_of:%Y-%m-%d}"


class NextActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"
    EXPIRED = "expired", "Expired"


class NextAction(models.Model):
    """A recommended action for a customer, with the rationale tied to its drivers, and what the
    rep decided (accepting creates a follow-up; outcomes feed acceptance rates)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="next_actions")
    # Stable code of the playbook entry that produced it, e.g. "escalate_support".
    code = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    rationale = models.CharField(max_length=500)
    rank = models.PositiveSmallIntegerField(default=1)
    # How strongly the playbook recommends it (orders the list; 0-1).
    strength = models.FloatField(default=0)
    status = models.CharField(
        max_length=10, choices=NextActionStatus.choices, default=NextActionStatus.OPEN, db_index=True
    )
    dismiss_reason = models.CharField(max_length=300, blank=True)
    follow_up = models.ForeignKey("leads.FollowUp", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["customer", "rank", "id"]
        indexes = [models.Index(fields=["customer", "status"]), models.Index(fields=["code", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "code"], condition=Q(status="open"), name="one_open_action_per_code"
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismiss_reason=""), name="dismissed_action_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} for customer {self.customer_id} ({self.status})"


class StageRules(models.Model):
    """One row per tenant: the thresholds that place customers in lifecycle stages.

    Evaluated in this order (the first that applies wins): churned (status churned), at risk (any
    risk signal), new (tenure below ``new_days``), loyal (tenure and renewals), otherwise active.
    See docs/lifecycle_stages.md; lifecycle/stages/rules.py applies them.
    """

    new_days = models.PositiveSmallIntegerField(
        default=30, help_text="A customer is new for this many days after signing up."
    )
    loyal_days = models.PositiveSmallIntegerField(default=365, help_text="Tenure (days) before loyalty.")
    loyal_renewals = models.PositiveSmallIntegerField(default=1, help_text="Renewals needed to be loyal.")
    risk_threshold = models.FloatField(default=0.5, help_text="At risk from this predicted churn risk (0-1).")
    payment_failures = models.PositiveSmallIntegerField(
        default=1, help_text="At risk with this many failed payments within the window (0 = ignore)."
    )
    payment_window_days = models.PositiveSmallIntegerField(default=60)
    urgent_tickets = models.PositiveSmallIntegerField(
        default=1, help_text="At risk with this many urgent support tickets within the window (0 = ignore)."
    )
    ticket_window_days = models.PositiveSmallIntegerField(default=30)
    inactive_days = models.PositiveSmallIntegerField(
        default=30, help_text="At risk after this many days without a login or usage (0 = ignore)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "stage rules"
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_threshold__gt=0) & Q(risk_threshold__lte=1),
                name="stage_risk_threshold_0_1",
                violation_error_message="The churn risk threshold is a probability above 0 and at most 1.",
            ),
            models.CheckConstraint(
                condition=Q(loyal_days__gt=models.F("new_days")),
                name="stage_loyal_after_new",
                violation_error_message="Loyalty must start after the new period: give more days for loyal than new.",
            ),
        ]

    def __str__(self) -> str:
        return f"new<{self.new_days}d loyal>={self.loyal_days}d/{self.loyal_renewals} risk>={self.risk_threshold}"
