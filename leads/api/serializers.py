from __future__ import annotations

from rest_framework import serializers

from crm_saas.api.compiled_output import CompiledOutput
from crm_saas.api.input_fields import CopiedFieldsInput
from leads.models import ActivityKind, Lead, LeadActivity, LeadStatus
from tenants.accounts.models import User


class OwnerOutput(CompiledOutput, serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class LeadPriorityReasonOutput(CompiledOutput, serializers.Serializer):
    text = serializers.CharField()
    points = serializers.FloatField()
    source = serializers.CharField(help_text="score, signal, model, language or block.")
    key = serializers.CharField()
    message_id = serializers.IntegerField(allow_null=True)


class LeadOutput(CompiledOutput, serializers.ModelSerializer):
    # Rendered from a plan built once (crm_saas/api/compiled_output.py): lists of leads are the
    # API's busiest responses.
    owner = OwnerOutput(allow_null=True)
    priority_reasons = LeadPriorityReasonOutput(many=True, read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "external_id",
            "name",
            "company",
            "email",
            "phone",
            "title",
            "industry",
            "company_size",
            "country",
            "city",
            "source",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "platform",
            "referred",
            "status",
            "owner",
            "attributes",
            "score",
            "band",
            "probability",
            "scored_at",
            "priority",
            "priority_value",
            "priority_reasons",
            "priority_at",
            "created_at",
            "updated_at",
            "converted_at",
            "lost_at",
        ]


class LeadInput(CopiedFieldsInput, serializers.Serializer):
    """Every field is optional on update (PATCH); on create, give at least a name, company or e-mail."""

    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    company_size = serializers.CharField(max_length=50, required=False, allow_blank=True)
    country = serializers.CharField(max_length=100, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    source = serializers.CharField(max_length=100, required=False, allow_blank=True)
    utm_source = serializers.CharField(max_length=100, required=False, allow_blank=True)
    utm_medium = serializers.CharField(max_length=100, required=False, allow_blank=True)
    utm_campaign = serializers.CharField(max_length=200, required=False, allow_blank=True)
    platform = serializers.CharField(max_length=100, required=False, allow_blank=True)
    referred = serializers.BooleanField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=LeadStatus.choices, required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, help_text="User id of the owner."
    )
    attributes = serializers.DictField(
        required=False, help_text="Custom attributes, name -> number, yes/no or text; new names become fields."
    )


class ActivityInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    occurred_at = serializers.DateTimeField(required=False)
    quantity = serializers.FloatField(required=False, default=1, min_value=0)
    metadata = serializers.DictField(required=False)


class ActivityOutput(serializers.ModelSerializer):
    class Meta:
        model = LeadActivity
        fields = ["id", "kind", "occurred_at", "quantity", "metadata"]


class LeadImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with a header row (comma, semicolon or tab separated).")
    outcome_column = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Column holding the outcome: 1/0, yes/no, true/false, converted/lost.",
    )
    external_id_column = serializers.CharField(
        required=False, allow_blank=True, help_text="Column holding your own id; re-imports update those leads."
    )
    mapping = serializers.JSONField(
        required=False, help_text='JSON object of CSV column -> lead field (or "ignore"), e.g. {"Org": "company"}.'
    )

    def validate_mapping(self, value: object) -> dict[str, str]:
        if isinstance(value, str):
            import json

            try:
                value = json.loads(value)
            except ValueError as exc:
                raise serializers.ValidationError("Not valid JSON.") from exc
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise serializers.ValidationError("Use an object of column name -> lead field name.")
        return value


class ImportColumnOutput(serializers.Serializer):
    source = serializers.CharField()
    use = serializers.ChoiceField(choices=["field", "attribute", "outcome", "external_id", "ignore"])
    target = serializers.CharField()
    type = serializers.CharField()
    missing_share = serializers.FloatField()
    examples = serializers.ListField(child=serializers.CharField())


class ImportPreviewOutput(serializers.Serializer):
    columns = ImportColumnOutput(many=True)
    sample_rows = serializers.IntegerField()
    sample_errors = serializers.ListField(child=serializers.DictField())
