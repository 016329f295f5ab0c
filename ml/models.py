"""Trained model versions of a tenant, with what they were trained on and how good they are."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ModelKind(models.TextChoices):
    LEAD_SCORING = "lead_scoring", "Lead scoring"
    CHURN = "churn", "Churn"
    TEXT_PRIORITY = "text_priority", "Text priority"


class ModelVersion(models.Model):
    kind = models.CharField(max_length=20, choices=ModelKind.choices)
    version = models.PositiveIntegerField()
    algorithm = models.CharField(max_length=40)
    is_active = models.BooleanField(default=False)
    # The pickled ml.training.TrainedModel, in the object store under the tenant's prefix.
    object_key = models.CharField(max_length=300)
    # HMAC of the stored bytes: a model is only unpickled if the product itself wrote it.
    artifact_hmac = models.CharField(max_length=64)
    metrics = models.JSONField(default=dict)
    candidates = models.JSONField(default=list)
    excluded_columns = models.JSONField(default=list)
    overridden_columns = models.JSONField(default=list)
    feature_importance = models.JSONField(default=list)
    data_summary = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="model_version_unique_per_kind"),
            models.UniqueConstraint(fields=["kind"], condition=Q(is_active=True), name="one_active_model_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} ({self.algorithm})"

    @property
    def algorithm_label(self) -> str:
        return self.algorithm.replace("_", " ").capitalize()


class ColumnOverride(models.Model):
    """An admin's decision to keep a column the leakage guard would exclude."""

    kind = models.CharField(max_length=20, choices=ModelKind.choices)
    column = models.CharField(max_length=100)
    reason = models.CharField(max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "column"], name="column_override_unique")]

    def __str__(self) -> str:
        return f"keep {self.column} for {self.kind}"
