"""Platform operator pages for tenant offboarding (public schema)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from crm_saas.errors import DomainError
from crm_saas.privacy.api.views import bundle_response
from crm_saas.privacy.offboarding import tenant_archive_delete, tenant_archive_download, tenant_offboard_request
from crm_saas.web import operator_required
from tenants.selectors import tenant_get_for_offboarding, tenant_offboarding_list


@operator_required
def offboarding_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "platform/offboarding.html",
        {"offboardings": tenant_offboarding_list()[:100], "archive_days": settings.OFFBOARDING_ARCHIVE_DAYS},
    )


@operator_required
def offboarding_start(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = tenant_get_for_offboarding(tenant_id=tenant_id)
    error = ""
    if request.method == "POST":
        try:
            tenant_offboard_request(
                tenant=tenant, actor=request.user, confirm=request.POST.get("confirm", ""), request=request
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"{tenant.name} is no longer served; its offboarding has started.")
            return redirect("platform:offboarding")
    return render(
        request, "platform/offboard_confirm.html", {"tenant": tenant, "error": error}, status=400 if error else 200
    )


@operator_required
def offboarding_archive(request: HttpRequest, offboarding_id: str) -> HttpResponse:
    archive, filename = tenant_archive_download(offboarding_id=offboarding_id, actor=request.user, request=request)
    return bundle_response(archive, filename)


@operator_required
@require_POST
def offboarding_archive_delete(request: HttpRequest, offboarding_id: str) -> HttpResponse:
    offboarding = tenant_archive_delete(offboarding_id=offboarding_id, actor=request.user, request=request)
    messages.success(request, f"The archive of {offboarding.tenant_name} was deleted.")
    return redirect("platform:offboarding")
