"""Writes for the work people do on a lead: notes and follow-ups (calls, e-mails, meetings, demos).

Typed by hand or spoken (``voice`` calls the same functions). Neither notes nor follow-ups feed the
score today, so these writes queue no rescoring; a scoring feature that starts reading them must
call ``leads.scoring.refresh.lead_rescore_soon`` here.

Re-exported by ``leads.services``; callers import them from there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from crm_saas.errors import DomainError, PermissionDeniedError
from crm_saas.roles import Capability
from leads.models import NOTE_MAX_LENGTH, FollowUp, FollowUpKind, Lead, LeadNote, NoteSource
from leads.selectors import leads_visible_to
from tenants.accounts.models import User

if TYPE_CHECKING:
    from lifecycle.models import Customer
    from voice.models import VoiceLog

# A follow-up may be due a little in the past: "call them now" said a minute ago is still valid.
DUE_AT_PAST_TOLERANCE = timedelta(minutes=5)
TITLE_MAX_LENGTH = FollowUp._meta.get_field("title").max_length
# "Call John Smith", "Demo for ABC Corp"...
TITLE_PREFIXES = {
    FollowUpKind.CALL: "Call",
    FollowUpKind.EMAIL: "E-mail",
    FollowUpKind.MEETING: "Meet",
    FollowUpKind.DEMO: "Demo for",
    FollowUpKind.FOLLOW_UP: "Follow up with",
}


def lead_note_add(
    *,
    lead: Lead,
    author: User,
    text: str,
    source: str = NoteSource.TYPED,
    voice_log: VoiceLog | None = None,
) -> LeadNote:
    text = (text or "").strip()
    if not text:
        raise DomainError("Write something in the note.", field="text")
    if len(text) > NOTE_MAX_LENGTH:
        raise DomainError(f"A note is at most {NOTE_MAX_LENGTH} characters; this one has {len(text)}.", field="text")
    if source not in NoteSource.values:
        raise DomainError(
            f"Unknown note source '{source}'. Use one of: {', '.join(NoteSource.values)}.", field="source"
        )
    if voice_log is not None:
        if voice_log.lead_id is not None and voice_log.lead_id != lead.pk:
            raise DomainError("That voice note belongs to another lead.", field="voice_log")
        source = NoteSource.VOICE
    return LeadNote.objects.create(lead=lead, author=author, text=text, source=source, voice_log=voice_log)


def follow_up_title_default(*, kind: str, lead: Lead) -> str:
    return f"{TITLE_PREFIXES.get(kind, 'Follow up with')} {lead.display_name}"[:TITLE_MAX_LENGTH]


def _assignee_default(*, lead: Lead, actor: User) -> User:
    """The lead's owner when the actor may hand work to them, else the actor."""
    owner = lead.owner
    usable = owner is not None and owner.has_capability(Capability.RECORDS_WRITE)  # active, may work leads
    if usable and (owner.pk == actor.pk or actor.has_capability(Capability.RECORDS_WRITE_ALL)):
        return owner
    return actor


def _assignee_check(*, lead: Lead, actor: User, assignee: User) -> None:
    if not assignee.is_active:
        raise DomainError(f"{assignee.display_name} is not an active user.", field="assignee")
    if assignee.pk != actor.pk and not actor.has_capability(Capability.RECORDS_WRITE_ALL):
        raise PermissionDeniedError("Only managers and admins can give follow-ups to someone else.", field="assignee")
    if not assignee.has_capability(Capability.RECORDS_WRITE):
        raise DomainError(
            f"{assignee.display_name} is a {assignee.get_role_display().lower()} and cannot work on leads.",
            field="assignee",
        )
    if not leads_visible_to(assignee).filter(pk=lead.pk).exists():
        raise DomainError(
            f"{assignee.display_name} cannot see this lead; assign the lead to them first.", field="assignee"
        )


def _due_at_check(due_at: datetime | None) -> datetime:
    if not isinstance(due_at, datetime):
        raise DomainError("Give a due date and time.", field="due_at")
    if timezone.is_naive(due_at):
        raise DomainError("Give the due time with its time zone, e.g. 2026-03-10T15:00:00+01:00.", field="due_at")
    if due_at < timezone.now() - DUE_AT_PAST_TOLERANCE:
        raise DomainError("The due time is in the past.", field="due_at")
    return due_at


