from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from crm_saas.errors import DomainError
from crm_saas.roles import Capability
from crm_saas.web import capability_required, form_add_domain_error
from lifecycle import selectors, services
from lifecycle.charts import portfolio as portfolio_charts
from lifecycle.charts.timeline import customer_timeline_chart
from lifecycle.forms import CustomerFilterForm, EventForm, StageRulesForm
from lifecycle.models import CustomerField
from lifecycle.stages.service import stage_rules, stage_rules_update


@capability_required(Capability.RECORDS_READ)
def customer_list(request: HttpRequest) -> HttpResponse:
    filter_form = CustomerFilterForm(request.GET or None)
    filters = selectors.CustomerFilters(ordering="-last_event_at")
    if filter_form.is_valid():
        data = filter_form.cleaned_data
        filters = selectors.CustomerFilters(
            search=data["search"],
            status=data["status"] or None,
            stage=data["stage"] or None,
            owner_id=request.user.pk if data["mine"] else None,
            ordering="-last_event_at",
        )
    customers = selectors.customer_list_for_user(user=request.user, filters=filters)
    page = Paginator(customers, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "filter_form": filter_form,
        "query": params.urlencode(),
        "can_import": request.user.has_capability(Capability.RECORDS_WRITE_ALL),
    }
    return render(request, "lifecycle/list.html", context)


@capability_required(Capability.RECORDS_READ)
def customer_detail(request: HttpRequest, customer_id: int, *, form: EventForm | None = None) -> HttpResponse:
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
    labels = dict(CustomerField.objects.values_list("key", "label"))
    attributes = [(labels.get(key, key), value) for key, value in sorted(customer.attributes.items())]
    events = Paginator(selectors.customer_events(customer), 50).get_page(request.GET.get("page"))
    can_write = request.user.has_capability(Capability.RECORDS_WRITE)
    context = {
        "customer": customer,
        "attributes": attributes,
        "events": events,
        "milestones": selectors.customer_milestones(customer),
        "can_write": can_write,
        "form": form or (EventForm() if can_write else None),
    }
    return render(request, "lifecycle/detail.html", context, status=400 if form is not None else 200)


@capability_required(Capability.RECORDS_WRITE)
@require_POST
def event_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
    form = EventForm(request.POST)
    if form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
        try:
            event = services.lifecycle_event_add(customer=customer, **data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"{event.get_kind_display()} recorded.")
            return redirect("lifecycle:customer", customer_id=customer.pk)
    return customer_detail(request, customer_id=customer.pk, form=form)


@capability_required(Capability.RECORDS_READ)
def customer_timeline(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
    rules = stage_rules()
    context = {
        "customer": customer,
        "chart": customer_timeline_chart(customer, rules=rules),
        "actions": selectors.customer_open_actions(customer),
        "history": selectors.customer_stage_history(customer)[:12],
    }
    return render(request, "lifecycle/timeline.html", context)


@capability_required(Capability.RECORDS_READ)
def portfolio(request: HttpRequest) -> HttpResponse:
    customers = selectors.customers_visible_to(request.user)
    context = {
        "funnel": portfolio_charts.stage_funnel_chart(customers),
        "flow": portfolio_charts.stage_flow_chart(customers),
        "risk": portfolio_charts.risk_distribution_chart(customers, threshold=stage_rules().risk_threshold),
        "retention": portfolio_charts.cohort_retention_chart(customers),
        "own_book": not request.user.has_capability(Capability.RECORDS_READ_ALL),
    }
    return render(request, "lifecycle/portfolio.html", context)


@capability_required(Capability.RECORDS_READ)
@require_http_methods(["GET", "POST"])
def stage_rules_page(request: HttpRequest) -> HttpResponse:
    """Everyone who reads customers sees the rules behind their stages; admins change them."""
    can_edit = request.user.has_capability(Capability.SETTINGS_MANAGE)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    rules = stage_rules()
    form = StageRulesForm(request.POST if request.method == "POST" else None, instance=rules)
    if form.is_bound and form.is_valid():
        try:
            stage_rules_update(data=form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "Stage rules saved; every customer's stage is being recomputed.")
            return redirect("lifecycle:stage_rules")
    context = {"form": form, "rules": rules, "can_edit": can_edit}
    return render(request, "lifecycle/stage_rules.html", context, status=400 if form.is_bound else 200)
