"""The priority settings page: thresholds, text weight, the tenant's own signals, the text model."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from crm_saas.errors import DomainError
from crm_saas.roles import Capability
from crm_saas.web import capability_required, form_add_domain_error
from leads.priority import configuration
from leads.priority.models import PrioritySignal
from leads.priority.service import priority_settings, text_model_status, text_model_train_start
from leads.priority.signals import CURATED


class SettingsForm(forms.Form):
    high_min = forms.IntegerField(label="High from", min_value=2, max_value=100)
    medium_min = forms.IntegerField(label="Medium from", min_value=1, max_value=99)
    text_weight = forms.FloatField(
        label="Weight of the messages", min_value=0, max_value=1, help_text="0 = the score alone, 1 = messages alone."
    )
    min_training_leads = forms.IntegerField(label="Closed leads needed to train", min_value=20, max_value=10_000)


class SignalForm(forms.Form):
    label = forms.CharField(max_length=120, help_text="How the reason reads, e.g. “asks about SOC 2”.")
    phrases = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="One phrase per line or comma.")
    points = forms.IntegerField(min_value=-50, max_value=50, initial=10)


def _page(request: HttpRequest, *, settings_form: SettingsForm, signal_form: SignalForm) -> HttpResponse:
    context = {
        "settings_form": settings_form,
        "signal_form": signal_form,
        "signals": PrioritySignal.objects.all(),
        "curated": CURATED,
        "model": text_model_status(),
    }
    return render(request, "leads/priority_settings.html", context)


def _settings_initial() -> dict:
    row = priority_settings()
    return {name: getattr(row, name) for name in configuration.SETTING_FIELDS}


@capability_required(Capability.SETTINGS_MANAGE)
def priority_settings_page(request: HttpRequest) -> HttpResponse:
    settings_form = SettingsForm(initial=_settings_initial())
    signal_form = SignalForm()
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "settings":
            settings_form = SettingsForm(request.POST)
            if settings_form.is_valid():
                configuration.priority_settings_update(actor=request.user, data=settings_form.cleaned_data)
                messages.success(request, "Saved; open leads are being re-prioritised.")
                return redirect("leads:priority_settings")
        elif action == "add_signal":
            signal_form = SignalForm(request.POST)
            if signal_form.is_valid():
                configuration.priority_signal_create(actor=request.user, **signal_form.cleaned_data)
                messages.success(request, f"Signal “{signal_form.cleaned_data['label']}” added.")
                return redirect("leads:priority_settings")
        elif action == "train":
            job = text_model_train_start(actor=request.user)
            messages.success(request, f"Training the text model (job {job.pk}).")
            return redirect("leads:priority_settings")
    except DomainError as error:
        form = signal_form if action == "add_signal" else settings_form
        if action == "train":
            messages.error(request, error.message)
        else:
            form_add_domain_error(form, error)
    return _page(request, settings_form=settings_form, signal_form=signal_form)


@capability_required(Capability.SETTINGS_MANAGE)
@require_POST
def priority_signal_change(request: HttpRequest, signal_id: int) -> HttpResponse:
    signal = configuration.priority_signal_get(signal_id=signal_id)
    if request.POST.get("action") == "delete":
        configuration.priority_signal_delete(actor=request.user, signal=signal)
        messages.success(request, f"Signal “{signal.label}” deleted.")
    else:
        configuration.priority_signal_set_active(actor=request.user, signal=signal, active=not signal.is_active)
        messages.success(request, f"Signal “{signal.label}” {'on' if signal.is_active else 'off'}.")
    return redirect("leads:priority_settings")
