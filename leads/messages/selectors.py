"""Reads of lead messages, always through leads the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from crm_saas.errors import NotFoundError
from leads.models import Lead
from leads.priority.models import LeadMessage, MessageDirection
from leads.selectors import leads_visible_to
from tenants.accounts.models import User

PRIORITY_RANK = Case(
    When(lead__priority="high", then=Value(0)),
    When(lead__priority="medium", then=Value(1)),
    When(lead__priority="low", then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def lead_messages_for(lead: Lead) -> QuerySet[LeadMessage]:
    """The lead's messages, newest first. Get ``lead`` with ``lead_get_for_user``."""
    return lead.messages.select_related("created_by").order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class TriageFilters:
    priority: str = ""
    channel: str = ""
    status: str = "open"  # open (not handled yet) or all


def triage_messages_for_user(*, user: User, filters: TriageFilters | None = None) -> QuerySet[LeadMessage]:
    """Inbound messages on leads the user may see: High leads first, then newest first."""
    filters = filters or TriageFilters()
    messages = LeadMessage.objects.filter(
        direction=MessageDirection.INBOUND, lead__in=leads_visible_to(user).values("pk")
    ).select_related("lead", "lead__owner")
    if filters.priority:
        messages = messages.filter(lead__priority=filters.priority)
    if filters.channel:
        messages = messages.filter(channel=filters.channel)
    if filters.status == "open":
        messages = messages.filter(handled_at__isnull=True)
    return messages.annotate(priority_rank=PRIORITY_RANK).order_by("priority_rank", "-occurred_at", "-id")


def message_get_for_user(*, user: User, message_id: Any) -> LeadMessage:
    """A message on a lead the user may see; missing and not-yours answer alike."""
    try:
        return LeadMessage.objects.select_related("lead").get(
            pk=int(message_id), lead__in=leads_visible_to(user).values("pk")
        )
    except (LeadMessage.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundError("Message not found.") from exc
