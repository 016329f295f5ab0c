"""Follow-ups: a lead's (/api/v1/leads/<id>/follow-ups/) and one's own (/api/v1/follow-ups/)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import TenantAPIView
from crm_saas.roles import Capability
from leads import selectors, services
from leads.api.serializers import OwnerOutput
from leads.models import FollowUp, FollowUpKind, Lead
from tenants.accounts.models import User

READ_WRITE = {"GET": Capability.RECORDS_READ, "POST": Capability.RECORDS_WRITE}


class FollowUpLeadOutput(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Lead
        fields = ["id", "display_name", "company", "status"]


class FollowUpCustomerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    company = serializers.CharField()


class FollowUpOutput(serializers.ModelSerializer):
    lead = FollowUpLeadOutput(allow_null=True, help_text="The lead, for a lead's follow-up.")
    customer = FollowUpCustomerOutput(allow_null=True, help_text="The customer, for a customer's follow-up.")
    assignee = OwnerOutput(allow_null=True)
    created_by = OwnerOutput(allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "lead",
            "customer",
            "kind",
            "title",
            "due_at",
            "done_at",
            "is_overdue",
            "assignee",
            "created_by",
            "created_at",
        ]


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 moment that names its time zone: "15:00" alone would silently mean 15:00 UTC."""

    default_error_messages = {"naive": "Give the time zone too, e.g. 2026-03-10T15:00:00+01:00 or ...T14:00:00Z."}

    def to_internal_value(self, value: object) -> datetime:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:  # well formed but impossible, e.g. minute 99 or 30 February
                self.fail("invalid", format="ISO 8601 with a time zone, e.g. 2026-03-10T15:00:00+01:00")
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        return super().to_internal_value(value)


class FollowUpInput(serializers.Serializer):
    due_at = AwareDateTimeField(help_text="ISO 8601 with a time zone, e.g. 2026-03-10T15:00:00+01:00.")
    kind = serializers.ChoiceField(choices=FollowUpKind.choices, required=False, default=FollowUpKind.FOLLOW_UP)
    title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text='Default: e.g. "Call Ada Lovelace".'
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text="User id; default: the lead's owner, or you. Reps can only assign themselves.",
    )


class FollowUpFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=selectors.FOLLOW_UP_STATUSES, required=False, default="open")
    assignee = serializers.ChoiceField(
        choices=["me", "all"],
        required=False,
        default="me",
        help_text="'all': everyone's follow-ups (roles that read all records).",
    )


class LeadFollowUpListView(TenantAPIView):
    required_capabilities = READ_WRITE

    @extend_schema(responses=FollowUpOutput(many=True), tags=["follow-ups"])
    def get(self, request: Request, lead_id: int) -> Response:
        """The lead's follow-ups: open ones by due time, then done ones."""
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        return self.paginated_response(selectors.lead_follow_ups(lead), FollowUpOutput)

    @extend_schema(request=FollowUpInput, responses={201: FollowUpOutput}, tags=["follow-ups"])
    def post(self, request: Request, lead_id: int) -> Response:
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = FollowUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = services.follow_up_schedule(lead=lead, actor=request.user, **data.validated_data)
        return Response(FollowUpOutput(follow_up).data, status=status.HTTP_201_CREATED)


class FollowUpListView(TenantAPIView):
    required_capability = Capability.RECORDS_READ

    @extend_schema(parameters=[FollowUpFilterInput], responses=FollowUpOutput(many=True), tags=["follow-ups"])
    def get(self, request: Request) -> Response:
        """Your follow-ups, open ones by due time unless ``status`` says otherwise."""
        query = FollowUpFilterInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        follow_ups = selectors.follow_ups_for_user(
            user=request.user,
            status=query.validated_data["status"],
            everyone=query.validated_data["assignee"] == "all",
        )
        return self.paginated_response(follow_ups, FollowUpOutput)


class FollowUpCompleteView(TenantAPIView):
    required_capability = Capability.RECORDS_WRITE

    @extend_schema(request=None, responses=FollowUpOutput, tags=["follow-ups"])
    def post(self, request: Request, follow_up_id: int) -> Response:
        """Mark done (again: no change)."""
        follow_up = selectors.follow_up_get_for_user(user=request.user, follow_up_id=follow_up_id)
        follow_up = services.follow_up_complete(follow_up=follow_up, actor=request.user)
        return Response(FollowUpOutput(follow_up).data)


class FollowUpReopenView(TenantAPIView):
    required_capability = Capability.RECORDS_WRITE

    @extend_schema(request=None, responses=FollowUpOutput, tags=["follow-ups"])
    def post(self, request: Request, follow_up_id: int) -> Response:
        follow_up = selectors.follow_up_get_for_user(user=request.user, follow_up_id=follow_up_id)
        follow_up = services.follow_up_reopen(follow_up=follow_up, actor=request.user)
        return Response(FollowUpOutput(follow_up).data)
