"""The lead-scoring model page: quality, charts, exclusions, versions, training."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from crm_saas.errors import DomainError
from crm_saas.roles import Capability
from crm_saas.web import capability_required
from leads import selectors
from leads.scoring import service
from ml import services as ml_services
from ml.models import ColumnOverride, ModelKind, ModelVersion

KIND = ModelKind.LEAD_SCORING


def _bars(rows: list[dict], value_key: str, *, scale: float | None = None) -> list[dict]:
    top = scale or max((abs(float(row[value_key] or 0)) for row in rows), default=1.0) or 1.0
    return [{**row, "width": round(100 * abs(float(row[value_key] or 0)) / top, 1)} for row in rows]


@capability_required(Capability.ANALYTICS_READ)
def model_page(request: HttpRequest) -> HttpResponse:
    active = ml_services.model_version_active(kind=KIND)
    context: dict[str, object] = {
        "active": active,
        "versions": ModelVersion.objects.filter(kind=KIND),
        "kept": set(ColumnOverride.objects.filter(kind=KIND).values_list("column", flat=True)),
        "distribution": _bars(selectors.score_distribution(), "leads"),
        "can_train": request.user.has_capability(Capability.MODELS_TRAIN),
        "can_manage": request.user.has_capability(Capability.MODELS_MANAGE),
        "can_edit_rules": request.user.has_capability(Capability.SETTINGS_MANAGE),
        "train_job_id": request.GET.get("job", ""),
    }
    if active:
        metrics = active.metrics
        context.update(
            {
                "importance": _bars(active.feature_importance[:15], "importance"),
                "lift": _bars(metrics.get("lift_by_decile", []), "lift"),
                "by_range": _bars(metrics.get("conversion_by_score_range", []), "conversion_rate", scale=1.0),
                "calibration": [
                    {
                        "x": round(10 + 280 * point["predicted"], 1),
                        "y": round(290 - 280 * point["observed"], 1),
                        **point,
                    }
                    for point in metrics.get("calibration_curve", [])
                ],
            }
        )
    return render(request, "leads/model.html", context)


@capability_required(Capability.MODELS_TRAIN)
@require_POST
def model_train(request: HttpRequest) -> HttpResponse:
    try:
        job = service.lead_model_train_start(actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("leads:model")
    messages.info(request, "Training started. Leads are rescored when it finishes.")
    return redirect(f"{reverse('leads:model')}?job={job.id}")


@capability_required(Capability.MODELS_MANAGE)
@require_POST
def model_rollback(request: HttpRequest) -> HttpResponse:
    try:
        version = ml_services.model_version_rollback(kind=KIND)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        service.leads_rescore_open(version=version)
        messages.success(request, f"Version {version.version} is active again; open leads were rescored.")
    return redirect("leads:model")


@capability_required(Capability.MODELS_MANAGE)
@require_POST
def column_keep(request: HttpRequest) -> HttpResponse:
    column = request.POST.get("column", "")[:100]
    keep = request.POST.get("keep") == "1"
    if column:
        ml_services.column_override_set(kind=KIND, column=column, keep=keep, actor=request.user)
        verb = "will be used" if keep else "will be excluded again"
        messages.success(request, f"'{column}' {verb} from the next training.")
    return redirect("leads:model")
