"""Answers to spoken or typed questions: a lead query ("show my hot leads") and a lead's score
with its top reasons. Each returns the structured result and the sentence said back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leads import selectors as lead_selectors
from tenants.accounts.models import User

QUERY_SHOWN = 5


def query_leads(*, speaker: User, entities: dict[str, Any]) -> tuple[dict[str, Any], str]:
    from voice.commands.replies import query_subject

    owner = entities.get("owner")
    filters = lead_selectors.LeadFilters(
        owner_id=speaker.pk if owner == "me" else owner if isinstance(owner, int) else None,
        source=entities.get("source"),
        statuses=tuple(entities.get("status", ())),
        bands=tuple(entities.get("band", ())),
        created_after=_parse_datetime(entities.get("created_after")),
        created_before=_parse_datetime(entities.get("created_before")),
        ordering="-score",
    )
    leads = lead_selectors.lead_list_for_user(user=speaker, filters=filters)
    count = leads.count()
    top = list(leads[:QUERY_SHOWN])
    subject = query_subject(entities)
    if not count:
        mine = subject.startswith("your ")
        reply = f"You have no {subject[5:]} right now." if mine else f"There are no {subject} right now."
    else:
        names = ", ".join(f"{lead.display_name}{f' ({lead.score})' if lead.score is not None else ''}" for lead in top)
        shown = f"the top {len(top)}: " if count > len(top) else ""
        reply = f"{count} found, {subject}; {shown}{names}."
    rows = [{"id": lead.pk, "label": lead.display_name, "score": lead.score, "band": lead.band} for lead in top]
    return {"count": count, "leads": rows, "filters": entities}, reply


def read_lead_score(*, speaker: User, entities: dict[str, Any]) -> tuple[dict[str, Any], str]:
    from leads.scoring.reasons import lead_score_latest

    lead = lead_selectors.lead_get_for_user(user=speaker, lead_id=entities["lead_id"])
    latest = lead_score_latest(lead)
    factors = latest.factors or []
    good = [f for f in factors if f["points"] > 0][:2]
    bad = [f for f in factors if f["points"] < 0][:2]
    reply = f"{lead.display_name} scores {latest.score}, band {latest.band}."
    if good:
        reply += " For: " + "; ".join(f"{f['label']} ({f['points']:+g})" for f in good) + "."
    if bad:
        reply += " Against: " + "; ".join(f"{f['label']} ({f['points']:+g})" for f in bad) + "."
    result = {
        "lead_id": lead.pk,
        "score": latest.score,
        "band": latest.band,
        "factors_for": good,
        "factors_against": bad,
    }
    return result, reply


def _parse_datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
