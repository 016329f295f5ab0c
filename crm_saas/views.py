from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from crm_saas.api.errors import error_body, json_not_found, json_server_error
from crm_saas.jobs.models import Job
from crm_saas.roles import Capability
from crm_saas.web import capability_required
from leads.selectors import follow_up_agenda
from tenants.accounts.models import User


@capability_required(Capability.WORKSPACE_READ)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    jobs = Job.objects.all() if user.has_capability(Capability.JOBS_READ_ALL) else Job.objects.filter(created_by=user)
    context = {
        "recent_jobs": jobs.select_related("created_by")[:5],
        "active_users": User.objects.filter(is_active=True).count(),
        # Only roles that work leads have follow-ups.
        "follow_ups": follow_up_agenda(user=user) if user.has_capability(Capability.RECORDS_WRITE) else None,
    }
    return render(request, "dashboard.html", context)


def platform_home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_platform_operator:
        return redirect("platform:tenants")
    return render(request, "platform/home.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return render(request, "errors/404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("You do not have permission to perform this action."), status=403)
    return render(request, "errors/403.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("Bad request."), status=400)
    return render(request, "errors/400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return render(request, "errors/500.html", status=500)
