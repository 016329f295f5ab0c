"""Tenant routing: the request's host name picks the tenant and its schema."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware

from crm_saas.api.errors import (
    DATABASE_UNAVAILABLE,
    DATABASE_UNAVAILABLE_MESSAGE,
    database_unavailable_response,
    error_body,
)
from crm_saas.errors import DomainError


class ActiveTenantMiddleware(TenantMainMiddleware):
    """django-tenants' host routing, plus: the platform host works on a fresh database, and an
    unknown or deactivated tenant gets the same clear 404 (its data is left untouched)."""

    def get_tenant(self, domain_model, hostname):
        from tenants.routing_cache import tenant_for_host
        from tenants.services import tenant_ensure_public

        def lookup():
            try:
                return super(ActiveTenantMiddleware, self).get_tenant(domain_model, hostname)
            except domain_model.DoesNotExist:
                if hostname == settings.PUBLIC_DOMAIN:
                    return tenant_ensure_public()
                raise

        return tenant_for_host(hostname, lookup)

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        try:
            response = super().process_request(request)
        except DATABASE_UNAVAILABLE as exc:
            # The host cannot be looked up while the database is unreachable: a clear 503 (JSON
            # for the API) rather than a 500; the next request reconnects.
            if request.path.startswith("/api/"):
                return database_unavailable_response(exc)
            # Plain text: a page template's context would need the database too.
            page = HttpResponse(DATABASE_UNAVAILABLE_MESSAGE, status=503, content_type="text/plain; charset=utf-8")
            page["Retry-After"] = "5"
            return page
        if response is not None:
            return response
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.is_active:
            connection.set_schema_to_public()
            return workspace_unavailable(request)
        return None

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        return workspace_unavailable(request)


def workspace_unavailable(request: HttpRequest) -> HttpResponse:
    message = "No active workspace at this address."
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(message), status=404)
    return render(request, "errors/workspace_unavailable.html", {"message": message}, status=404)


class DomainErrorMiddleware:
    """Pages: a DomainError that escapes a view becomes an error page with its message (never a
    500). The API has its own handler that answers JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            errors = {exception.field: [exception.message]} if exception.field else {}
            return JsonResponse(error_body(exception.message, errors), status=exception.status_code)
        return render(request, "errors/domain_error.html", {"message": exception.message}, status=exception.status_code)


# Scripts only from our own static files (no inline <script>, no on* handlers, no eval). Styles
# allow 'unsafe-inline' because a few templates draw data-driven widths and heights with style=""
# (progress bars, churn history bars) and Plotly and the API docs set styles at run time; styles
# cannot run code, so the script policy is what stops injected markup from executing.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",  # Plotly's PNG download draws the chart through a blob: image
        "font-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy on every response that does not already set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
