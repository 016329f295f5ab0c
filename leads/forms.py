from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from crm_saas.roles import Capability, Role, role_has_capability
from leads.models import NOTE_MAX_LENGTH, FollowUpKind, LeadStatus
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
    priority = forms.ChoiceField(
        choices=[("", "Any priority"), ("high", "High"), ("medium", "Medium"), ("low", "Low")], required=False
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "They want a demo in March…"}),
    )


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(choices=FollowUpKind.choices, initial=FollowUpKind.CALL, label="What")
    due_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    title = forms.CharField(max_length=200, required=False, help_text="Optional; e.g. “Call Ada Lovelace”.")
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="The lead's owner")

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["due_at"].help_text = f"Time zone {zone}."
        if not self.is_bound:
            tomorrow = timezone.localtime() + timedelta(days=1)
            self.initial.setdefault("due_at", tomorrow.replace(hour=9, minute=0, second=0, microsecond=0))
        if user.has_capability(Capability.RECORDS_WRITE_ALL):
            workers = [role for role in Role.values if role_has_capability(role, Capability.RECORDS_WRITE)]
            self.fields["assignee"].queryset = User.objects.filter(is_active=True, role__in=workers).order_by("email")
        else:
            del self.fields["assignee"]
