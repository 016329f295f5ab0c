"""Writes of lead messages: typed or pasted text, e-mails (pasted source or .eml upload), voice
transcripts; marking a message handled and assigning its lead from the triage inbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from crm_saas.errors import ConflictError, DomainError
from leads.messages.email_parse import EML_MAX_BYTES, looks_like_email_source, parse_email
from leads.models import Lead
from leads.priority.analysis import text_analyse
from leads.priority.models import MESSAGE_MAX_CHARS, LeadMessage, MessageChannel, MessageDirection
from leads.priority.service import lead_prioritise_soon, message_analysis_apply, signal_set
from tenants.accounts.models import User


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not body:
        raise DomainError("The message has no text.", field="body")
    if len(body) > MESSAGE_MAX_CHARS:
        body = body[:MESSAGE_MAX_CHARS].rsplit(" ", 1)[0] + " …"
    return body


def lead_message_create(
    *,
    lead: Lead,
    actor: User | None,
    body: str,
    channel: str = MessageChannel.EMAIL,
    direction: str = MessageDirection.INBOUND,
    subject: str = "",
    sender: str = "",
    occurred_at: datetime | None = None,
    email_message_id: str = "",
    voice_log: Any = None,
) -> LeadMessage:
    """Store a message, read its text, and queue the lead's priority (inbound messages only)."""
    if channel not in MessageChannel.values:
        raise DomainError(
            f"Unknown channel '{channel}'. Choose one of: {', '.join(MessageChannel.values)}.", field="channel"
        )
    if direction not in MessageDirection.values:
        raise DomainError("The direction is 'inbound' (from the lead) or 'outbound' (to the lead).", field="direction")
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + timedelta(minutes=5):
        raise DomainError("A message cannot be from the future.", field="occurred_at")
    message = LeadMessage(
        lead=lead,
        channel=channel,
        direction=direction,
        subject=" ".join((subject or "").split())[:300],
        sender=(sender or "").strip()[:254],
        body=_clean_body(body),
        occurred_at=occurred_at,
        created_by=actor,
        email_message_id=(email_message_id or "").strip()[:300],
        voice_log=voice_log,
    )
    text = f"{message.subject}\n{message.body}" if message.subject else message.body
    message_analysis_apply(message, text_analyse(text, signal_set()))
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError as exc:
        if (
            message.email_message_id
            and LeadMessage.objects.filter(lead=lead, email_message_id=message.email_message_id).exists()
        ):
            raise ConflictError("This e-mail is already on the lead (same Message-ID).", field="file") from exc
        raise
    if direction == MessageDirection.INBOUND:
        lead_prioritise_soon(lead_id=lead.pk, message_id=message.pk)
    return message


def _direction_of(sender: str, lead: Lead) -> str:
    """Inbound unless the sender is one of the workspace's own people (a reply sent to the lead)."""
    if sender and sender != (lead.email or "").lower() and User.objects.filter(email__iexact=sender).exists():
        return MessageDirection.OUTBOUND
    return MessageDirection.INBOUND


def lead_message_from_email(*, lead: Lead, actor: User | None, raw: bytes) -> LeadMessage:
    """An e-mail's source (pasted or uploaded): sender, subject, date and the sender's own words."""
    parsed = parse_email(raw)
    return lead_message_create(
        lead=lead,
        actor=actor,
        body=parsed.body,
        channel=MessageChannel.EMAIL,
        direction=_direction_of(parsed.sender, lead),
        subject=parsed.subject,
        sender=parsed.sender,
        occurred_at=min(parsed.sent_at, timezone.now()) if parsed.sent_at else None,
        email_message_id=parsed.message_id,
    )


def lead_message_from_upload(*, lead: Lead, actor: User | None, upload: Any) -> LeadMessage:
    """An uploaded .eml file, size-checked before it is read."""
    size = getattr(upload, "size", None)
    if size is not None and size > EML_MAX_BYTES:
        raise DomainError(f"The e-mail is larger than {EML_MAX_BYTES // (1024 * 1024)} MB.", field="file")
    raw = upload.read(EML_MAX_BYTES + 1)
    return lead_message_from_email(lead=lead, actor=actor, raw=raw)


def lead_message_paste(
    *, lead: Lead, actor: User | None, text: str, channel: str = MessageChannel.EMAIL, direction: str = ""
) -> LeadMessage:
    """Text pasted by a person: an e-mail's full source is parsed as one; plain words are the body."""
    if channel == MessageChannel.EMAIL and looks_like_email_source(text or ""):
        return lead_message_from_email(lead=lead, actor=actor, raw=text.encode("utf-8"))
    return lead_message_create(
        lead=lead, actor=actor, body=text, channel=channel, direction=direction or MessageDirection.INBOUND
    )


def voice_note_message_add(*, voice_log: Any) -> LeadMessage | None:
    """A transcribed voice note about a lead becomes a "voice" message (once per note)."""
    if voice_log.lead_id is None or not (voice_log.transcript or "").strip():
        return None
    existing = LeadMessage.objects.filter(voice_log=voice_log).first()
    if existing is not None:
        return existing
    return lead_message_create(
        lead=voice_log.lead,
        actor=voice_log.uploaded_by,
        body=voice_log.transcript,
        channel=MessageChannel.VOICE,
        direction=MessageDirection.INBOUND,
        occurred_at=voice_log.created_at,
        voice_log=voice_log,
    )


def lead_message_mark_handled(*, message: LeadMessage, actor: User, handled: bool = True) -> LeadMessage:
    message.handled_at = timezone.now() if handled else None
    message.handled_by = actor if handled else None
    message.save(update_fields=["handled_at", "handled_by"])
    return message


@transaction.atomic
def lead_message_assign(*, message: LeadMessage, actor: User, assignee: User) -> LeadMessage:
    """One click in the inbox: the lead goes to ``assignee`` (the lead's owner rules) and the message
    counts as handled."""
    from leads.services import lead_assign

    lead_assign(lead=message.lead, actor=actor, assignee=assignee)
    return lead_message_mark_handled(message=message, actor=actor)
