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
from leads.scoring import charts, service
from ml import services as ml_services
from ml.models import ColumnOverride, ModelKind, ModelVersion

KIND = ModelKind.LEAD_SCORING


@capability_required(Capability.ANALYTICS_READ)
def model_page(request: HttpRequest) -> HttpResponse:
    active = ml_services.model_version_active(kind=KIND)
    versions = list(ModelVersion.objects.filter(kind=KIND))
    context: dict[str, object] = {
        "active": active,
        "versions": versions,
        "kept": set(ColumnOverride.objects.filter(kind=KIND).values_list("column", flat=True)),
        "distribution": charts.distribution_chart(selectors.score_distribution()),
        "versions_chart": charts.versions_chart(versions),
        "can_train": request.user.has_capability(Capability.MODELS_TRAIN),
        "can_manage": request.user.has_capability(Capability.MODELS_MANAGE),
        "can_edit_rules": request.user.has_capability(Capability.SETTINGS_MANAGE),
        "train_job_id": request.GET.get("job", ""),
    }
    if active:
        metrics = active.metrics
        context.update(
            {
                "importance": charts.importance_chart(active.feature_importance),
                "calibration": charts.calibration_chart(
                    metrics.get("calibration_curve", []), holdout_rows=active.data_summary.get("holdout_rows")
                ),
                "by_range": charts.conversion_by_range_chart(
                    metrics.get("conversion_by_score_range", []), base_rate=metrics.get("base_rate")
                ),
                "lift": charts.lift_chart(metrics.get("lift_by_decile", [])),
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
