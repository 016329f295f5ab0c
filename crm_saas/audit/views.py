from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crm_saas.audit.models import AuditAction
from crm_saas.audit.selectors import audit_event_list
from crm_saas.roles import Capability
from crm_saas.web import capability_required


@capability_required(Capability.AUDIT_READ)
def events(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "")
    subject = request.GET.get("subject", "").strip()[:40]
    events = audit_event_list(action=action or None, subject_ref=subject or None)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context = {"page": page, "actions": AuditAction.choices, "action": action, "subject": subject}
    return render(request, "audit/events.html", context)
