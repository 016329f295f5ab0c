from __future__ import annotations

from django import forms


class TenantCreateForm(forms.Form):
    name = forms.CharField(max_length=200, label="Company name")
    schema_name = forms.CharField(
        max_length=80, label="Schema name", help_text="Lowercase letters, digits and underscores, e.g. acme."
    )
    domain = forms.CharField(max_length=253, help_text="Host name of the workspace, e.g. acme.localhost.")
    admin_email = forms.EmailField(label="First admin's e-mail")
    admin_name = forms.CharField(max_length=200, required=False, label="First admin's name")
    admin_password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), label="First admin's password"
    )
