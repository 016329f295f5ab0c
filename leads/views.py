from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from crm_saas.errors import DomainError
from crm_saas.roles import Capability
from crm_saas.web import capability_required, form_add_domain_error
from leads import selectors, services
from leads.forms import LeadFilterForm, LeadForm
from leads.messages.forms import MessageForm
from leads.models import CustomField
from leads.priority.service import priority_settings
from leads.scoring import charts
from leads.scoring.reasons import lead_score_latest
from leads.scoring.service import scoring_settings


@capability_required(Capability.RECORDS_READ)
def lead_list(request: HttpRequest) -> HttpResponse:
    filter_form = LeadFilterForm(request.GET or None)
    filters = selectors.LeadFilters(ordering="-score")
    if filter_form.is_valid():
        filters = selectors.LeadFilters(
            search=filter_form.cleaned_data["search"],
            status=filter_form.cleaned_data["status"] or None,
            band=filter_form.cleaned_data["band"] or None,
            priority=filter_form.cleaned_data["priority"] or None,
            ordering="-score",
        )
    page = Paginator(selectors.lead_list_for_user(user=request.user, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "filter_form": filter_form,
        "query": _without_page(request),
        "can_write": request.user.has_capability(Capability.RECORDS_WRITE),
        "can_import": request.user.has_capability(Capability.RECORDS_WRITE_ALL),
        "import_job_id": request.GET.get("job", ""),
    }
    return render(request, "leads/list.html", context)


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("job", None)
    return params.urlencode()


@capability_required(Capability.RECORDS_READ)
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    labels = dict(CustomField.objects.values_list("key", "label"))
    attributes = [(labels.get(key, key), value) for key, value in sorted(lead.attributes.items())]
    latest = lead_score_latest(lead) if lead.score is not None else None
    history = list(selectors.lead_score_history(lead)[:30])
    model_version = latest.model_version.version if latest and latest.model_version_id else None
    context = {
        "lead": lead,
        "latest": latest,
        "factors": charts.factors_chart((latest.factors or []) if latest else [], model_version=model_version),
        # Unscored leads have no history: skip reading (or creating) the tenant's band settings.
        "score_history": charts.score_history_chart(history, thresholds=scoring_settings()) if history else None,
        "attributes": attributes,
        "can_write": request.user.has_capability(Capability.RECORDS_WRITE),
        "can_delete": request.user.has_capability(Capability.RECORDS_WRITE_ALL),
        # Only a prioritised lead shows the thresholds (prioritising created the settings row).
        "priority_settings": priority_settings() if lead.priority else None,
        "priority_history": list(lead.priority_history.all()[:20]),
        "message_form": MessageForm(auto_id="id_message_%s"),
    }
    return render(request, "leads/detail.html", context)


def _lead_form_page(request: HttpRequest, *, lead=None) -> HttpResponse:
    can_assign = request.user.has_capability(Capability.RECORDS_WRITE_ALL)
    initial = {}
    if lead is not None:
        initial = {name: getattr(lead, name) for name in LeadForm.base_fields if name != "owner"}
        initial["owner"] = lead.owner_id
    form = LeadForm(request.POST or None, initial=initial, can_assign=can_assign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if lead is None:
                lead = services.lead_create(actor=request.user, data=data)
                messages.success(request, f"Lead {lead.display_name} created.")
            else:
                lead = services.lead_update(lead=lead, actor=request.user, data=data)
                messages.success(request, "Changes saved.")
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return redirect("leads:detail", lead_id=lead.pk)
    return render(request, "leads/form.html", {"form": form, "lead": lead})


@capability_required(Capability.RECORDS_WRITE)
def lead_create(request: HttpRequest) -> HttpResponse:
    return _lead_form_page(request)


@capability_required(Capability.RECORDS_WRITE)
def lead_edit(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _lead_form_page(request, lead=selectors.lead_get_for_user(user=request.user, lead_id=lead_id))


@capability_required(Capability.RECORDS_WRITE_ALL)
@require_POST
def lead_delete(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    services.lead_delete(lead=lead, actor=request.user)
    messages.success(request, f"Lead {lead.display_name} deleted.")
    return redirect("leads:list")
