from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import TenantAPIView
from crm_saas.jobs.api.serializers import JobOutput
from crm_saas.roles import Capability
from lifecycle import selectors, services
from lifecycle.api.serializers import (
    CustomerFilterInput,
    CustomerImportInput,
    CustomerInput,
    CustomerOutput,
    EventFilterInput,
    EventImportInput,
    EventInput,
    EventOutput,
    StageChangeOutput,
    StageRulesIO,
    TimelinePageOutput,
)
from lifecycle.imports.service import customer_event_import_start, customer_import_start
from lifecycle.stages.service import stage_rules, stage_rules_update

READ_WRITE = {"GET": Capability.RECORDS_READ, "POST": Capability.RECORDS_WRITE, "PATCH": Capability.RECORDS_WRITE}


class CustomerListView(TenantAPIView):
    required_capabilities = READ_WRITE

    @extend_schema(parameters=[CustomerFilterInput], responses=CustomerOutput(many=True), tags=["customers"])
    def get(self, request: Request) -> Response:
        query = CustomerFilterInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = dict(query.validated_data)
        owner = values.pop("owner", None)
        filters = selectors.CustomerFilters(
            owner_id=request.user.pk if owner == "me" else (int(owner) if owner else None), **values
        )
        customers = selectors.customer_list_for_user(user=request.user, filters=filters)
        return self.paginated_response(customers, CustomerOutput)

    @extend_schema(request=CustomerInput, responses={201: CustomerOutput}, tags=["customers"])
    def post(self, request: Request) -> Response:
        data = CustomerInput(data=request.data)
        data.is_valid(raise_exception=True)
        customer = services.customer_create(actor=request.user, data=dict(data.validated_data))
        return Response(CustomerOutput(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailView(TenantAPIView):
    required_capabilities = READ_WRITE

    @extend_schema(responses=CustomerOutput, tags=["customers"])
    def get(self, request: Request, customer_id: int) -> Response:
        customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
        return Response(CustomerOutput(customer).data)

    @extend_schema(request=CustomerInput, responses=CustomerOutput, tags=["customers"])
    def patch(self, request: Request, customer_id: int) -> Response:
        customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
        data = CustomerInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        customer = services.customer_update(customer=customer, actor=request.user, data=dict(data.validated_data))
        return Response(CustomerOutput(customer).data)


class CustomerEventListView(TenantAPIView):
    required_capabilities = {"GET": Capability.RECORDS_READ, "POST": Capability.RECORDS_WRITE}

    @extend_schema(parameters=[EventFilterInput], responses=EventOutput(many=True), tags=["customers"])
    def get(self, request: Request, customer_id: int) -> Response:
        customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
        query = EventFilterInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        events = selectors.customer_events(customer, kind=query.validated_data.get("kind"))
        return self.paginated_response(events, EventOutput)

    @extend_schema(request=EventInput, responses={201: EventOutput}, tags=["customers"])
    def post(self, request: Request, customer_id: int) -> Response:
        """Record an event; a cancellation churns the customer, a reactivation makes it active again."""
        customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
        data = EventInput(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.lifecycle_event_add(customer=customer, **data.validated_data)
        return Response(EventOutput(event).data, status=status.HTTP_201_CREATED)


class CustomerTimelineView(TenantAPIView):
    required_capability = Capability.RECORDS_READ

    @extend_schema(responses=TimelinePageOutput, tags=["customers"])
    def get(self, request: Request, customer_id: int) -> Response:
        """The customer's events, newest first (paginated), with its milestones (oldest first)."""
        customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
        response = self.paginated_response(selectors.customer_events(customer), EventOutput)
        response.data["milestones"] = EventOutput(selectors.customer_milestones(customer), many=True).data
        return response


class CustomerStageHistoryView(TenantAPIView):
    required_capability = Capability.RECORDS_READ

    @extend_schema(responses=StageChangeOutput(many=True), tags=["customers"])
    def get(self, request: Request, customer_id: int) -> Response:
        """The customer's stage history, newest first: each stage it entered, when and why."""
        customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
        return self.paginated_response(selectors.customer_stage_history(customer), StageChangeOutput)


class StageRulesView(TenantAPIView):
    """Everyone who reads customers may read the rules behind their stages; admins change them."""

    required_capabilities = {
        "GET": Capability.RECORDS_READ,
        "PUT": Capability.SETTINGS_MANAGE,
        "PATCH": Capability.SETTINGS_MANAGE,
    }

    @extend_schema(responses=StageRulesIO, tags=["customers"])
    def get(self, request: Request) -> Response:
        return Response(StageRulesIO(stage_rules()).data)

    @extend_schema(request=StageRulesIO, responses=StageRulesIO, tags=["customers"])
    def put(self, request: Request) -> Response:
        """Replace the rules (every field); all customers' stages are recomputed in the background."""
        return self._update(request, partial=False)

    @extend_schema(request=StageRulesIO(partial=True), responses=StageRulesIO, tags=["customers"])
    def patch(self, request: Request) -> Response:
        """Change some rules; all customers' stages are recomputed in the background."""
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        data = StageRulesIO(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return Response(StageRulesIO(stage_rules_update(data=dict(data.validated_data))).data)


def _import_options(data: dict) -> dict:
    return {
        "mapping": data.get("mapping") or None,
        "outcome_column": data.get("outcome_column") or None,
        "external_id_column": data.get("external_id_column") or None,
    }


class CustomerImportView(TenantAPIView):
    required_capability = Capability.RECORDS_WRITE_ALL
    parser_classes = [MultiPartParser]

    @extend_schema(request=CustomerImportInput, responses={202: JobOutput}, tags=["customers"])
    def post(self, request: Request) -> Response:
        """Import customers from a CSV as a background job; poll the returned job for the row report."""
        data = CustomerImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = customer_import_start(
            actor=request.user, upload=data.validated_data["file"], **_import_options(data.validated_data)
        )
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class CustomerEventImportView(TenantAPIView):
    required_capability = Capability.RECORDS_WRITE_ALL
    parser_classes = [MultiPartParser]

    @extend_schema(request=EventImportInput, responses={202: JobOutput}, tags=["customers"])
    def post(self, request: Request) -> Response:
        """Import lifecycle events (one per row, for customers named by external id) as a background job."""
        data = EventImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = customer_event_import_start(
            actor=request.user, upload=data.validated_data["file"], **_import_options(data.validated_data)
        )
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)
