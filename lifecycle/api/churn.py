"""Churn risk, next best actions and the churn model. Paths are part of the public contract."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import TenantAPIView
from crm_saas.errors import NotFoundError
from crm_saas.jobs.api.serializers import JobOutput
from crm_saas.roles import Capability
from leads.api.follow_ups import AwareDateTimeField
from leads.api.scoring import ModelVersionOutput
from lifecycle import selectors
from lifecycle.churn import service
from lifecycle.churn.factors import HIGH_RISK, MEDIUM_RISK
from lifecycle.models import NextAction, NextActionStatus
from lifecycle.next_actions import service as actions
from ml import services as ml_services
from ml.models import ModelKind


class ChurnFactorOutput(serializers.Serializer):
    column = serializers.CharField()
    label = serializers.CharField(help_text="The driver in plain words, e.g. '3 urgent tickets in the last 60 days'.")
    value = serializers.JSONField(allow_null=True)
    contribution = serializers.FloatField(help_text="Share of the risk in probability (0.12 = 12 points).")
    text = serializers.CharField(help_text="Label and contribution, e.g. '... : +0.12'.")


class ChurnPointOutput(serializers.Serializer):
    risk = serializers.FloatField()
    band = serializers.CharField()
    as_of = serializers.DateTimeField()
    model_version = serializers.IntegerField(allow_null=True)


class ChurnOutput(serializers.Serializer):
    risk = serializers.FloatField(allow_null=True, help_text="Calibrated probability of churning within the horizon.")
    band = serializers.CharField(help_text=f"high (>= {HIGH_RISK}), medium (>= {MEDIUM_RISK}), low; blank if unscored.")
    factors = ChurnFactorOutput(many=True)
    base_value = serializers.FloatField(allow_null=True, help_text="The average customer's risk.")
    model_version = serializers.IntegerField(allow_null=True)
    as_of = serializers.DateTimeField(allow_null=True)
    scored_at = serializers.DateTimeField(allow_null=True)
    history = ChurnPointOutput(many=True, help_text="Risk over time, oldest first.")


class CustomerChurnView(TenantAPIView):
    required_capability = Capability.RECORDS_READ

    @extend_schema(responses=ChurnOutput, tags=["churn"])
    def get(self, request: Request, customer_id: int) -> Response:
        """The customer's churn risk, band, drivers and risk history (empty until a model scored it)."""
        customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
        latest = service.customer_churn_latest(customer)
        history = [
            {
                "risk": point.risk,
                "band": point.band,
                "as_of": point.as_of,
                "model_version": point.model_version.version if point.model_version else None,
            }
            for point in service.customer_churn_history(customer)
        ]
        body = {
            "risk": latest.risk if latest else None,
            "band": latest.band if latest else "",
            "factors": latest.factors if latest else [],
            "base_value": latest.base_value if latest else None,
            "model_version": latest.model_version.version if latest and latest.model_version else None,
            "as_of": latest.as_of if latest else None,
            "scored_at": latest.scored_at if latest else None,
            "history": history,
        }
        return Response(ChurnOutput(body).data)


class NextActionOutput(serializers.ModelSerializer):
    follow_up = serializers.IntegerField(
        source="follow_up_id", allow_null=True, help_text="Follow-up created on accept."
    )
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True)

    class Meta:
        model = NextAction
        fields = [
            "id",
            "code",
            "title",
            "rationale",
            "rank",
            "strength",
            "status",
            "dismiss_reason",
            "follow_up",
            "decided_by",
            "decided_at",
            "created_at",
        ]


class NextActionFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[*NextActionStatus.values, "all"], required=False, default=NextActionStatus.OPEN
    )


class NextActionAcceptInput(serializers.Serializer):
    due_at = AwareDateTimeField(required=False, help_text="Default: from the playbook (e.g. tomorrow for a call).")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class NextActionDismissInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, help_text="Why the action does not fit.")


class CustomerNextActionListView(TenantAPIView):
    required_capability = Capability.RECORDS_READ

    @extend_schema(parameters=[NextActionFilterInput], responses=NextActionOutput(many=True), tags=["churn"])
    def get(self, request: Request, customer_id: int) -> Response:
        """The customer's recommended actions (open ones, best first, unless ``status`` says otherwise)."""
        customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
        query = NextActionFilterInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data["status"]
        found = actions.customer_next_actions(customer, status=None if wanted == "all" else wanted)
        return self.paginated_response(found, NextActionOutput)


def _action_for(request: Request, customer_id: int, action_id: int) -> NextAction:
    action = actions.next_action_get_for_user(user=request.user, action_id=action_id)
    if action.customer_id != customer_id:
        raise NotFoundError("Next action not found.")
    return action


class NextActionAcceptView(TenantAPIView):
    required_capability = Capability.RECORDS_WRITE

    @extend_schema(request=NextActionAcceptInput, responses=NextActionOutput, tags=["churn"])
    def post(self, request: Request, customer_id: int, action_id: int) -> Response:
        """Accept: schedules the follow-up (for the customer's owner, or you) and records the decision."""
        action = _action_for(request, customer_id, action_id)
        data = NextActionAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        action = actions.next_action_accept(action=action, actor=request.user, **data.validated_data)
        return Response(NextActionOutput(action).data)


class NextActionDismissView(TenantAPIView):
    required_capability = Capability.RECORDS_WRITE

    @extend_schema(request=NextActionDismissInput, responses=NextActionOutput, tags=["churn"])
    def post(self, request: Request, customer_id: int, action_id: int) -> Response:
        """Dismiss with a reason (required)."""
        action = _action_for(request, customer_id, action_id)
        data = NextActionDismissInput(data=request.data)
        data.is_valid(raise_exception=True)
        action = actions.next_action_dismiss(action=action, actor=request.user, reason=data.validated_data["reason"])
        return Response(NextActionOutput(action).data)


class ChurnTrainModelView(TenantAPIView):
    required_capability = Capability.MODELS_TRAIN

    @extend_schema(request=None, responses={202: JobOutput}, tags=["churn"])
    def post(self, request: Request) -> Response:
        """Train a new churn model on this tenant's customers (a background job); customers are
        rescored and their risk history rebuilt when it finishes."""
        job = service.churn_model_train_start(actor=request.user)
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class AcceptanceRateOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    recommended = serializers.IntegerField()
    accepted = serializers.IntegerField()
    dismissed = serializers.IntegerField()
    expired = serializers.IntegerField()
    open = serializers.IntegerField()
    acceptance_rate = serializers.FloatField(allow_null=True, help_text="Accepted / (accepted + dismissed).")


class ChurnModelAnalyticsOutput(serializers.Serializer):
    active = ModelVersionOutput(allow_null=True)
    versions = serializers.ListField(child=serializers.DictField())
    risk_bands = serializers.DictField(child=serializers.IntegerField(), help_text="Active customers per band.")
    acceptance_rates = AcceptanceRateOutput(many=True)


class ChurnModelAnalyticsView(TenantAPIView):
    required_capability = Capability.ANALYTICS_READ

    @extend_schema(responses=ChurnModelAnalyticsOutput, tags=["churn"])
    def get(self, request: Request) -> Response:
        """The active churn model (metrics, calibration, importance, excluded columns), its
        versions, customers per risk band and next-action acceptance rates per playbook code."""
        body = {
            "active": ml_services.model_version_active(kind=ModelKind.CHURN),
            "versions": service.churn_versions_summary(),
            "risk_bands": service.risk_band_counts(),
            "acceptance_rates": [rate.to_dict() for rate in actions.acceptance_rates()],
        }
        return Response(ChurnModelAnalyticsOutput(body).data)
