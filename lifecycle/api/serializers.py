from __future__ import annotations

import json

from rest_framework import serializers

from lifecycle.models import (
    Customer,
    CustomerStatus,
    EventKind,
    LifecycleEvent,
    Severity,
    Stage,
    StageChange,
    StageRules,
)
from lifecycle.selectors import ORDERINGS
from tenants.accounts.models import User


class CustomerOwnerOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class CustomerOutput(serializers.ModelSerializer):
    owner = CustomerOwnerOutput(allow_null=True)
    lead = serializers.IntegerField(source="lead_id", allow_null=True, help_text="The lead it came from.")

    class Meta:
        model = Customer
        fields = [
            "id",
            "external_id",
            "name",
            "company",
            "email",
            "phone",
            "plan",
            "mrr",
            "status",
            "stage",
            "stage_reason",
            "stage_since",
            "owner",
            "lead",
            "attributes",
            "signed_up_at",
            "churned_at",
            "last_event_at",
            "created_at",
            "updated_at",
        ]


class CustomerInput(serializers.Serializer):
    """Every field is optional on update (PATCH); on create, give a name, company, e-mail or external id.

    The status is not set directly: record a cancellation or reactivation event."""

    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    plan = serializers.CharField(max_length=100, required=False, allow_blank=True)
    mrr = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    signed_up_at = serializers.DateTimeField(required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, help_text="User id of the owner."
    )
    attributes = serializers.DictField(
        required=False, help_text="Custom attributes, name -> number, yes/no or text; new names become fields."
    )


class CustomerFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=CustomerStatus.choices, required=False)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    owner = serializers.CharField(required=False, help_text="User id, or 'me'.")
    external_id = serializers.CharField(required=False, max_length=100)
    plan = serializers.CharField(required=False, max_length=100)
    search = serializers.CharField(
        required=False, max_length=100, help_text="Part of name, company, e-mail, phone; or an external id."
    )
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False, default="-signed_up_at")

    def validate_owner(self, value: str) -> str:
        if value != "me" and not value.isdigit():
            raise serializers.ValidationError("Use a user id or 'me'.")
        return value


class EventInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices)
    occurred_at = serializers.DateTimeField(required=False, help_text="Defaults to now; never in the future.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
    severity = serializers.ChoiceField(
        choices=Severity.choices, required=False, allow_null=True, help_text="Support tickets only."
    )
    score = serializers.IntegerField(
        min_value=0, max_value=10, required=False, allow_null=True, help_text="NPS answer, 0-10."
    )
    quantity = serializers.FloatField(min_value=0, required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    metadata = serializers.DictField(required=False)


class EventFilterInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices, required=False)


class EventOutput(serializers.ModelSerializer):
    label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = LifecycleEvent
        fields = ["id", "kind", "label", "occurred_at", "amount", "severity", "score", "quantity", "note", "metadata"]


class TimelinePageOutput(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    milestones = EventOutput(
        many=True, help_text="Sign-up, first purchase, plan changes, renewals, churn; oldest first."
    )
    results = EventOutput(many=True, help_text="Every event, newest first (paginated).")


class CustomerImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with a header row (comma, semicolon or tab separated).")
    outcome_column = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Column saying whether the customer churned: yes/no, 1/0, true/false, churned/active.",
    )
    external_id_column = serializers.CharField(
        required=False, allow_blank=True, help_text="Column holding your own customer id; re-imports update them."
    )
    mapping = serializers.JSONField(
        required=False, help_text='JSON object of CSV column -> field (or "ignore"), e.g. {"Org": "company"}.'
    )

    def validate_mapping(self, value: object) -> dict[str, str]:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise serializers.ValidationError("Not valid JSON.") from exc
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise serializers.ValidationError("Use an object of column name -> field name.")
        return value


class EventImportInput(CustomerImportInput):
    external_id_column = serializers.CharField(
        required=False, allow_blank=True, help_text="Column holding the customer's external id."
    )
    outcome_column = serializers.CharField(required=False, allow_blank=True, help_text="Not used for events.")


class StageChangeOutput(serializers.ModelSerializer):
    label = serializers.CharField(source="get_stage_display")

    class Meta:
        model = StageChange
        fields = ["id", "stage", "label", "previous_stage", "reason", "changed_at"]


class StageRulesIO(serializers.ModelSerializer):
    """The tenant's stage rules (docs/lifecycle_stages.md). Changing them recomputes every stage."""

    class Meta:
        model = StageRules
        fields = [
            "new_days",
            "loyal_days",
            "loyal_renewals",
            "risk_threshold",
            "payment_failures",
            "payment_window_days",
            "urgent_tickets",
            "ticket_window_days",
            "inactive_days",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        # PUT replaces the rules, so it names every one of them (PATCH may name a few).
        extra_kwargs = {name: {"required": True} for name in fields if name != "updated_at"}
