"""Template helpers of the voice app: the lead page's voice notes card and a duration filter."""

from __future__ import annotations

from typing import Any

from django import template

from crm_saas.roles import Capability
from leads.models import Lead
from voice import selectors
from voice.forms import ACCEPTED_AUDIO
from voice.models import VoiceLogKind
from voice.services.settings import voice_settings_get

register = template.Library()

LEAD_CARD_NOTES = 10


@register.filter
def voice_duration(seconds: float | int | None) -> str:
    """12.4 -> '0:12', 754 -> '12:34', 3720 -> '1:02:00'."""
    if seconds is None:
        return "—"
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.inclusion_tag("voice/lead_card.html", takes_context=True)
def voice_notes(context: template.Context, lead: Lead) -> dict[str, Any]:
    """The lead's voice notes the signed-in user may hear (a rep: own), with record and upload.

    Renders nothing for users without voice access (viewers).
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_capability(Capability.VOICE_USE):
        return {"hidden": True}
    notes = selectors.voice_log_list_for_user(user=user, lead_id=lead.pk, kind=VoiceLogKind.NOTE)
    logs = list(notes[:LEAD_CARD_NOTES])
    settings = voice_settings_get()
    return {
        "hidden": False,
        "lead": lead,
        "logs": logs,
        "total": notes.count() if len(logs) == LEAD_CARD_NOTES else len(logs),
        "sees_all": user.has_capability(Capability.RECORDS_READ_ALL),
        "here": f"{request.path}#voice-notes",
        "max_note_seconds": settings.max_note_seconds,
        "max_upload_mb": settings.max_upload_mb,
        "accept": ACCEPTED_AUDIO,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
