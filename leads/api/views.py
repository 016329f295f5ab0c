from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.input_fields import CopiedFieldsInput
from crm_saas.api.views import TenantAPIView
from crm_saas.jobs.api.serializers import JobOutput
from crm_saas.roles import Capability
from leads import selectors, services
from leads.api.serializers import (
    ActivityInput,
    ActivityOutput,
    ImportPreviewOutput,
    LeadImportInput,
    LeadInput,
    LeadOutput,
)
from leads.imports.service import lead_import_preview, lead_import_start, lead_import_store
from leads.models import LeadStatus, Priority

READ_WRITE = {
    "GET": Capability.RECORDS_READ,
    "POST": Capability.RECORDS_WRITE,
    "PATCH": Capability.RECORDS_WRITE,
    "DELETE": Capability.RECORDS_WRITE,
}


class LeadFilterInput(CopiedFieldsInput, serializers.Serializer):
    status = serializers.ChoiceField(choices=LeadStatus.choices, required=False)
    band = serializers.ChoiceField(choices=["A", "B", "C", "D"], required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, help_text="high, medium or low.")
    owner = serializers.CharField(required=False, help_text="User id, or 'me'.")
    source = serializers.CharField(required=False, max_length=100)
    external_id = serializers.CharField(required=False, max_length=100)
    search = serializers.CharField(required=False, max_length=100, help_text="Part of name, company, e-mail, phone.")
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)
    ordering = serializers.ChoiceField(
        choices=list(selectors.ORDERINGS),
        required=False,
        default="-created_at",
        help_text="-score puts the hottest leads first.",
    )

    def validate_owner(self, value: str) -> str:
        if value != "me" and not value.isdigit():
            raise serializers.ValidationError("Use a user id or 'me'.")
        return value


class LeadListView(TenantAPIView):
    required_capabilities = READ_WRITE

    @extend_schema(parameters=[LeadFilterInput], responses=LeadOutput(many=True), tags=["leads"])
    def get(self, request: Request) -> Response:
        query = LeadFilterInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = dict(query.validated_data)
        owner = values.pop("owner", None)
        filters = selectors.LeadFilters(
            owner_id=request.user.pk if owner == "me" else (int(owner) if owner else None), **values
        )
        return self.paginated_response(selectors.lead_list_for_user(user=request.user, filters=filters), LeadOutput)

    @extend_schema(request=LeadInput, responses={201: LeadOutput}, tags=["leads"])
    def post(self, request: Request) -> Response:
        data = LeadInput(data=request.data)
        data.is_valid(raise_exception=True)
        lead = services.lead_create(actor=request.user, data=dict(data.validated_data))
        return Response(LeadOutput(lead).data, status=status.HTTP_201_CREATED)


class LeadDetailView(TenantAPIView):
    required_capabilities = READ_WRITE

    @extend_schema(responses=LeadOutput, tags=["leads"])
    def get(self, request: Request, lead_id: int) -> Response:
        return Response(LeadOutput(selectors.lead_get_for_user(user=request.user, lead_id=lead_id)).data)

    @extend_schema(request=LeadInput, responses=LeadOutput, tags=["leads"])
    def patch(self, request: Request, lead_id: int) -> Response:
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = LeadInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        lead = services.lead_update(lead=lead, actor=request.user, data=dict(data.validated_data))
        return Response(LeadOutput(lead).data)

    @extend_schema(responses={204: None}, tags=["leads"])
    def delete(self, request: Request, lead_id: int) -> Response:
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        services.lead_delete(lead=lead, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LeadActivityView(TenantAPIView):
    required_capabilities = {"GET": Capability.RECORDS_READ, "POST": Capability.RECORDS_WRITE}

    @extend_schema(responses=ActivityOutput(many=True), tags=["leads"])
    def get(self, request: Request, lead_id: int) -> Response:
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        return self.paginated_response(lead.activities.all(), ActivityOutput)

    @extend_schema(request=ActivityInput, responses={201: ActivityOutput}, tags=["leads"])
    def post(self, request: Request, lead_id: int) -> Response:
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = ActivityInput(data=request.data)
        data.is_valid(raise_exception=True)
        activity = services.activity_record(lead=lead, **data.validated_data)
        return Response(ActivityOutput(activity).data, status=status.HTTP_201_CREATED)


def _import_options(data: dict) -> dict:
    return {
        "mapping": data.get("mapping") or None,
        "outcome_column": data.get("outcome_column") or None,
        "external_id_column": data.get("external_id_column") or None,
    }


class LeadImportView(TenantAPIView):
    required_capability = Capability.RECORDS_WRITE_ALL
    parser_classes = [MultiPartParser]

    @extend_schema(request=LeadImportInput, responses={202: JobOutput}, tags=["leads"])
    def post(self, request: Request) -> Response:
        """Import leads from a CSV as a background job; poll the returned job for the row report."""
        data = LeadImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = lead_import_start(
            actor=request.user, upload=data.validated_data["file"], **_import_options(data.validated_data)
        )
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class LeadImportPreviewView(TenantAPIView):
    required_capability = Capability.RECORDS_WRITE_ALL
    parser_classes = [MultiPartParser]

    @extend_schema(request=LeadImportInput, responses=ImportPreviewOutput, tags=["leads"])
    def post(self, request: Request) -> Response:
        """How each column would be used and which sample rows would fail; nothing is written."""
        data = LeadImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        key, _ = lead_import_store(upload=data.validated_data["file"])
        try:
            preview = lead_import_preview(key=key, **_import_options(data.validated_data))
        finally:
            from crm_saas.storage import get_object_store

            get_object_store().delete(key)
        return Response(ImportPreviewOutput(preview).data)
