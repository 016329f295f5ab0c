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
    # Computed by the lifecycle stage rules (a later step); null until then.
    stage = models.CharField(max_length=10, choices=Stage.choices, null=True, blank=True, db_index=True)
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
