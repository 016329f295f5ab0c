"""Messages on the lead's timeline: "E-mail from the lead", "Chat", "Voice note transcript"..."""

from __future__ import annotations

from leads.messages.selectors import lead_messages_for
from leads.models import Lead
from leads.priority.models import MessageDirection
from leads.timeline import TimelineEntry, register_timeline_provider
from tenants.accounts.models import User


@register_timeline_provider
def message_entries(*, lead: Lead, user: User, limit: int) -> list[TimelineEntry]:
    entries = []
    for message in lead_messages_for(lead)[:limit]:
        inbound = message.direction == MessageDirection.INBOUND
        title = f"{message.get_channel_display()} {'from the lead' if inbound else 'to the lead'}"
        if message.subject:
            title += f": {message.subject}"
        entries.append(
            TimelineEntry(
                at=message.occurred_at,
                kind="message",
                title=title,
                body=message.body,
                by=message.sender or (message.created_by.display_name if message.created_by else ""),
                badge=", ".join(entry["label"] for entry in message.signals[:3]) if inbound else "",
            )
        )
    return entries
