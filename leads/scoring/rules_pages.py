"""Admin page: the point rules and the scoring settings (bands, rules weight, retraining)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from crm_saas.errors import DomainError
from crm_saas.roles import Capability
from crm_saas.web import capability_required, form_add_domain_error
from leads.models import RuleOperator, ScoringRule, ScoringSettings
from leads.scoring import configuration
from leads.scoring.rules import rules_ensure_defaults
from leads.scoring.service import scoring_settings


class RuleForm(forms.Form):
    label = forms.CharField(max_length=200, help_text="Shown as the reason, e.g. 'Asked for a demo'.")
    field = forms.CharField(max_length=100, help_text="Lead field or attribute, e.g. source, industry, budget.")
    operator = forms.ChoiceField(choices=RuleOperator.choices)
    value = forms.CharField(max_length=200, required=False)
    points = forms.IntegerField(min_value=-100, max_value=100)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ScoringSettings
        fields = ["band_a_min", "band_b_min", "band_c_min", "rules_weight", "retrain_every_days"]
        labels = {
            "band_a_min": "Band A (hot) from",
            "band_b_min": "Band B (warm) from",
            "band_c_min": "Band C (cool) from",
            "rules_weight": "Weight of the rules",
            "retrain_every_days": "Retrain every (days, 0 = never)",
        }


@capability_required(Capability.SETTINGS_MANAGE)
def rules_page(request: HttpRequest) -> HttpResponse:
    rules_ensure_defaults()
    rule_form = RuleForm(request.POST if request.POST.get("action") == "add_rule" else None)
    settings_form = SettingsForm(
        request.POST if request.POST.get("action") == "settings" else None, instance=scoring_settings()
    )
    if rule_form.is_bound and rule_form.is_valid():
        try:
            configuration.scoring_rule_create(data=rule_form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(rule_form, error)
        else:
            messages.success(request, "Rule added; open leads are being rescored.")
            return redirect("leads:rules")
    if settings_form.is_bound and settings_form.is_valid():
        try:
            configuration.scoring_settings_update(data=settings_form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(settings_form, error)
        else:
            messages.success(request, "Settings saved; open leads are being rescored.")
            return redirect("leads:rules")
    context = {"rules": ScoringRule.objects.all(), "rule_form": rule_form, "settings_form": settings_form}
    return render(request, "leads/rules.html", context)


@capability_required(Capability.SETTINGS_MANAGE)
@require_POST
def rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = ScoringRule.objects.filter(pk=rule_id).first()
    if rule is None:
        messages.error(request, "That rule no longer exists.")
    elif request.POST.get("delete") == "1":
        configuration.scoring_rule_delete(rule=rule)
        messages.success(request, f"Rule '{rule.label}' deleted.")
    else:
        configuration.scoring_rule_update(rule=rule, data={"is_active": not rule.is_active})
        messages.success(request, f"Rule '{rule.label}' {'enabled' if rule.is_active else 'disabled'}.")
    return redirect("leads:rules")
