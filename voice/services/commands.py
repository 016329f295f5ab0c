"""Spoken or typed commands: understand, ask back, confirm, execute with the speaker's rights.

A command's life: text arrives (typed, or the transcript of a spoken command) -> it is parsed
against the tenant's own leads and people -> reads are answered at once; writes wait for the
speaker's confirmation (a click, or saying "yes"); anything ambiguous is asked back, never guessed
-> a confirmed write runs through the same lead services as the pages and API, so it needs the
same permissions, and is audited and linked to its voice log.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm_saas.audit.models import AuditAction
from crm_saas.audit.services import audit_record
from crm_saas.errors import ConflictError, DomainError, NotFoundError
from crm_saas.integrations.events import webhook_event_emit
from crm_saas.integrations.payloads import voice_command_payload
from crm_saas.roles import Capability
from crm_saas.storage import get_object_store
from leads import selectors as lead_selectors
from leads.models import Lead
from tenants.accounts.models import User
from voice.commands import schema
from voice.commands.nbest import command_parse_best
from voice.commands.parser import CommandContext, LeadRef, UserRef
from voice.models import VoiceCommand, VoiceCommandStatus
from voice.services.command_reads import query_leads, read_lead_score

logger = logging.getLogger(__name__)

# How many of the speaker's leads the parser matches names against (most recently touched first):
# enough for any rep's book, and bounded for workspaces with hundreds of thousands of leads.
CONTEXT_LEADS = 20_000
# "yes" or "no" said on its own applies to the speaker's latest pending command this recent.
PENDING_WINDOW = timedelta(minutes=15)
OPEN_STATUSES = (VoiceCommandStatus.AWAITING_CONFIRMATION, VoiceCommandStatus.NEEDS_INPUT)


def command_context(*, speaker: User) -> CommandContext:
    """The leads and people a command may name: what the speaker may see, and the team."""
    leads = lead_selectors.leads_visible_to(speaker).order_by("-updated_at")[:CONTEXT_LEADS]
    lead_refs = [
        LeadRef(id=pk, name=name, company=company, number=external_id)
        for pk, name, company, external_id in leads.values_list("pk", "name", "company", "external_id")
    ]
    users = [
        UserRef(id=pk, name=full_name, email=email)
        for pk, full_name, email in User.objects.filter(is_active=True).values_list("pk", "full_name", "email")
    ]
    sources = list(Lead.objects.exclude(source="").values_list("source", flat=True).distinct().order_by("source")[:100])
    return CommandContext(leads=lead_refs, users=users, speaker_id=speaker.pk, sources=sources)


def _timezone() -> str:
    from voice.services.settings import voice_settings_get

    return voice_settings_get().timezone


def voice_command_submit_text(*, speaker: User, text: str) -> VoiceCommand:
    """Understand one typed command and answer, ask back, or wait for confirmation."""
    text = (text or "").strip()
    if not text:
        raise DomainError("Type or say a command.", field="text")
    return _understand(VoiceCommand(speaker=speaker), speaker=speaker, text=text)


def _understand(command: VoiceCommand, *, speaker: User, text: str, alternatives: tuple[str, ...] = ()) -> VoiceCommand:
    """Parse ``text`` into ``command`` (a new row, or a spoken command once transcribed), store
    it, and answer reads, ask back, or leave writes waiting for confirmation. ``alternatives`` are
    the recogniser's other readings of the same audio, used when ``text`` is no complete command
    (``command_parse_best``); the reading used becomes the command's text."""
    index, action = command_parse_best(
        [text, *alternatives], now=timezone.now(), timezone=_timezone(), context=command_context(speaker=speaker)
    )
    text = [text, *alternatives][index]
    pending = _latest_pending(speaker) if action.intent in {schema.CONFIRM, schema.CANCEL} else None
    if action.intent in {schema.CONFIRM, schema.CANCEL} and pending is None:
        action.reply = "There is nothing waiting for a yes or no. " + action.reply if action.reply else ""
    lead_id = action.entities.get("lead_id")
    command.text, command.action, command.reply = text[:5000], action.to_dict(), action.reply
    command.lead_id = lead_id if isinstance(lead_id, int) else None
    command.status = VoiceCommandStatus.AWAITING_CONFIRMATION
    command.save()
    if pending is not None:
        target = (
            voice_command_confirm(speaker=speaker, command_id=pending.pk)
            if action.intent == schema.CONFIRM
            else voice_command_cancel(speaker=speaker, command_id=pending.pk)
        )
        return _finish(command, VoiceCommandStatus.ANSWERED, reply=target.reply, result={"command": str(target.pk)})
    if action.intent in schema.READ_INTENTS and not action.missing:
        return _answer_read(command, speaker=speaker, entities=action.entities)
    if action.intent in schema.WRITE_INTENTS:
        status = VoiceCommandStatus.NEEDS_INPUT if action.missing else VoiceCommandStatus.AWAITING_CONFIRMATION
        return _finish(command, status, reply=action.reply)
    if action.missing:
        return _finish(command, VoiceCommandStatus.NEEDS_INPUT, reply=action.reply)
    return _finish(command, VoiceCommandStatus.ANSWERED, reply=action.reply)


