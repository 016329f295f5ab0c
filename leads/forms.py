from __future__ import annotations

from django import forms

from leads.models import LeadStatus
from tenants.accounts.models import User


class LeadForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    company = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=50, required=False)
    title = forms.CharField(max_length=200, required=False, label="Job title")
    industry = forms.CharField(max_length=100, required=False)
    company_size = forms.CharField(max_length=50, required=False, label="Company size")
    country = forms.CharField(max_length=100, required=False)
    city = forms.CharField(max_length=100, required=False)
    source = forms.CharField(max_length=100, required=False, help_text="e.g. referral, web, event")
    status = forms.ChoiceField(choices=LeadStatus.choices, initial=LeadStatus.NEW)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, can_assign: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if can_assign:
            self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("email")
        else:
            del self.fields["owner"]


class LeadFilterForm(forms.Form):
    search = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(choices=[("", "Any status"), *LeadStatus.choices], required=False)
    band = forms.ChoiceField(
        choices=[("", "Any band"), ("A", "A · hot"), ("B", "B · warm"), ("C", "C · cool"), ("D", "D · cold")],
        required=False,
    )
