from __future__ import annotations

from django import forms

from crm_saas.roles import Role


class SignInForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class UserInviteForm(forms.Form):
    email = forms.EmailField()
    full_name = forms.CharField(max_length=200, required=False, label="Full name")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.SALES_REP)
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to e-mail an invitation so they choose their own.",
    )


class UserEditForm(forms.Form):
    full_name = forms.CharField(max_length=200, required=False, label="Full name")
    role = forms.ChoiceField(choices=Role.choices)


class UserImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns: email, full_name (optional), role.")


class PasswordSetForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), label="New password")
    password_again = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), label="New password, again"
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data
