"""``{% load lead_timeline %}{% lead_timeline lead %}``: the lead's timeline card with its forms.

Entries come from ``leads.timeline`` (and whatever providers other apps registered there).
"""

from __future__ import annotations

from typing import Any

from django import template

from crm_saas.roles import Capability
from leads.forms import FollowUpForm, NoteForm
from leads.models import Lead
from leads.timeline import timeline_entries

register = template.Library()


@register.inclusion_tag("leads/_timeline.html", takes_context=True)
def lead_timeline(context: template.Context, lead: Lead, limit: int = 50) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    can_write = user.has_capability(Capability.RECORDS_WRITE)
    return {
        "lead": lead,
        "entries": timeline_entries(lead, user, limit=limit),
        "limit": limit,
        "can_write": can_write,
        "note_form": NoteForm(auto_id="id_note_%s") if can_write else None,
        "follow_up_form": FollowUpForm(user=user, auto_id="id_follow_up_%s") if can_write else None,
        "next": request.get_full_path() + "#timeline",
        "csrf_token": context.get("csrf_token"),
    }
