"""Voice note pages: record or upload, listen, read transcripts, delete; the workspace's voice settings.

Recording happens in the browser (crm_saas/static/crm_saas/voice.js posts the recording to the API
with the session); the upload form below works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from crm_saas.errors import DomainError, NotFoundError
from crm_saas.roles import Capability
from crm_saas.web import capability_required, form_add_domain_error
from leads.models import Lead
from leads.selectors import lead_get_for_user, leads_visible_to
from tenants.accounts.models import User
from voice import selectors
from voice.forms import VoiceSettingsForm, VoiceUploadForm
from voice.models import VoiceLogKind
from voice.playback import audio_playback
from voice.services.logs import voice_log_create, voice_log_delete
from voice.services.retry import voice_log_transcribe_retry
from voice.services.settings import EDITABLE_FIELDS, VoiceSettingsInvalid, voice_settings_get, voice_settings_update
from voice.templatetags.voice_tags import voice_duration

LEAD_CHOICES = 200  # the lead picker offers the most recently changed leads


def lead_choices(user: User) -> list[tuple[int, str]]:
    leads = leads_visible_to(user).select_related(None).only("id", "name", "company", "email")
    leads = leads.order_by("-updated_at", "-id")
    return [(lead.pk, lead.display_name) for lead in leads[:LEAD_CHOICES]]


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default


def _lead_filter(request: HttpRequest) -> Lead | None:
    """``?lead=<id>``: the notes about one lead the user can see (ignored otherwise)."""
    lead_id = request.GET.get("lead", "")
    if not lead_id.isdigit():
        return None
    try:
        return lead_get_for_user(user=request.user, lead_id=lead_id)
    except NotFoundError:
        return None


@capability_required(Capability.VOICE_USE)
def voice_home(request: HttpRequest) -> HttpResponse:
    filter_lead = _lead_filter(request)
    form = VoiceUploadForm(
        request.POST or None,
        request.FILES or None,
        leads=lead_choices(request.user),
        initial={"lead": filter_lead.pk} if filter_lead else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            log = voice_log_create(
                actor=request.user,
                upload=form.cleaned_data["audio"],
                lead_id=form.cleaned_data["lead"],
                kind=VoiceLogKind.NOTE,
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"Recording of {voice_duration(log.duration_seconds)} uploaded; transcribing it.")
            return redirect(_next_url(request, reverse("voice:home")))
    logs = selectors.voice_log_list_for_user(
        user=request.user, kind=VoiceLogKind.NOTE, lead_id=filter_lead.pk if filter_lead else None
    )
    page = Paginator(logs, 25).get_page(request.GET.get("page"))
    settings = voice_settings_get()
    context = {
        "form": form,
        "page": page,
        "sees_all": request.user.has_capability(Capability.RECORDS_READ_ALL),
        "can_manage": request.user.has_capability(Capability.SETTINGS_MANAGE),
        "max_note_seconds": settings.max_note_seconds,
        "max_upload_mb": settings.max_upload_mb,
        "retention_days": settings.retention_days,
        "filter_lead": filter_lead,
    }
    return render(request, "voice/home.html", context)


@capability_required(Capability.VOICE_USE)
def voice_log_audio_page(request: HttpRequest, log_id: str) -> HttpResponse:
    """The recording for an <audio> player, with the page's session (same service as the API)."""
    return audio_playback(request, log_id=log_id)


@capability_required(Capability.VOICE_USE)
@require_POST
def voice_log_delete_page(request: HttpRequest, log_id: str) -> HttpResponse:
    voice_log_delete(user=request.user, log_id=log_id, request=request)
    messages.success(request, "Voice note and its recording deleted.")
    return redirect(_next_url(request, reverse("voice:home")))


@capability_required(Capability.VOICE_USE)
@require_POST
def voice_log_retry_page(request: HttpRequest, log_id: str) -> HttpResponse:
    try:
        voice_log_transcribe_retry(user=request.user, log_id=log_id)
    except DomainError as error:
        if error.status_code == 404:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, "The voice note is queued to be transcribed again.")
    return redirect(_next_url(request, reverse("voice:home")))


@capability_required(Capability.SETTINGS_MANAGE)
def voice_settings_page(request: HttpRequest) -> HttpResponse:
    current = voice_settings_get()
    form = VoiceSettingsForm(request.POST or None, initial={name: getattr(current, name) for name in EDITABLE_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            voice_settings_update(actor=request.user, data=dict(form.cleaned_data), request=request)
        except VoiceSettingsInvalid as error:
            for field, field_errors in error.errors.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "Voice settings saved.")
            return redirect("voice:settings")
    return render(request, "voice/settings.html", {"form": form, "settings": current})


urlpatterns = [
    path("", voice_home, name="home"),
    path("settings/", voice_settings_page, name="settings"),
    path("logs/<uuid:log_id>/audio/", voice_log_audio_page, name="log_audio"),
    path("logs/<uuid:log_id>/delete/", voice_log_delete_page, name="log_delete"),
    path("logs/<uuid:log_id>/retry/", voice_log_retry_page, name="log_retry"),
]
