"""Storing, loading, activating and rolling back model versions (any kind of model)."""

from __future__ import annotations

import hashlib
import hmac
import io
from functools import lru_cache

import joblib
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from crm_saas.errors import DomainError, NotFoundError
from crm_saas.integrations.events import webhook_event_emit
from crm_saas.integrations.payloads import model_version_payload
from crm_saas.storage import get_object_store, tenant_object_key
from ml.models import ColumnOverride, ModelVersion
from ml.training import TrainedModel, TrainingResult
from tenants.accounts.models import User


def _artifact_hmac(data: bytes) -> str:
    key = hashlib.sha256(f"crm_saas model artifacts:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def model_version_save(*, kind: str, result: TrainingResult, actor: User | None, activate: bool = True) -> ModelVersion:
    """Store a trained model as the next version of ``kind`` (and make it the active one)."""
    buffer = io.BytesIO()
    joblib.dump(result.model, buffer, compress=3)
    with transaction.atomic():
        number = (
            ModelVersion.objects.select_for_update().filter(kind=kind).aggregate(top=Max("version"))["top"] or 0
        ) + 1
        key = tenant_object_key("models", kind, f"v{number}.joblib")
        data = buffer.getvalue()
        get_object_store().put(key, data)
        version = ModelVersion.objects.create(
            artifact_hmac=_artifact_hmac(data),
            kind=kind,
            version=number,
            algorithm=result.model.algorithm,
            object_key=key,
            metrics=result.metrics,
            candidates=result.candidates,
            excluded_columns=[finding.to_dict() for finding in result.excluded],
            overridden_columns=[finding.to_dict() for finding in result.overridden],
            feature_importance=result.feature_importance,
            data_summary=result.summary,
            created_by=actor,
        )
        if activate:
            model_version_activate(version=version)
        webhook_event_emit("model.trained", {"model": model_version_payload(version)})
    return version


def model_version_activate(*, version: ModelVersion) -> ModelVersion:
    with transaction.atomic():
        ModelVersion.objects.filter(kind=version.kind, is_active=True).exclude(pk=version.pk).update(is_active=False)
        version.is_active = True
        version.activated_at = timezone.now()
        version.save(update_fields=["is_active", "activated_at"])
    return version


def model_version_rollback(*, kind: str) -> ModelVersion:
    """Activate the version before the active one."""
    active = ModelVersion.objects.filter(kind=kind, is_active=True).first()
    if active is None:
        raise DomainError("There is no active model to roll back from.")
    previous = ModelVersion.objects.filter(kind=kind, version__lt=active.version).order_by("-version").first()
    if previous is None:
        raise DomainError(f"Version {active.version} is the first one; there is nothing to roll back to.")
    return model_version_activate(version=previous)


def model_version_active(*, kind: str) -> ModelVersion | None:
    return ModelVersion.objects.filter(kind=kind, is_active=True).first()


def model_version_get(*, kind: str, number: int) -> ModelVersion:
    try:
        return ModelVersion.objects.get(kind=kind, version=number)
    except ModelVersion.DoesNotExist as exc:
        raise NotFoundError(f"There is no version {number}.") from exc


def model_load(version: ModelVersion) -> TrainedModel:
    """The trained model of a version, cached per process (versions never change once stored)."""
    return _load(connection.schema_name, version.object_key, version.artifact_hmac)


@lru_cache(maxsize=16)
def _load(schema_name: str, object_key: str, expected_hmac: str) -> TrainedModel:
    data = get_object_store().get(object_key)
    if not hmac.compare_digest(_artifact_hmac(data), expected_hmac):
        raise DomainError("The stored model failed its integrity check; retrain the model.")
    return joblib.load(io.BytesIO(data))


def kept_columns(*, kind: str) -> frozenset[str]:
    return frozenset(ColumnOverride.objects.filter(kind=kind).values_list("column", flat=True))


def column_override_set(*, kind: str, column: str, keep: bool, actor: User, reason: str = "") -> None:
    if keep:
        ColumnOverride.objects.update_or_create(kind=kind, column=column, defaults={"set_by": actor, "reason": reason})
    else:
        ColumnOverride.objects.filter(kind=kind, column=column).delete()