def follow_up_schedule(
    *,
    lead: Lead,
    actor: User,
    due_at: datetime,
    kind: str = FollowUpKind.FOLLOW_UP,
    title: str = "",
    assignee: User | None = None,
) -> FollowUp:
    """Schedule a follow-up; by default for the lead's owner (or the actor) titled e.g. "Call Ada"."""
    if kind not in FollowUpKind.values:
        raise DomainError(
            f"Unknown follow-up kind '{kind}'. Use one of: {', '.join(FollowUpKind.values)}.", field="kind"
        )
    due_at = _due_at_check(due_at)
    title = " ".join((title or "").split()) or follow_up_title_default(kind=kind, lead=lead)
    if len(title) > TITLE_MAX_LENGTH:
        raise DomainError(f"A title is at most {TITLE_MAX_LENGTH} characters.", field="title")
    assignee = assignee if assignee is not None else _assignee_default(lead=lead, actor=actor)
    _assignee_check(lead=lead, actor=actor, assignee=assignee)
    return FollowUp.objects.create(
        lead=lead, assignee=assignee, created_by=actor, kind=kind, title=title, due_at=due_at
    )


def customer_follow_up_schedule(
    *, customer: Customer, actor: User, due_at: datetime, kind: str = FollowUpKind.FOLLOW_UP, title: str = ""
) -> FollowUp:
    """A follow-up on a customer (e.g. an accepted next best action), for the customer's owner when
    the actor may hand work to them, else for the actor. The caller reached ``customer`` through
    the actor's visibility (``lifecycle.selectors.customer_get_for_user``)."""
    if kind not in FollowUpKind.values:
        raise DomainError(
            f"Unknown follow-up kind '{kind}'. Use one of: {', '.join(FollowUpKind.values)}.", field="kind"
        )
    if not actor.has_capability(Capability.RECORDS_WRITE):
        raise PermissionDeniedError("Your role cannot schedule follow-ups.")
    due_at = _due_at_check(due_at)
    title = " ".join((title or "").split()) or f"Follow up with {customer.display_name}"
    if len(title) > TITLE_MAX_LENGTH:
        raise DomainError(f"A title is at most {TITLE_MAX_LENGTH} characters.", field="title")
    owner = customer.owner
    usable = owner is not None and owner.has_capability(Capability.RECORDS_WRITE)
    assignee = (
        owner if usable and (owner.pk == actor.pk or actor.has_capability(Capability.RECORDS_WRITE_ALL)) else actor
    )
    return FollowUp.objects.create(
        customer=customer, assignee=assignee, created_by=actor, kind=kind, title=title, due_at=due_at
    )


def follow_up_may_change(*, follow_up: FollowUp, actor: User) -> bool:
    """Its assignee, its creator and the lead's owner may complete or reopen it; so may managers."""
    if not actor.has_capability(Capability.RECORDS_WRITE):
        return False
    if actor.has_capability(Capability.RECORDS_WRITE_ALL):
        return True
    record = follow_up.lead if follow_up.lead_id is not None else follow_up.customer
    return actor.pk in {follow_up.assignee_id, follow_up.created_by_id, record.owner_id}


def _change_check(*, follow_up: FollowUp, actor: User) -> None:
    if follow_up_may_change(follow_up=follow_up, actor=actor):
        return
    raise PermissionDeniedError(
        "Only the assignee, the lead's or customer's owner, a manager or an admin can change this follow-up."
    )


@transaction.atomic
def _done_at_set(*, follow_up: FollowUp, actor: User, done: bool) -> FollowUp:
    _change_check(follow_up=follow_up, actor=actor)
    locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if done and locked.done_at is None:
        locked.done_at = timezone.now()
    elif not done:
        locked.done_at = None
    locked.save(update_fields=["done_at"])
    follow_up.done_at = locked.done_at
    return follow_up


def follow_up_complete(*, follow_up: FollowUp, actor: User) -> FollowUp:
    """Mark done; completing a done follow-up keeps its first completion time."""
    return _done_at_set(follow_up=follow_up, actor=actor, done=True)


def follow_up_reopen(*, follow_up: FollowUp, actor: User) -> FollowUp:
    return _done_at_set(follow_up=follow_up, actor=actor, done=False)
