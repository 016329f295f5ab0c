"""A lead's timeline: what happened to it and what is due, newest first, gathered from providers.

The lead app provides status milestones (created, converted, lost), engagement activities, notes
and follow-ups. Another app adds its own entries without editing leads code: it registers a
provider once, at start-up, e.g. in its ``AppConfig.ready``::

    from leads.timeline import TimelineEntry, register_timeline_provider

    def voice_note_entries(*, lead, user, limit):
        logs = VoiceLog.objects.filter(lead=lead, kind="note").select_related("uploaded_by")
        return [
            TimelineEntry(
                at=log.created_at,
                kind="voice_note",
                title="Voice note",
                body=log.transcript,
                by=log.uploaded_by.display_name if log.uploaded_by else "",
                url=reverse("voice:log", args=[log.pk]),
            )
            for log in logs.order_by("-created_at")[:limit]
        ]

    register_timeline_provider(voice_note_entries)

A provider is called with keyword arguments ``lead`` (already checked to be visible to the user,
through ``lead_get_for_user``), ``user`` (who is looking) and ``limit`` (how many entries will be
shown at most). It returns an iterable of ``TimelineEntry`` — at most ``limit`` of them, in any
order — using a fixed number of queries (never one per entry): the page's query count is guarded
by a test. It must not show the user anything their role may not read. Errors are not swallowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from leads import selectors
from leads.activity_services import follow_up_may_change
from leads.models import FollowUp, Lead, LeadStatus, NoteSource
from tenants.accounts.models import User


@dataclass(frozen=True)
class TimelineAction:
    """A button on an entry: a POST (with CSRF) to ``url``, which redirects back to the page."""

    label: str
    url: str


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # a slug for styling and tests: milestone, activity, note, follow_up, voice_note...
    title: str
    body: str = ""  # plain text, shown with line breaks kept
    by: str = ""  # who wrote, spoke or did it
    detail: str = ""  # a few words for the line under the title's time, e.g. "Call · for Ada"
    badge: str = ""  # a short label next to the title: "Overdue", "Done", "Voice"
    tone: str = ""  # a styling hint: overdue, done, due, converted, lost
    url: str = ""  # where the title links to
    actions: tuple[TimelineAction, ...] = ()


TimelineProvider = Callable[..., Iterable[TimelineEntry]]

_providers: list[TimelineProvider] = []


def _key(provider: TimelineProvider) -> str:
    return f"{provider.__module__}.{provider.__qualname__}"


def register_timeline_provider(provider: TimelineProvider) -> TimelineProvider:
    """Add a provider (usable as a decorator). Registering the same function again is harmless."""
    if _key(provider) not in {_key(known) for known in _providers}:
        _providers.append(provider)
    return provider


def unregister_timeline_provider(provider: TimelineProvider) -> None:
    _providers[:] = [known for known in _providers if _key(known) != _key(provider)]


def timeline_entries(lead: Lead, user: User, *, limit: int = 50) -> list[TimelineEntry]:
    """The ``limit`` most recent entries of every provider, newest first (future follow-ups on top)."""
    entries: list[TimelineEntry] = []
    for provider in list(_providers):
        entries.extend(provider(lead=lead, user=user, limit=limit))
    # Stable: entries at the same moment keep their provider's order.
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:limit]


# --- the lead app's own providers -----------------------------------------------------------------


@register_timeline_provider
def milestone_entries(*, lead: Lead, user: User, limit: int) -> list[TimelineEntry]:
    creator = lead.created_by.display_name if lead.created_by_id and lead.created_by else ""
    entries = [TimelineEntry(at=lead.created_at, kind="milestone", title="Lead created", by=creator)]
    if lead.status == LeadStatus.CONVERTED and lead.converted_at:
        entries.append(TimelineEntry(at=lead.converted_at, kind="milestone", title="Converted", tone="converted"))
    if lead.status == LeadStatus.LOST and lead.lost_at:
        entries.append(TimelineEntry(at=lead.lost_at, kind="milestone", title="Lost", tone="lost"))
    return entries


@register_timeline_provider
def activity_entries(*, lead: Lead, user: User, limit: int) -> list[TimelineEntry]:
    entries = []
    for activity in lead.activities.all()[:limit]:
        quantity = f"{activity.quantity:g}" if activity.quantity != 1 else ""
        entries.append(
            TimelineEntry(at=activity.occurred_at, kind="activity", title=activity.get_kind_display(), body=quantity)
        )
    return entries


@register_timeline_provider
def note_entries(*, lead: Lead, user: User, limit: int) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=note.created_at,
            kind="note",
            title="Note",
            body=note.text,
            by=note.author.display_name if note.author else "",
            badge="Voice" if note.source == NoteSource.VOICE else "",
        )
        for note in selectors.lead_notes_for(lead)[:limit]
    ]


def _follow_up_entry(follow_up: FollowUp, *, user: User) -> TimelineEntry:
    actions = ()
    if follow_up_may_change(follow_up=follow_up, actor=user):
        verb, name = (
            ("Reopen", "leads:follow_up_reopen") if follow_up.is_done else ("Complete", "leads:follow_up_complete")
        )
        actions = (TimelineAction(verb, reverse(name, args=[follow_up.pk])),)
    detail = follow_up.get_kind_display()
    if follow_up.assignee:
        detail += f" · for {follow_up.assignee.display_name}"
    if follow_up.is_done:
        was_due = date_format(timezone.localtime(follow_up.due_at), "j M Y H:i")
        return TimelineEntry(
            at=follow_up.done_at,
            kind="follow_up",
            title=follow_up.title,
            detail=f"{detail} · was due {was_due}",
            badge="Done",
            tone="done",
            actions=actions,
        )
    overdue = follow_up.is_overdue
    return TimelineEntry(
        at=follow_up.due_at,
        kind="follow_up",
        title=follow_up.title,
        detail=detail,
        badge="Overdue" if overdue else "Due",
        tone="overdue" if overdue else "due",
        actions=actions,
    )


@register_timeline_provider
def follow_up_entries(*, lead: Lead, user: User, limit: int) -> list[TimelineEntry]:
    # Open ones first (they are what matters), then the latest done.
    return [_follow_up_entry(follow_up, user=user) for follow_up in selectors.lead_follow_ups(lead)[:limit]]
