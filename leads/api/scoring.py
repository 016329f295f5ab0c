"""Scoring endpoints. Paths are part of the public contract; integrations depend on them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.api.compiled_output import CompiledOutput
from crm_saas.api.views import TenantAPIView
from crm_saas.jobs.api.serializers import JobOutput
from crm_saas.roles import Capability
from leads import selectors
from leads.scoring import reasons, service
from ml import services as ml_services
from ml.models import ModelKind, ModelVersion


class FactorOutput(CompiledOutput, serializers.Serializer):
    label = serializers.CharField()
    points = serializers.FloatField(help_text="Score points this reason adds (negative: takes away).")
    source = serializers.ChoiceField(choices=["model", "rule"])


class ScoreHistoryOutput(CompiledOutput, serializers.Serializer):
    score = serializers.IntegerField(allow_null=True, help_text="0-100")
    band = serializers.CharField()
    probability = serializers.FloatField(allow_null=True)
    model_version = serializers.IntegerField(allow_null=True)
    scored_at = serializers.DateTimeField(allow_null=True)


class ScoreOutput(CompiledOutput, serializers.Serializer):
    # Rendered from a plan built once (crm_saas/api/compiled_output.py), as lead lists are.
    score = serializers.IntegerField(allow_null=True, help_text="0-100")
    probability = serializers.FloatField(allow_null=True, help_text="Calibrated probability of converting.")
    band = serializers.CharField(help_text="A hot, B warm, C cool, D cold.")
    factors = FactorOutput(many=True)
    factors_for = FactorOutput(many=True)
    factors_against = FactorOutput(many=True)
    model_version = serializers.IntegerField(allow_null=True)
    scored_at = serializers.DateTimeField(allow_null=True)
    history = ScoreHistoryOutput(many=True, help_text="Newest first, at most 50.")


class LeadScoreView(TenantAPIView):
    required_capability = Capability.RECORDS_READ

    @extend_schema(responses=ScoreOutput, tags=["scoring"])
    def get(self, request: Request, lead_id: int) -> Response:
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        entries = list(selectors.lead_score_history(lead)[:50])
        latest = reasons.lead_score_latest(lead, history=entries)
        if not entries:  # scored just now
            entries = [latest]
        factors = latest.factors
        history = [
            {
                "score": entry.score,
                "band": entry.band,
                "probability": entry.probability,
                "model_version": entry.model_version.version if entry.model_version else None,
                "scored_at": entry.scored_at,
            }
            for entry in entries
        ]
        body = {
            "score": latest.score,
            "probability": latest.probability,
            "band": latest.band,
            "factors": factors,
            "factors_for": [f for f in factors if f["points"] > 0][: service.TOP_FACTORS],
            "factors_against": [f for f in factors if f["points"] < 0][: service.TOP_FACTORS],
            "model_version": latest.model_version.version if latest.model_version else None,
            "scored_at": latest.scored_at,
            "history": history,
        }
        return Response(ScoreOutput(body).data)


class TrainModelView(TenantAPIView):
    required_capability = Capability.MODELS_TRAIN

    @extend_schema(request=None, responses={202: JobOutput}, tags=["scoring"])
    def post(self, request: Request) -> Response:
        """Train a new lead-scoring model on this tenant's closed leads (a background job)."""
        job = service.lead_model_train_start(actor=request.user)
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ModelVersionOutput(serializers.ModelSerializer):
    class Meta:
        model = ModelVersion
        fields = [
            "version",
            "algorithm",
            "is_active",
            "created_at",
            "activated_at",
            "metrics",
            "candidates",
            "excluded_columns",
            "overridden_columns",
            "feature_importance",
            "data_summary",
        ]


class ModelAnalyticsOutput(serializers.Serializer):
    active = ModelVersionOutput(allow_null=True)
    scoring = serializers.CharField(help_text="'model' when a model is active, else 'rules'.")
    versions = serializers.ListField(child=serializers.DictField())
    score_distribution = serializers.ListField(child=serializers.DictField())


class LeadScoringModelView(TenantAPIView):
    required_capability = Capability.ANALYTICS_READ

    @extend_schema(responses=ModelAnalyticsOutput, tags=["scoring"])
    def get(self, request: Request) -> Response:
        active = ml_services.model_version_active(kind=ModelKind.LEAD_SCORING)
        versions = [
            {
                "version": v.version,
                "algorithm": v.algorithm,
                "is_active": v.is_active,
                "created_at": v.created_at,
                "auc": v.metrics.get("auc"),
                "brier": v.metrics.get("brier"),
            }
            for v in ModelVersion.objects.filter(kind=ModelKind.LEAD_SCORING)
        ]
        body = {
            "active": active,
            "scoring": "model" if active else "rules",
            "versions": versions,
            "score_distribution": selectors.score_distribution(),
        }
        return Response(ModelAnalyticsOutput(body).data)
