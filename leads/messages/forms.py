from __future__ import annotations

from django import forms

from leads.messages.email_parse import EML_MAX_BYTES
from leads.priority.models import MESSAGE_MAX_CHARS, MessageChannel, MessageDirection, Priority


class MessageForm(forms.Form):
    channel = forms.ChoiceField(choices=MessageChannel.choices, initial=MessageChannel.EMAIL)
    direction = forms.ChoiceField(choices=MessageDirection.choices, initial=MessageDirection.INBOUND)
    text = forms.CharField(
        label="Message",
        required=False,
        max_length=MESSAGE_MAX_CHARS,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "Paste the e-mail (with or without its headers) or chat…"}
        ),
    )
    file = forms.FileField(
        label="Or upload an e-mail (.eml)",
        required=False,
        help_text=f"At most {EML_MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".eml,message/rfc822"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("file"):
            raise forms.ValidationError("Paste the message or choose an .eml file.")
        return data


class TriageFilterForm(forms.Form):
    priority = forms.ChoiceField(choices=[("", "Any priority"), *Priority.choices], required=False)
    channel = forms.ChoiceField(choices=[("", "Any channel"), *MessageChannel.choices], required=False)
    status = forms.ChoiceField(choices=[("open", "Not handled"), ("all", "All messages")], required=False)
