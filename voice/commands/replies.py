"""What the product says back: a confirmation question, a question about what is missing, or help.

Replies are short, name the record they act on ("Acme Ltd (#12)") and state dates in full, so
that a wrong guess by the recogniser or by dateparser is caught before anything is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from voice.commands import schema

EXAMPLES = (
    '"create lead ABC Corp"',
    '"mark Acme as qualified"',
    '"assign Acme to Sarah"',
    '"add a note to Acme: they want a demo"',
    '"remind me to call Acme tomorrow at 10"',
    '"show my hot leads"',
    '"what is the score of Acme"',
)
INTENT_EXAMPLES = {
    schema.CREATE_LEAD: EXAMPLES[0],
    schema.UPDATE_LEAD_STATUS: EXAMPLES[1],
    schema.ASSIGN_LEAD: EXAMPLES[2],
    schema.ADD_NOTE: EXAMPLES[3],
    schema.SCHEDULE_FOLLOW_UP: EXAMPLES[4],
    schema.QUERY_LEADS: EXAMPLES[5],
    schema.READ_LEAD_SCORE: EXAMPLES[6],
}
HELP_REPLY = "You can say, for example: " + ", ".join(EXAMPLES) + '. Say "yes" to confirm a change or "cancel".'
UNKNOWN_REPLY = "Sorry, I can't do that yet. " + HELP_REPLY
EMPTY_REPLY = "I didn't catch anything. " + HELP_REPLY
BULK_REPLY = 'Sorry, I can change only one lead at a time by voice. Name the lead, for example "assign Acme to Sarah".'
BAND_NAMES = {"A": "hot", "B": "warm", "C": "cool", "D": "cold"}
TASK_NAMES = {
    "call": "a call",
    "email": "an email",
    "meeting": "a meeting",
    "demo": "a demo",
    "follow_up": "a follow-up",
}
VERB = {
    schema.UPDATE_LEAD_STATUS: "change",
    schema.ASSIGN_LEAD: "assign",
    schema.ADD_NOTE: "add the note to",
    schema.SCHEDULE_FOLLOW_UP: "follow up with",
    schema.READ_LEAD_SCORE: "read the score of",
}


def action_reply(intent: str, entities: dict[str, Any], missing: list[str]) -> str:
    """The reply for an action: ask for what is missing first, else confirm or describe it."""
    if "lead" in missing:
        return _lead_question(intent, entities)
    if "user" in missing:
        return _user_question(entities)
    lead = entities.get("lead_label") or (f"lead #{entities['lead_id']}" if "lead_id" in entities else "the lead")
    if "status" in missing:
        return f"Which status should {lead} get: {_alternatives(list(schema.STATUSES))}?"
    if "due_at" in missing:
        return f'When should I follow up with {lead}? For example "tomorrow at 10" or "next Tuesday at 3pm".'
    if "note" in missing:
        return f"What should the note on {lead} say?"
    if "company" in missing:
        return 'Which company or person is the new lead? For example "create lead ABC Corp".'
    return _confirmation(intent, entities, lead)


def _confirmation(intent: str, entities: dict[str, Any], lead: str) -> str:
    if intent == schema.CREATE_LEAD:
        title = entities.get("company") or entities.get("person")
        details = []
        if entities.get("company") and entities.get("person"):
            details.append(f"contact {entities['person']}")
        details += [entities[key] for key in ("email", "phone") if entities.get(key)]
        return f"Create lead {title}" + (f" ({', '.join(details)})" if details else "") + "?"
    if intent == schema.UPDATE_LEAD_STATUS:
        return f"Mark {lead} as {entities['status']}?"
    if intent == schema.ASSIGN_LEAD:
        return f"Assign {lead} to {entities.get('user_label') or 'user #' + str(entities['user_id'])}?"
    if intent == schema.ADD_NOTE:
        return f'Add a note to {lead}: "{entities["note"]}"?'
    if intent == schema.SCHEDULE_FOLLOW_UP:
        task = TASK_NAMES.get(entities.get("task", "follow_up"), "a follow-up")
        return f"Schedule {task} with {lead} on {when_say(entities['due_at'])}?"
    if intent == schema.QUERY_LEADS:
        return query_describe(entities)
    if intent == schema.READ_LEAD_SCORE:
        return f"Here is the score of {lead} and the main reasons for it."
    if intent == schema.CONFIRM:
        return "OK, doing it."
    if intent == schema.CANCEL:
        return "OK, cancelled. Nothing was changed."
    if intent == schema.HELP:
        return HELP_REPLY
    return UNKNOWN_REPLY


def _lead_question(intent: str, entities: dict[str, Any]) -> str:
    candidates = entities.get("lead_candidates") or []
    if candidates:
        return f"Which lead do you mean: {_alternatives([c['label'] for c in candidates])}?"
    if entities.get("lead_query"):
        return f'No lead matches "{entities["lead_query"]}". Say the lead\'s name or number.'
    return f"Which lead should I {VERB.get(intent, 'use')}? Say its name or number."


def _user_question(entities: dict[str, Any]) -> str:
    lead = entities.get("lead_label", "the lead")
    candidates = entities.get("user_candidates") or []
    if candidates:
        return f"Who do you mean: {_alternatives([c['label'] for c in candidates])}?"
    if entities.get("user_query") in {"me", "myself"}:
        return f"I don't know who you are in this session; say a colleague's name to assign {lead}."
    if entities.get("user_query"):
        return f'No colleague matches "{entities["user_query"]}". Who should I assign {lead} to?'
    return f"Who should I assign {lead} to?"


def query_describe(entities: dict[str, Any]) -> str:
    """Say back the filters of a lead query: "Showing your hot leads from referral created since ..."."""
    text = query_subject(entities)
    return f"Counting {text}." if entities.get("count") else f"Showing {text}."


def query_subject(entities: dict[str, Any]) -> str:
    """The leads a query asks for, as words: "your hot leads from referral created since ..."."""
    words = []
    if entities.get("owner") == "me":
        words.append("your")
    bands = [BAND_NAMES[b] for b in entities.get("band", [])]
    if bands:
        words.append(_alternatives(bands, "and"))
    if entities.get("status"):
        words.append(_alternatives(entities["status"], "or"))
    text = " ".join([*words, "leads"])
    if isinstance(entities.get("owner"), int):
        text += f" owned by {entities.get('owner_label') or 'user #' + str(entities['owner'])}"
    if entities.get("source"):
        text += f" from {entities['source']}"
    if entities.get("created_after"):
        text += f" created since {day_say(entities['created_after'])}"
    if entities.get("created_before"):
        text += f" and before {day_say(entities['created_before'])}"
    return text


def when_say(iso: str) -> str:
    value = datetime.fromisoformat(iso)
    return f"{value:%A} {value.day} {value:%B %Y} at {value:%H:%M}"


def day_say(iso: str) -> str:
    value = datetime.fromisoformat(iso)
    return f"{value:%A} {value.day} {value:%B}"


def _alternatives(items: list[str], joiner: str = "or") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {joiner} " + items[-1]
