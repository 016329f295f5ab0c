from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.views import TenantAPIView
from crm_saas.errors import NotFoundError
from crm_saas.roles import Capability
from leads.models import RuleOperator, ScoringRule, ScoringSettings
from leads.scoring import configuration
from leads.scoring.rules import rules_ensure_defaults
from leads.scoring.service import scoring_settings

READ_OR_MANAGE = {
    "GET": Capability.ANALYTICS_READ,
    "POST": Capability.SETTINGS_MANAGE,
    "PATCH": Capability.SETTINGS_MANAGE,
    "DELETE": Capability.SETTINGS_MANAGE,
}


class RuleOutput(serializers.ModelSerializer):
    class Meta:
        model = ScoringRule
        fields = ["id", "field", "operator", "value", "points", "label", "is_active", "position"]


class RuleInput(serializers.Serializer):
    field = serializers.CharField(max_length=100, help_text="A lead field, a custom attribute key, or 'activity'.")
    operator = serializers.ChoiceField(choices=RuleOperator.choices)
    value = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    points = serializers.IntegerField(min_value=-100, max_value=100)
    label = serializers.CharField(max_length=200)
    is_active = serializers.BooleanField(required=False, default=True)
    position = serializers.IntegerField(required=False, min_value=0, max_value=32767, default=0)


class SettingsIO(serializers.ModelSerializer):
    class Meta:
        model = ScoringSettings
        fields = ["band_a_min", "band_b_min", "band_c_min", "rules_weight", "retrain_every_days"]


def _rule(rule_id: int) -> ScoringRule:
    rule = ScoringRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFoundError("Rule not found.")
    return rule


class RuleListView(TenantAPIView):
    required_capabilities = READ_OR_MANAGE

    @extend_schema(responses=RuleOutput(many=True), tags=["scoring"])
    def get(self, request: Request) -> Response:
        rules_ensure_defaults()
        return self.paginated_response(ScoringRule.objects.all(), RuleOutput)

    @extend_schema(request=RuleInput, responses={201: RuleOutput}, tags=["scoring"])
    def post(self, request: Request) -> Response:
        data = RuleInput(data=request.data)
        data.is_valid(raise_exception=True)
        rule = configuration.scoring_rule_create(data=dict(data.validated_data))
        return Response(RuleOutput(rule).data, status=status.HTTP_201_CREATED)


class RuleDetailView(TenantAPIView):
    required_capabilities = READ_OR_MANAGE

    @extend_schema(responses=RuleOutput, tags=["scoring"])
    def get(self, request: Request, rule_id: int) -> Response:
        return Response(RuleOutput(_rule(rule_id)).data)

    @extend_schema(request=RuleInput(partial=True), responses=RuleOutput, tags=["scoring"])
    def patch(self, request: Request, rule_id: int) -> Response:
        rule = _rule(rule_id)
        data = RuleInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(RuleOutput(configuration.scoring_rule_update(rule=rule, data=dict(data.validated_data))).data)

    @extend_schema(responses={204: None}, tags=["scoring"])
    def delete(self, request: Request, rule_id: int) -> Response:
        configuration.scoring_rule_delete(rule=_rule(rule_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScoringSettingsView(TenantAPIView):
    required_capabilities = READ_OR_MANAGE

    @extend_schema(responses=SettingsIO, tags=["scoring"])
    def get(self, request: Request) -> Response:
        return Response(SettingsIO(scoring_settings()).data)

    @extend_schema(request=SettingsIO(partial=True), responses=SettingsIO, tags=["scoring"])
    def patch(self, request: Request) -> Response:
        data = SettingsIO(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(SettingsIO(configuration.scoring_settings_update(data=dict(data.validated_data))).data)
