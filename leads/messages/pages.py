"""Pages: the triage inbox (new messages, High first, reasons highlighted, one-click assign) and the
message form on the lead page."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from crm_saas.errors import DomainError
from crm_saas.roles import Capability, Role, role_has_capability
from crm_saas.web import capability_required, form_add_domain_error
from leads import selectors as lead_selectors
from leads.messages import selectors, services
from leads.messages.forms import MessageForm, TriageFilterForm
from leads.messages.highlight import message_segments
from tenants.accounts.models import User


def _assignees() -> list[User]:
    workers = [role for role in Role.values if role_has_capability(role, Capability.RECORDS_WRITE)]
    return list(User.objects.filter(is_active=True, role__in=workers).order_by("full_name", "email"))


@capability_required(Capability.RECORDS_READ)
def triage_inbox(request: HttpRequest) -> HttpResponse:
    form = TriageFilterForm(request.GET or None)
    filters = selectors.TriageFilters()
    if form.is_valid():
        filters = selectors.TriageFilters(
            priority=form.cleaned_data["priority"],
            channel=form.cleaned_data["channel"],
            status=form.cleaned_data["status"] or "open",
        )
    page = Paginator(selectors.triage_messages_for_user(user=request.user, filters=filters), 25).get_page(
        request.GET.get("page")
    )
    items = []
    for message in page:
        subject, body = message_segments(message)
        items.append({"message": message, "lead": message.lead, "subject": subject, "body": body})
    query = request.GET.copy()
    query.pop("page", None)
    can_assign = request.user.has_capability(Capability.RECORDS_WRITE_ALL)
    context = {
        "page": page,
        "items": items,
        "filter_form": form,
        "query": query.urlencode(),
        "can_assign": can_assign,
        "can_write": request.user.has_capability(Capability.RECORDS_WRITE),
        "assignees": _assignees() if can_assign else [],
        "can_configure": request.user.has_capability(Capability.SETTINGS_MANAGE),
        "next": request.get_full_path(),
    }
    return render(request, "leads/triage.html", context)


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@capability_required(Capability.RECORDS_WRITE_ALL)
@require_POST
def message_assign(request: HttpRequest, message_id: int) -> HttpResponse:
    message = selectors.message_get_for_user(user=request.user, message_id=message_id)
    assignee = User.objects.filter(pk=_int(request.POST.get("assignee")), is_active=True).first()
    if assignee is None:
        flash.error(request, "Choose someone to assign the lead to.")
        return redirect(_back(request, reverse("leads:triage")))
    try:
        services.lead_message_assign(message=message, actor=request.user, assignee=assignee)
    except DomainError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, f"{message.lead.display_name} assigned to {assignee.display_name}.")
    return redirect(_back(request, reverse("leads:triage")))


@capability_required(Capability.RECORDS_WRITE)
@require_POST
def message_handled(request: HttpRequest, message_id: int) -> HttpResponse:
    message = selectors.message_get_for_user(user=request.user, message_id=message_id)
    handled = request.POST.get("handled", "1") != "0"
    services.lead_message_mark_handled(message=message, actor=request.user, handled=handled)
    flash.success(request, "Marked as handled." if handled else "Back in the inbox.")
    return redirect(_back(request, reverse("leads:triage")))


@capability_required(Capability.RECORDS_WRITE)
def message_add(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("file"):
                services.lead_message_from_upload(lead=lead, actor=request.user, upload=data["file"])
            else:
                services.lead_message_paste(
                    lead=lead,
                    actor=request.user,
                    text=data["text"],
                    channel=data["channel"],
                    direction=data["direction"],
                )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            flash.success(request, "Message added; the lead's priority is being updated.")
            return redirect(_back(request, reverse("leads:detail", args=[lead.pk]) + "#priority"))
    return render(
        request, "leads/message_form.html", {"lead": lead, "form": form, "next": request.POST.get("next", "")}
    )
