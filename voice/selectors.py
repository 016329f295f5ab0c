"""Reads of voice logs, always through the user's visibility (a rep: own; managers and admins: all)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from crm_saas.errors import NotFoundError
from crm_saas.roles import Capability
from tenants.accounts.models import User
from voice.models import VoiceLog


def voice_logs_visible_to(user: User) -> QuerySet[VoiceLog]:
    """Logs the user may list, read and play: none without voice access, all for roles that read
    every record, otherwise the user's own."""
    if not user.has_capability(Capability.VOICE_USE):
        return VoiceLog.objects.none()
    logs = VoiceLog.objects.select_related("uploaded_by", "lead", "job")
    if user.has_capability(Capability.RECORDS_READ_ALL):
        return logs
    return logs.filter(uploaded_by=user)


def voice_log_list_for_user(
    *, user: User, lead_id: int | None = None, status: str | None = None, kind: str | None = None
) -> QuerySet[VoiceLog]:
    logs = voice_logs_visible_to(user)
    if lead_id is not None:
        logs = logs.filter(lead_id=lead_id)
    if status:
        logs = logs.filter(status=status)
    if kind:
        logs = logs.filter(kind=kind)
    return logs.order_by("-created_at", "-id")


def voice_log_get_for_user(*, user: User, log_id: Any) -> VoiceLog:
    """A log the user may see; missing and not-yours answer alike."""
    try:
        return voice_logs_visible_to(user).get(pk=uuid.UUID(str(log_id)))
    except (VoiceLog.DoesNotExist, ValueError, TypeError, AttributeError) as exc:
        raise NotFoundError("Voice note not found.") from exc