def _finish(
    command: VoiceCommand, status: str, *, reply: str, result: dict[str, Any] | None = None, error: str = ""
) -> VoiceCommand:
    command.status, command.reply, command.error = status, reply, error
    if result is not None:
        command.result = result
    if status == VoiceCommandStatus.EXECUTED:
        command.executed_at = timezone.now()
    command.save(update_fields=["status", "reply", "result", "error", "executed_at", "lead"])
    return command


def _latest_pending(speaker: User) -> VoiceCommand | None:
    since = timezone.now() - PENDING_WINDOW
    return (
        VoiceCommand.objects.filter(
            speaker=speaker, status=VoiceCommandStatus.AWAITING_CONFIRMATION, created_at__gte=since
        )
        .order_by("-created_at")
        .first()
    )


def voice_command_get_for_user(*, user: User, command_id: Any) -> VoiceCommand:
    """One of the user's own commands; missing and not-yours answer alike."""
    try:
        return VoiceCommand.objects.select_related("voice_log").get(pk=command_id, speaker=user)
    except (VoiceCommand.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError("Command not found.") from exc


def voice_commands_for_user(*, user: User) -> Any:
    return VoiceCommand.objects.filter(speaker=user).select_related("voice_log").order_by("-created_at")


def voice_command_confirm(
    *, speaker: User, command_id: Any, entities: dict[str, Any] | None = None, request: Any = None
) -> VoiceCommand:
    """Execute a waiting write. ``entities`` may fill what was asked back (the lead or person the
    speaker picked among the candidates); the result is validated again before anything runs."""
    with transaction.atomic():
        command = voice_command_get_for_user(user=speaker, command_id=command_id)
        command = VoiceCommand.objects.select_for_update().get(pk=command.pk)
        if command.status == VoiceCommandStatus.EXECUTED:
            return command  # a repeated click or a retried request runs nothing twice
        if command.status not in OPEN_STATUSES:
            raise ConflictError(f"This command is {command.get_status_display().lower()}; it cannot be confirmed.")
        proposed = dict(command.action or {})
        if proposed.get("intent") not in schema.WRITE_INTENTS:
            raise ConflictError("Only changes need confirming; this command was already answered.")
        merged = {**proposed.get("entities", {}), **(entities or {})}
        for key in ("lead_candidates", "user_candidates"):
            merged.pop(key, None)
        action = schema.action_validate({"intent": proposed["intent"], "entities": merged, "confidence": 1.0})
        try:
            result, reply = _execute(action, speaker=speaker, command=command)
        except DomainError as error:
            transaction.set_rollback(True)
            failed = error
        else:
            command.action = {**proposed, "entities": action.entities, "missing": []}
            command.save(update_fields=["action"])
            audit_record(
                action=AuditAction.VOICE_COMMAND_EXECUTED,
                actor=speaker,
                target=command,
                target_label=action.intent,
                request=request,
                metadata={"intent": action.intent, "result": result},
            )
            webhook_event_emit("voice.command_executed", {"command": voice_command_payload(command, result=result)})
            return _finish(command, VoiceCommandStatus.EXECUTED, reply=reply, result=result)
    # Outside the rolled-back transaction: the failure itself is kept, with a reply to act on.
    command = VoiceCommand.objects.get(pk=command.pk)
    return _finish(
        command, VoiceCommandStatus.FAILED, reply=f"That did not work: {failed.message}", error=failed.message
    )


def voice_command_cancel(*, speaker: User, command_id: Any) -> VoiceCommand:
    command = voice_command_get_for_user(user=speaker, command_id=command_id)
    if command.status == VoiceCommandStatus.CANCELLED:
        return command
    if command.status not in OPEN_STATUSES:
        raise ConflictError(f"This command is {command.get_status_display().lower()}; it cannot be cancelled.")
    return _finish(command, VoiceCommandStatus.CANCELLED, reply="Cancelled. Nothing was changed.")


# --- execution -----------------------------------------------------------------------------------


def _lead(speaker: User, entities: dict[str, Any]) -> Lead:
    return lead_selectors.lead_get_for_user(user=speaker, lead_id=entities["lead_id"])


def _execute(action: schema.CommandAction, *, speaker: User, command: VoiceCommand) -> tuple[dict[str, Any], str]:
    from leads import services as lead_services

    entities, intent = action.entities, action.intent
    if not speaker.has_capability(Capability.RECORDS_WRITE):
        raise DomainError("Your role cannot change records.", code="permission_denied")
    if intent == schema.CREATE_LEAD:
        data = {
            "company": entities.get("company", ""),
            "name": entities.get("person", ""),
            "email": entities.get("email", ""),
            "phone": entities.get("phone", ""),
            "source": "voice",
        }
        lead = lead_services.lead_create(actor=speaker, data={k: v for k, v in data.items() if v})
        command.lead = lead
        return {"lead_id": lead.pk}, f"Done. {lead.display_name} is a new lead."
    lead = _lead(speaker, entities)
    command.lead = lead
    if intent == schema.UPDATE_LEAD_STATUS:
        lead_services.lead_update(lead=lead, actor=speaker, data={"status": entities["status"]})
        return {
            "lead_id": lead.pk,
            "status": entities["status"],
        }, f"Done. {lead.display_name} is now {entities['status']}."
    if intent == schema.ASSIGN_LEAD:
        assignee = User.objects.filter(pk=entities["user_id"], is_active=True).first()
        if assignee is None:
            raise DomainError("That person is not an active member of this workspace.", field="user_id")
        lead_services.lead_assign(lead=lead, actor=speaker, assignee=assignee)
        who = "you" if assignee.pk == speaker.pk else assignee.display_name
        return {"lead_id": lead.pk, "owner_id": assignee.pk}, f"Done. {lead.display_name} is assigned to {who}."
    if intent == schema.ADD_NOTE:
        note = lead_services.lead_note_add(
            lead=lead,
            author=speaker,
            text=entities["note"],
            source="voice" if command.voice_log_id else "typed",
            voice_log=command.voice_log,
        )
        return {"lead_id": lead.pk, "note_id": note.pk}, f"Done. Note added to {lead.display_name}."
    if intent == schema.SCHEDULE_FOLLOW_UP:
        due_at = datetime.fromisoformat(entities["due_at"])
        follow_up = lead_services.follow_up_schedule(
            lead=lead,
            actor=speaker,
            due_at=due_at,
            kind=entities.get("task", "follow_up"),
            title=_title(entities.get("note", "")),
        )
        when = timezone.localtime(due_at, due_at.tzinfo).strftime("%A %-d %B at %-H:%M")
        return (
            {"lead_id": lead.pk, "follow_up_id": follow_up.pk, "due_at": due_at.isoformat()},
            f"Done. Follow-up with {lead.display_name} on {when}.",
        )
    raise DomainError(f"'{intent}' is not something that can be executed.", field="intent")


# --- reads ---------------------------------------------------------------------------------------


def _answer_read(command: VoiceCommand, *, speaker: User, entities: dict[str, Any]) -> VoiceCommand:
    intent = (command.action or {}).get("intent")
    try:
        if intent == schema.READ_LEAD_SCORE:
            result, reply = read_lead_score(speaker=speaker, entities=entities)
            command.lead_id = result["lead_id"]
        else:
            result, reply = query_leads(speaker=speaker, entities=entities)
    except NotFoundError:
        return _finish(command, VoiceCommandStatus.ANSWERED, reply="I could not find that lead among yours.")
    return _finish(command, VoiceCommandStatus.ANSWERED, reply=reply, result=result)


def _title(note: str) -> str:
    """A follow-up's title is at most 200 characters; a longer spoken note is shortened to fit."""
    return note if len(note) <= 200 else note[:199].rstrip() + "…"


# --- spoken commands -----------------------------------------------------------------------------


def voice_command_submit_audio(*, speaker: User, upload: Any) -> VoiceCommand:
    """Store the spoken command (validated, encrypted) and queue its transcription; the command is
    understood as soon as the worker has the transcript (``voice_command_transcribed``)."""
    from voice.models import VoiceLogKind
    from voice.services.logs import voice_log_create

    log = None
    try:
        with transaction.atomic():
            log = voice_log_create(actor=speaker, upload=upload, kind=VoiceLogKind.COMMAND)
            return VoiceCommand.objects.create(
                speaker=speaker, voice_log=log, status=VoiceCommandStatus.TRANSCRIBING, reply="Listening…"
            )
    except Exception:
        # The recording was stored before the rows; with the rows gone it must not stay behind.
        if log is not None and log.storage_key:
            get_object_store().delete(log.storage_key)
        raise


def voice_command_transcribed(*, voice_log: Any) -> VoiceCommand | None:
    """Called once the worker has transcribed a spoken command: understand it now. Safe to call
    again (a redelivered task): a command already understood is left as it is."""
    command = VoiceCommand.objects.filter(voice_log=voice_log).select_related("speaker").first()
    if command is None or command.status != VoiceCommandStatus.TRANSCRIBING:
        return command
    speaker = command.speaker
    if speaker is None or not speaker.is_active:
        return _finish(command, VoiceCommandStatus.CANCELLED, reply="The speaker no longer has access.")
    text = voice_log.transcript.strip()
    if not text:
        return _finish(
            command, VoiceCommandStatus.FAILED, reply="I heard nothing I could understand. Please try again."
        )
    alternatives = (voice_log.recognition or {}).get("alternatives") or []
    return _understand(command, speaker=speaker, text=text, alternatives=tuple(str(a) for a in alternatives if a))


def voice_command_transcription_failed(*, voice_log: Any, message: str) -> None:
    command = VoiceCommand.objects.filter(voice_log=voice_log, status=VoiceCommandStatus.TRANSCRIBING).first()
    if command is not None:
        _finish(command, VoiceCommandStatus.FAILED, reply=f"I could not transcribe that: {message}", error=message)


def voice_command_reply_audio(*, command: VoiceCommand) -> bytes:
    """The reply spoken (WAV, offline text-to-speech)."""
    from voice.speech import speak

    return speak(command.reply or "Done.")


# Whisper's prompt for a spoken command, measured with bench/voice_commands.py: whole sentences in
# the product's words, then the team and the speaker's recent leads as labelled lists. Sentences
# beat a comma list of fragments (tiny.en copied the list instead of transcribing, and put "mark as"
# where a name was said). No name goes inside a sentence: when tiny.en cannot hear a name it copies
# the prompt's sentence with its name ("schedule a follow up with Globex ..." came back with the
# prompt's lead in it), and that name is a real record, so the wrong lead would be proposed.
COMMAND_PROMPT_WORDS = [
    "CRM voice commands:",
    "Add a new lead.",
    "Mark it as qualified.",
    "Assign it to me.",
    "Add a note to it.",
    "Schedule a follow up tomorrow at 10 am.",
    "Show my hot leads.",
    "What is its score?",
]
PROMPT_LEADS = 12
PROMPT_USERS = 8  # colleagues named in the prompt, so "assign it to Priya Patel" is spelled right


def command_hints(*, speaker: User | None) -> Any:
    """A short domain prompt for the speech engine: example commands, the speaker's colleagues (most
    recently signed in first) and the companies of the speaker's most recently touched leads, so it
    writes "leads" rather than "leeds" and spells the tenant's own names as they are stored."""
    from django.db.models import F

    from voice.transcription.base import EngineHints

    names: list[str] = []
    team: list[str] = []
    if speaker is not None:
        recent = lead_selectors.leads_visible_to(speaker).order_by("-updated_at")[:PROMPT_LEADS]
        names = [company or name for company, name in recent.values_list("company", "name") if company or name]
        colleagues = (
            User.objects.filter(is_active=True)
            .exclude(pk=speaker.pk)
            .exclude(full_name="")
            .order_by(F("last_login").desc(nulls_last=True), "full_name")
        )
        team = list(colleagues.values_list("full_name", flat=True)[:PROMPT_USERS])
    names = [*_prompt_list("Team", team), *_prompt_list("Leads", list(dict.fromkeys(names)))]
    from voice.selectors import command_grammar_for  # the command language with the speaker's names

    grammar = command_grammar_for(speaker=speaker) if speaker is not None else None
    return EngineHints(phrases=[*COMMAND_PROMPT_WORDS, *names], grammar_jsgf=grammar)


def _prompt_list(label: str, names: list[str]) -> list[str]:
    """A labelled list as prompt phrases ("Team: Tom Becker", "Priya Patel."): one sentence in the prompt."""
    items = [f"{label}: {names[0]}", *names[1:]] if names else []
    if items:
        items[-1] += "."
    return items
