from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from crm_saas.errors import DomainError
from crm_saas.web import form_add_domain_error, operator_required
from tenants import selectors, services
from tenants.forms import TenantCreateForm


@operator_required
def tenants(request: HttpRequest) -> HttpResponse:
    form = TenantCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provisioned = services.tenant_provision(actor=request.user, request=request, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"Tenant {provisioned.tenant.name} is ready at {provisioned.domain.domain}.")
            return redirect("platform:tenants")
    return render(request, "platform/tenants.html", {"tenants": selectors.tenant_list(), "form": form})


@operator_required
@require_POST
def tenant_set_active(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = selectors.tenant_get(tenant_id=tenant_id)
    try:
        if request.POST.get("active") == "1":
            services.tenant_reactivate(tenant=tenant, actor=request.user, request=request)
            messages.success(request, f"{tenant.name} is active again.")
        else:
            services.tenant_deactivate(tenant=tenant, actor=request.user, request=request)
            messages.success(request, f"{tenant.name} was deactivated. Its data is kept.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("platform:tenants")
