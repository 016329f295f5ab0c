"""The privacy page: find a person, export their data, erase them (typed confirmation), and follow
each request's job and report. Admins only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from crm_saas.errors import DomainError, NotFoundError
from crm_saas.privacy import selectors
from crm_saas.privacy.api.views import bundle_response
from crm_saas.privacy.models import PrivacyRequestKind
from crm_saas.privacy.services import (
    privacy_erasure_request,
    privacy_export_download,
    privacy_export_request,
    privacy_subject_search,
)
from crm_saas.roles import Capability
from crm_saas.web import capability_required

SUBJECT_FIELDS = ("email", "lead_id", "customer_id")
RECENT = 20


def _subject(data: dict) -> dict[str, str]:
    return {name: str(data.get(name, "")).strip() for name in SUBJECT_FIELDS if str(data.get(name, "")).strip()}


@capability_required(Capability.PRIVACY_MANAGE)
def privacy_home(request: HttpRequest) -> HttpResponse:
    subject = _subject(request.GET)
    match, search_error = None, ""
    if subject:
        try:
            match = privacy_subject_search(actor=request.user, data=subject)
        except DomainError as error:
            search_error = error.message
    context = {
        "subject": subject,
        "match": match,
        "search_error": search_error,
        "exports": selectors.privacy_request_list(kind=PrivacyRequestKind.EXPORT)[:RECENT],
        "erasures": selectors.privacy_request_list(kind=PrivacyRequestKind.ERASURE)[:RECENT],
        "ttl_hours": f"{settings.PRIVACY_EXPORT_TTL_HOURS} hours",
    }
    return render(request, "privacy/home.html", context)


@capability_required(Capability.PRIVACY_MANAGE)
@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    try:
        export = privacy_export_request(actor=request.user, data=_subject(request.POST), request=request)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(reverse("privacy:home"))
    messages.success(request, "The export is being prepared. Only you can download it once it is ready.")
    return redirect(reverse("privacy:request", kwargs={"request_id": export.id}))


@capability_required(Capability.PRIVACY_MANAGE)
@require_POST
def erasure_create(request: HttpRequest) -> HttpResponse:
    data = {**_subject(request.POST), "confirm": request.POST.get("confirm", "")}
    try:
        erasure = privacy_erasure_request(actor=request.user, data=data, request=request)
    except DomainError as error:
        messages.error(request, error.message)
        query = "&".join(f"{name}={value}" for name, value in _subject(request.POST).items())
        return redirect(f"{reverse('privacy:home')}?{query}")
    messages.success(request, "The erasure has started. The report below shows what was deleted.")
    return redirect(reverse("privacy:request", kwargs={"request_id": erasure.id}))


@capability_required(Capability.PRIVACY_MANAGE)
def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    privacy_request = None
    for kind in PrivacyRequestKind.values:
        privacy_request = selectors.privacy_request_list(kind=kind).filter(pk=request_id).first()
        if privacy_request is not None:
            break
    if privacy_request is None:
        raise NotFoundError("Privacy request not found.")
    return render(request, "privacy/request.html", {"item": privacy_request})


@capability_required(Capability.PRIVACY_MANAGE)
def export_download(request: HttpRequest, request_id: str) -> HttpResponse:
    bundle, filename = privacy_export_download(user=request.user, request_id=request_id, request=request)
    return bundle_response(bundle, filename)
