from __future__ import annotations

from django import forms

from lifecycle.models import CustomerStatus, EventKind, Severity, Stage, StageRules


class CustomerFilterForm(forms.Form):
    search = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(choices=[("", "Any status"), *CustomerStatus.choices], required=False)
    stage = forms.ChoiceField(choices=[("", "Any stage"), *Stage.choices], required=False)
    mine = forms.BooleanField(required=False, label="Mine only")


class EventForm(forms.Form):
    kind = forms.ChoiceField(choices=EventKind.choices)
    occurred_at = forms.DateTimeField(
        required=False,
        label="When",
        help_text="Empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    amount = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=2)
    severity = forms.ChoiceField(
        choices=[("", "—"), *Severity.choices], required=False, help_text="Support tickets only."
    )
    score = forms.IntegerField(required=False, min_value=0, max_value=10, label="NPS score", help_text="0-10.")
    quantity = forms.FloatField(required=False, min_value=0)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class StageRulesForm(forms.ModelForm):
    class Meta:
        model = StageRules
        fields = [
            "new_days",
            "loyal_days",
            "loyal_renewals",
            "risk_threshold",
            "payment_failures",
            "payment_window_days",
            "urgent_tickets",
            "ticket_window_days",
            "inactive_days",
        ]
        labels = {
            "new_days": "New for (days after sign-up)",
            "loyal_days": "Loyal from (days of tenure)",
            "loyal_renewals": "Loyal from (renewals)",
            "risk_threshold": "At risk from churn risk (0-1)",
            "payment_failures": "At risk with failed payments (0 = ignore)",
            "payment_window_days": "… within (days)",
            "urgent_tickets": "At risk with urgent tickets (0 = ignore)",
            "ticket_window_days": "… within (days)",
            "inactive_days": "At risk after days without login or usage (0 = ignore)",
        }
