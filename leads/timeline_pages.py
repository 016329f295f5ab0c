"""Pages behind the lead timeline's forms: add a note, schedule, complete and reopen a follow-up.

The forms sit on the lead page (``{% lead_timeline lead %}``) and on the dashboard; each posts here
and is sent back with a message. A form that does not validate is shown again on its own page,
with its errors, and posts to the same address.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from crm_saas.errors import DomainError
from crm_saas.roles import Capability
from crm_saas.web import capability_required, form_add_domain_error
from leads import selectors, services
from leads.forms import FollowUpForm, NoteForm
from leads.models import Lead


def _back(request: HttpRequest, lead: Lead | None, *, customer_id: int | None = None) -> str:
    """Where the form came from (the lead page or the dashboard), else the lead's timeline (or the
    customer's page, for a customer's follow-up)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    if lead is None:
        return reverse("lifecycle:customer", args=[customer_id])
    return reverse("leads:detail", args=[lead.pk]) + "#timeline"


def _form_page(request: HttpRequest, *, lead: Lead, form, title: str, button: str) -> HttpResponse:
    context = {"lead": lead, "form": form, "title": title, "button": button, "next": request.POST.get("next", "")}
    return render(request, "leads/timeline_form.html", context)


@capability_required(Capability.RECORDS_WRITE)
def note_add(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_note_add(lead=lead, author=request.user, text=form.cleaned_data["text"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "Note added.")
            return redirect(_back(request, lead))
    return _form_page(request, lead=lead, form=form, title=f"Add a note to {lead.display_name}", button="Add note")


@capability_required(Capability.RECORDS_WRITE)
def follow_up_add(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    form = FollowUpForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            follow_up = services.follow_up_schedule(
                lead=lead,
                actor=request.user,
                due_at=data["due_at"],
                kind=data["kind"],
                title=data["title"],
                assignee=data.get("assignee"),
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"Follow-up scheduled: {follow_up.title}.")
            return redirect(_back(request, lead))
    title = f"Schedule a follow-up with {lead.display_name}"
    return _form_page(request, lead=lead, form=form, title=title, button="Schedule")


@capability_required(Capability.RECORDS_WRITE)
@require_POST
def follow_up_complete(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    follow_up = selectors.follow_up_get_for_user(user=request.user, follow_up_id=follow_up_id)
    services.follow_up_complete(follow_up=follow_up, actor=request.user)
    messages.success(request, f"Done: {follow_up.title}.")
    return redirect(_back(request, follow_up.lead, customer_id=follow_up.customer_id))


@capability_required(Capability.RECORDS_WRITE)
@require_POST
def follow_up_reopen(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    follow_up = selectors.follow_up_get_for_user(user=request.user, follow_up_id=follow_up_id)
    services.follow_up_reopen(follow_up=follow_up, actor=request.user)
    messages.success(request, f"Reopened: {follow_up.title}.")
    return redirect(_back(request, follow_up.lead, customer_id=follow_up.customer_id))
