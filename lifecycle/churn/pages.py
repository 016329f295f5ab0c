"""The churn model page (quality, charts, versions, acceptance rates, training) and the customer
page's accept / dismiss forms for next best actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from crm_saas.errors import DomainError, NotFoundError
from crm_saas.roles import Capability
from crm_saas.web import capability_required
from leads.scoring import charts
from lifecycle.churn import service
from lifecycle.churn.factors import HIGH_RISK, MEDIUM_RISK
from lifecycle.churn.training import HORIZON_DAYS
from lifecycle.next_actions import service as actions
from ml import services as ml_services
from ml.models import ModelKind, ModelVersion

KIND = ModelKind.CHURN


def _churn_wording(chart: dict) -> dict:
    """The shared model charts speak of leads and conversion; here it is customers and churn."""
    chart["summary"] = chart["summary"].replace("leads", "customer snapshots").replace("conversion", "churn")
    chart["outcome"], chart["unit"] = "churn", "customer snapshots"
    return chart


@capability_required(Capability.ANALYTICS_READ)
def churn_model_page(request: HttpRequest) -> HttpResponse:
    active = ml_services.model_version_active(kind=KIND)
    versions = list(ModelVersion.objects.filter(kind=KIND))
    context: dict[str, object] = {
        "active": active,
        "versions": versions,
        "versions_chart": charts.versions_chart(versions),
        "bands": service.risk_band_counts(),
        "rates": actions.acceptance_rates(),
        "can_train": request.user.has_capability(Capability.MODELS_TRAIN),
        "can_manage": request.user.has_capability(Capability.MODELS_MANAGE),
        "train_job_id": request.GET.get("job", ""),
        "high_risk": HIGH_RISK,
        "medium_risk": MEDIUM_RISK,
        "horizon_days": HORIZON_DAYS,
    }
    if active:
        context.update(
            {
                "importance": charts.importance_chart(active.feature_importance),
                "calibration": _churn_wording(
                    charts.calibration_chart(
                        active.metrics.get("calibration_curve", []),
                        holdout_rows=active.data_summary.get("holdout_rows"),
                    )
                ),
            }
        )
    return render(request, "lifecycle/churn_model.html", context)


@capability_required(Capability.MODELS_TRAIN)
@require_POST
def churn_model_train(request: HttpRequest) -> HttpResponse:
    try:
        job = service.churn_model_train_start(actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("lifecycle:churn_model")
    messages.info(request, "Training started. Customers are rescored when it finishes.")
    return redirect(f"{reverse('lifecycle:churn_model')}?job={job.id}")


@capability_required(Capability.MODELS_MANAGE)
@require_POST
def churn_model_rollback(request: HttpRequest) -> HttpResponse:
    try:
        version = ml_services.model_version_rollback(kind=KIND)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        service.customers_rescore_all()
        messages.success(request, f"Version {version.version} is active again; customers were rescored.")
    return redirect("lifecycle:churn_model")


def _decided(request: HttpRequest, customer_id: int, action_id: int, decide) -> HttpResponse:
    back = reverse("lifecycle:customer", args=[customer_id]) + "#next-actions"
    try:
        action = actions.next_action_get_for_user(user=request.user, action_id=action_id)
        if action.customer_id != customer_id:
            raise NotFoundError("Next action not found.")
        message = decide(action)
    except DomainError as error:
        if isinstance(error, NotFoundError):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, message)
    return redirect(back)


@capability_required(Capability.RECORDS_WRITE)
@require_POST
def next_action_accept(request: HttpRequest, customer_id: int, action_id: int) -> HttpResponse:
    def decide(action) -> str:
        accepted = actions.next_action_accept(action=action, actor=request.user)
        assignee = accepted.follow_up.assignee
        who = "you" if assignee == request.user else assignee.display_name
        return f"Accepted: follow-up '{accepted.follow_up.title}' scheduled for {who}."

    return _decided(request, customer_id, action_id, decide)


@capability_required(Capability.RECORDS_WRITE)
@require_POST
def next_action_dismiss(request: HttpRequest, customer_id: int, action_id: int) -> HttpResponse:
    def decide(action) -> str:
        dismissed = actions.next_action_dismiss(
            action=action, actor=request.user, reason=request.POST.get("reason", "")
        )
        return f"Dismissed: {dismissed.title}."

    return _decided(request, customer_id, action_id, decide)
