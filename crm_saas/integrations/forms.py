from __future__ import annotations

from django import forms

from crm_saas.integrations.events import EVENTS
from crm_saas.integrations.scopes import SCOPES


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Which system uses the key, e.g. “ERP sync”.")
    scopes = forms.MultipleChoiceField(
        choices=[(scope.name, f"{scope.name} — {scope.description}") for scope in SCOPES.values()],
        widget=forms.CheckboxSelectMultiple,
    )
    expires_at = forms.DateTimeField(
        required=False,
        label="Expires",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave empty for a key that does not expire.",
    )


class WebhookForm(forms.Form):
    url = forms.URLField(
        max_length=500, label="URL", assume_scheme="https", help_text="Receives a signed POST for each event."
    )
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name} — {text}") for name, text in EVENTS.items()], widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(max_length=200, required=False)
