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
    page = Paginator(audit_event_list(action=action or None), 50).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", {"page": page, "actions": AuditAction.choices, "action": action})
