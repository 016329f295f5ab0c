"""The tenant's voice policy: limits, engines, online opt-in, retention and time zone (one row)."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.db import transaction

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record
from crm_saas.errors import DomainError
from tenants.accounts.models import User
from voice.models import VoiceSettings
from voice.transcription.registry import ENGINES, OFFLINE_ENGINES

EDITABLE_FIELDS = (
    "retention_days",
    "max_upload_mb",
    "max_note_seconds",
    "max_command_seconds",
    "note_engine",
    "command_engine",
    "allow_online_engine",
    "timezone",
)
_ENGINE_FIELDS = ("note_engine", "command_engine")


class VoiceSettingsInvalid(DomainError):
    """One or more settings are refused; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=field)
        self.errors = errors


def voice_settings_get() -> VoiceSettings:
    """The current tenant's voice settings, created with the defaults on first use."""
    found = VoiceSettings.objects.order_by("pk").first()
    return found if found is not None else VoiceSettings.objects.create()


def voice_settings_update(*, actor: User, data: dict[str, Any], request: Any = None) -> VoiceSettings:
    """Change some settings; every field is checked and all refusals are reported at once."""
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise VoiceSettingsInvalid({name: ["This setting does not exist."] for name in unknown})
    with transaction.atomic():
        current = VoiceSettings.objects.select_for_update().filter(pk=voice_settings_get().pk).get()
        before = {name: getattr(current, name) for name in EDITABLE_FIELDS}
        for name, value in data.items():
            setattr(current, name, value.strip() if isinstance(value, str) else value)
        errors = _errors(current)
        if errors:
            raise VoiceSettingsInvalid(errors)
        changed = {
            name: [before[name], getattr(current, name)]
            for name in EDITABLE_FIELDS
            if before[name] != getattr(current, name)
        }
        if changed:
            current.save()
            audit_record(
                action=AuditAction.VOICE_SETTINGS_CHANGED,
                request=request,
                actor=actor,
                target=current,
                metadata={"changed": changed},
            )
    return current


def _errors(candidate: VoiceSettings) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        candidate.full_clean(exclude=["id", "updated_at"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for name in _ENGINE_FIELDS:
        engine = getattr(candidate, name)
        if name in errors:
            continue
        if engine not in ENGINES:
            errors[name] = [f"Unknown transcription engine {engine!r}; choose one of: {', '.join(ENGINES)}."]
        elif engine not in OFFLINE_ENGINES and not candidate.allow_online_engine:
            errors[name] = [
                f"The {engine} engine sends audio over the internet: allow online engines first, "
                f"or choose an offline engine ({', '.join(OFFLINE_ENGINES)})."
            ]
    if "timezone" not in errors and candidate.timezone not in available_timezones():
        errors["timezone"] = [f"{candidate.timezone!r} is not a time zone; use a name such as Europe/Berlin."]
    return errors
