"""Forms of the voice pages: upload a recording, and the workspace's voice settings."""

from __future__ import annotations

from django import forms

from voice.transcription.registry import ENGINES, OFFLINE_ENGINES

ACCEPTED_AUDIO = "audio/*,.wav,.mp3,.m4a,.ogg,.oga,.opus,.webm,.flac"


class VoiceUploadForm(forms.Form):
    audio = forms.FileField(
        label="Audio file",
        allow_empty_file=True,  # the service explains an empty recording itself
        help_text="WAV, MP3, M4A, OGG, WebM or FLAC.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_AUDIO}),
    )
    lead = forms.TypedChoiceField(label="Lead", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, leads: list[tuple[int, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [("", "No lead"), *leads]


def _engine_choices() -> list[tuple[str, str]]:
    return [
        (name, name if name in OFFLINE_ENGINES else f"{name} (online: sends audio to a third party)")
        for name in ENGINES
    ]


class VoiceSettingsForm(forms.Form):
    retention_days = forms.IntegerField(
        label="Keep audio for (days)", help_text="Older recordings are deleted every day; transcripts are kept."
    )
    max_upload_mb = forms.IntegerField(label="Largest recording (MB)")
    max_note_seconds = forms.IntegerField(label="Longest voice note (seconds)")
    max_command_seconds = forms.IntegerField(label="Longest spoken command (seconds)")
    note_engine = forms.ChoiceField(label="Transcription engine for notes", choices=_engine_choices)
    command_engine = forms.ChoiceField(label="Transcription engine for commands", choices=_engine_choices)
    allow_online_engine = forms.BooleanField(
        label="Allow online engines",
        required=False,
        help_text="Off unless you agree that recordings may be sent to a third party for transcription.",
    )
    timezone = forms.CharField(
        label="Time zone", help_text="An IANA name such as Europe/Berlin; dates in commands use it."
    )
