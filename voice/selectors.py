"""Reads of voice logs, always through the user's visibility (a rep: own; managers and admins: all),
and the command grammar a speaker's recogniser listens with."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from crm_saas.errors import NotFoundError
from crm_saas.roles import Capability
from leads.selectors import leads_visible_to
from tenants.accounts.models import User
from voice.models import VoiceLog

# How many names the command grammar lists: the speaker's most recently updated leads (each by its
# company and its contact's name) and the team. Bounded so the grammar stays specific and fast:
# measured with 300 leads (600 names), compiling took 0.4 s (once per worker and set of names) and
# decoding ~0.1x real time, against 0.08 s and ~0.04x with 20 leads. A lead beyond the bound is
# still understood from Whisper's transcript.
GRAMMAR_LEADS = 300
GRAMMAR_USERS = 200


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


def command_grammar_for(*, speaker: User) -> str:
    """The command language (``voice.commands.grammar``) as JSGF, with the names the speaker may say.

    Names are sorted, so the text changes only when the set of names does: the recogniser caches a
    compiled grammar by its text. Words the recogniser's dictionary lacks are kept when espeak-ng can
    pronounce them ("Initech"), and dropped otherwise.
    """
    from voice.commands.grammar import commands_jsgf, grammar_name_words
    from voice.transcription.sphinx import sphinx_vocabulary

    recent = leads_visible_to(speaker).order_by("-updated_at").values_list("company", "name")[:GRAMMAR_LEADS]
    lead_names = sorted({value.strip() for pair in recent for value in pair if value and value.strip()})
    users = User.objects.filter(is_active=True).exclude(full_name="").order_by("full_name")
    user_names = sorted(set(users.values_list("full_name", flat=True)[:GRAMMAR_USERS]))
    vocabulary = sphinx_vocabulary(grammar_name_words([*lead_names, *user_names]))
    return commands_jsgf(lead_names=lead_names, user_names=user_names, dictionary=vocabulary)
