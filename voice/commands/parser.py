"""Turn one spoken or typed command into a CommandAction: rule-based, deterministic, no models.

    action = command_parse("remind me to call john smith next tuesday at 3pm",
                           now=now, timezone="Europe/Berlin", context=CommandContext(leads, users, 7))

Steps: clean the text (normalize.text_clean: punctuation, fillers, spoken emails; a leading "and a
note/lead" is a misheard "add"), answer the short replies (yes / no / help), match the intent
patterns (patterns.py, in priority order; a query may say "lead" for "leads"), read
the entities (resolve.py for leads and users, dates.py for dates, entities.py for new-lead details
and query filters), then write the reply (replies.py).

Confidence is a heuristic in 0..1, the product of three factors:

- pattern strength: how explicit the phrasing was (0.97 for exact "yes"/"help", 0.95 for
  "assign X to Y", 0.8 for "X is dead", 0.7 for "call X" without a date);
- completeness: 0.85 for each required entity that is missing or ambiguous;
- match quality: for each lead or user resolved by fuzzy name, 0.5 + 0.5 * score (a perfect match
  keeps 1.0, the weakest accepted match, 80/100, gives 0.9); a reference that matches nothing
  counts 0.8 and is also missing. For queries, 0.6 + 0.4 * the share of words the filters explain.

Below CONFIDENCE_MIN the reply asks the speaker to rephrase instead of confirming. Ambiguity is
never resolved by guessing: the action lists the candidates and the reply asks which one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_saas.errors import DomainError
from voice.commands import patterns, schema
from voice.commands.dates import follow_up_find
from voice.commands.entities import lead_details_read, query_read
from voice.commands.lexicon import (
    CANCEL_PHRASES,
    CANCEL_WORDS,
    CONFIRM_PHRASES,
    CONFIRM_WORDS,
    HELP_PHRASES,
    SHORT_REPLY_WORDS,
    UNSUPPORTED_VERBS,
)
from voice.commands.normalize import leading_fillers_strip, misheard_add_repair, text_clean
from voice.commands.replies import (
    BULK_REPLY,
    EMPTY_REPLY,
    HELP_REPLY,
    INTENT_EXAMPLES,
    UNKNOWN_REPLY,
    action_reply,
)
from voice.commands.resolve import LeadIndex, LeadRef, UserRef, lead_prefix_score, lead_resolve, user_resolve
from voice.commands.schema import CommandAction

__all__ = ["CONFIDENCE_MIN", "MAX_CHARS", "CommandContext", "LeadRef", "UserRef", "command_parse"]

CONFIDENCE_MIN = 0.55
MAX_CHARS = 1000
MISSING_FACTOR = 0.85
NO_MATCH_FACTOR = 0.8
# A query said with "lead" for "leads" counts only if its filters explain at least half its words.
SINGULAR_QUERY_COVERAGE = 0.5
# A command after one stray word is read only in sentences of at least this many words, and is less certain.
STRAY_MIN_WORDS = 4
STRAY_FACTOR = 0.9
_NOT_STRAY = frozenset({*UNSUPPORTED_VERBS, *CANCEL_WORDS, "don't", "dont", "not", "never", "undo", "without"})

_LEAD_LEADING = re.compile(r"^(?:(?:the|a|an|our|my|that|this|to|with|on|for)\s+)+", re.I)
_LEAD_INTRO = re.compile(r"^lead\s+(?:for|from|at|with|called|named)\s+", re.I)
_LEAD_TRAILING = re.compile(r"(?:\s+(?:lead|deal|account|opportunity|record|back|again|up|now|today))+$", re.I)
_LEAD_TOPIC = re.compile(r"\s+(?:about|regarding|re|to\s+discuss|for\s+a|for\s+the)\s+(?P<note>.+)$", re.I)
_NOTE_SEPARATOR = re.compile(r"\s+(?::|saying|that\s+says|which\s+says|stating|reading|with\s+the\s+text)\s+", re.I)


@dataclass
class CommandContext:
    """The tenant's records the speaker may refer to, and who is speaking (for "me" / "my")."""

    leads: list[LeadRef]
    users: list[UserRef]
    speaker_id: int | None = None
    sources: list[str] = field(default_factory=list)  # the tenant's lead sources, matched before known ones


def command_parse(text: str, *, now: datetime, timezone: str, context: CommandContext) -> CommandAction:
    """Parse one command. `now` must be aware; `timezone` is the tenant's IANA zone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(f"Unknown time zone {timezone!r}.", field="timezone") from None
    if not text or not text.strip():
        return CommandAction(schema.UNKNOWN, {}, 0.0, False, [], EMPTY_REPLY)
    if len(text) > MAX_CHARS:
        reply = (
            f"That is too long for one command ({len(text)} characters; the limit is {MAX_CHARS}). "
            "Please say one short command. " + HELP_REPLY
        )
        return CommandAction(schema.UNKNOWN, {}, 0.0, False, [], reply)
    cleaned = text_clean(text)
    # The raw words too: "what can you do" is help, though "can you" is usually a filler.
    for candidate in (text, cleaned, leading_fillers_strip(cleaned)):
        short = _short_reply(candidate)
        if short:
            return short
    cleaned = leading_fillers_strip(misheard_add_repair(cleaned))
    if not cleaned:
        return CommandAction(schema.UNKNOWN, {}, 0.0, False, [], EMPTY_REPLY)
    action = _parse(cleaned, now=now, timezone=timezone, context=context)
    words = cleaned.split()
    if action.intent == schema.UNKNOWN and len(words) >= STRAY_MIN_WORDS and words[0].lower() not in _NOT_STRAY:
        # A recogniser's stray first word ("Come create a new lead ..." for "um create ...", the
        # prompt's "Team" before the command): the rest may be a command worth confirming. Not after
        # a verb the product refuses or a "no" ("delete a note to acme ..." is no note to add).
        rest = _parse(misheard_add_repair(" ".join(words[1:])), now=now, timezone=timezone, context=context)
        confidence = round(rest.confidence * STRAY_FACTOR, 2)
        if rest.intent not in {schema.UNKNOWN, schema.QUERY_LEADS} and confidence >= CONFIDENCE_MIN:
            rest.confidence = confidence
            return rest
    return action


def _short_reply(text: str) -> CommandAction | None:
    key = " ".join(re.sub(r"[^a-z' ]", " ", text.lower()).split())
    for intent, phrases in (
        (schema.CONFIRM, CONFIRM_PHRASES),
        (schema.CANCEL, CANCEL_PHRASES),
        (schema.HELP, HELP_PHRASES),
    ):
        if key in phrases:
            return CommandAction(intent, {}, 0.97, False, [], action_reply(intent, {}, []))
    words = key.split()
    if 1 < len(words) <= SHORT_REPLY_WORDS:
        # A yes or no with a few more words ("yeah go for it", "no wait don't") is weaker evidence.
        for intent, starts in ((schema.CONFIRM, CONFIRM_WORDS), (schema.CANCEL, CANCEL_WORDS)):
            if words[0] in starts:
                return CommandAction(intent, {}, 0.85, False, [], action_reply(intent, {}, []))
    return None


def _parse(text: str, *, now: datetime, timezone: str, context: CommandContext) -> CommandAction:
    if patterns.bulk_change(text):
        return _unknown(BULK_REPLY)
    hit = patterns.early_match(text)
    if hit is None:
        hit = _follow_up_hit(text, now=now, timezone=timezone)
    if hit is None:
        hit = patterns.late_match(text)
    if hit is not None:
        return _build(hit, context)
    verb = text.split()[0].lower()
    if verb in UNSUPPORTED_VERBS:  # before queries: "export all leads" is not a list request
        return _unknown(f"Sorry, I can't {UNSUPPORTED_VERBS[verb]} by voice yet. {HELP_REPLY}")
    query = patterns.query_match(text)
    if query:
        action = _query(query, now=now, timezone=timezone, context=context)
        if action is not None:
            return action
    hit = patterns.score_match(text)
    if hit is not None:
        return _build(hit, context)
    return _unknown(UNKNOWN_REPLY)


def _follow_up_hit(text: str, *, now: datetime, timezone: str) -> patterns.Hit | None:
    if not patterns.FOLLOW_UP_HEAD.match(text):
        return None
    span = follow_up_find(text, now=now, timezone=timezone)
    rest = text
    if span is not None:
        rest = re.sub(r"\s+", " ", text[: span.start] + " " + text[span.end :]).strip()
        rest = re.sub(r"\s+(?:on|at|by|for)$", "", rest)
    hit = patterns.follow_up_match(rest)
    if hit is None:
        return None
    if span is None and hit.strength < 0.9:
        hit.strength = 0.7  # "call acme" with no date: probably a follow-up, ask when
    hit.slots["due_at"] = span.when.isoformat() if span and span.when else ""
    return hit


def _build(hit: patterns.Hit, context: CommandContext) -> CommandAction:
    intent, slots = hit.intent, hit.slots
    entities: dict[str, Any] = {}
    missing: list[str] = []
    factor = 1.0
    if intent == schema.CREATE_LEAD:
        entities = lead_details_read(slots.get("rest", ""))
        if not (entities.get("company") or entities.get("person")):
            missing.append("company")
        return _finish(intent, entities, missing, hit.strength)
    leads = LeadIndex(context.leads)  # prepared once: a note may try several prefixes against it
    lead_span = slots.get("lead", "")
    if intent == schema.ADD_NOTE:
        lead_span, note = _note_split(slots.get("target", ""), leads)
        if note:
            entities["note"] = note[: schema.MAX_NOTE]
        else:
            missing.append("note")
    if intent == schema.SCHEDULE_FOLLOW_UP:
        topic = _LEAD_TOPIC.search(lead_span)
        if topic:
            entities["note"], lead_span = topic["note"][:500], lead_span[: topic.start()]
        entities["task"] = _task(slots.get("task") or slots.get("kind") or "")
        if slots.get("due_at"):
            entities["due_at"] = slots["due_at"]
        else:
            missing.append("due_at")
    lead_entities, lead_missing, lead_factor = _lead_entities(lead_span, leads)
    entities = {**lead_entities, **entities}
    missing = lead_missing + missing
    factor *= lead_factor
    if intent == schema.UPDATE_LEAD_STATUS:
        status = patterns.VERB_STATUS.get(re.sub(r"\s+", " ", slots.get("verb", "").lower())) or patterns.status_word(
            slots.get("status", "")
        )
        if status:
            entities["status"] = status
        else:
            missing.append("status")
    if intent == schema.ASSIGN_LEAD:
        user_span = "me" if slots.get("self") else slots.get("user", "")
        user_entities, user_missing, user_factor = _user_entities(user_span, context)
        entities.update(user_entities)
        missing += user_missing
        factor *= user_factor
    return _finish(intent, entities, missing, hit.strength * factor)


def _finish(intent: str, entities: dict[str, Any], missing: list[str], strength: float) -> CommandAction:
    confidence = round(max(0.0, min(1.0, strength * MISSING_FACTOR ** len(missing))), 2)
    reply = action_reply(intent, entities, missing)
    if confidence < CONFIDENCE_MIN:
        example = INTENT_EXAMPLES.get(intent, INTENT_EXAMPLES[schema.CREATE_LEAD])
        reply = f"I'm not sure I understood. Could you say that again in other words? For example {example}."
    return CommandAction(intent, entities, confidence, intent in schema.WRITE_INTENTS, missing, reply)


def _unknown(reply: str) -> CommandAction:
    return CommandAction(schema.UNKNOWN, {}, 0.0, False, [], reply)


def _lead_text(span: str) -> str:
    """The words that name a lead, without articles and trailing "deal"/"account" ("the acme deal" -> "acme")."""
    span = span.strip().strip(":").strip()
    span = _LEAD_LEADING.sub("", span)
    span = _LEAD_INTRO.sub("", span)
    if not re.match(r"^lead\s*$", span, re.I):
        span = _LEAD_TRAILING.sub("", span)
    return re.sub(r"'s$", "", span).strip()


def _lead_entities(span: str, leads: LeadIndex) -> tuple[dict[str, Any], list[str], float]:
    query = _lead_text(span)
    if not query:
        return {}, ["lead"], 1.0
    found = lead_resolve(query, leads)
    if found.status == "matched" and found.lead is not None:
        lead = found.lead
        return {"lead_id": lead.id, "lead_label": lead.label, "lead_query": query}, [], 0.5 + 0.5 * found.score
    if found.status == "ambiguous":
        candidates = [{"id": lead.id, "label": lead.label} for lead in found.candidates]
        return {"lead_query": query, "lead_candidates": candidates}, ["lead"], 1.0
    return {"lead_query": query}, ["lead"], NO_MATCH_FACTOR


def _user_entities(span: str, context: CommandContext) -> tuple[dict[str, Any], list[str], float]:
    query = re.sub(r"^(?:the\s+)?(?:user|rep|colleague)\s+", "", span.strip(), flags=re.I)
    if not query:
        return {}, ["user"], 1.0
    found = user_resolve(query, context.users, speaker_id=context.speaker_id)
    if found.status == "matched" and found.user is not None:
        return (
            {"user_id": found.user.id, "user_label": found.user.label, "user_query": query},
            [],
            0.5 + 0.5 * found.score,
        )
    if found.status == "ambiguous":
        candidates = [{"id": user.id, "label": user.label} for user in found.candidates]
        return {"user_query": query, "user_candidates": candidates}, ["user"], 1.0
    return {"user_query": query}, ["user"], NO_MATCH_FACTOR


def _note_split(target: str, leads: LeadIndex) -> tuple[str, str]:
    """Split "acme they want a demo" into the lead ("acme") and the note ("they want a demo").

    An explicit separator (":", "saying") wins, then "that" when the words before it name a lead.
    Otherwise the leading words that best name a lead are the lead, scored so that extra words
    count against a prefix (ties go to the longer prefix, so "acme ltd ..." keeps "ltd").
    """
    separator = _NOTE_SEPARATOR.search(f" {target} ")
    if separator:
        return target[: max(separator.start() - 1, 0)], target[separator.end() - 1 :].strip()
    that = re.search(r"\s+that\s+", target, re.I)
    if that and lead_resolve(_lead_text(target[: that.start()]), leads).status != "none":
        return target[: that.start()], target[that.end() :]
    words = target.split()
    best, best_score = 1, -1.0
    for count in range(1, min(6, len(words) - 1) + 1):
        score = lead_prefix_score(_lead_text(" ".join(words[:count])), leads)
        if score >= best_score:
            best, best_score = count, score
    return " ".join(words[:best]), " ".join(words[best:])


def _task(spoken: str) -> str:
    word = spoken.lower()
    if word.startswith(("call", "ring", "phone")) or word.endswith("call"):
        return "call"
    if word.startswith(("email", "mail", "send")):
        return "email"
    if word.startswith(("meet", "visit")):
        return "meeting"
    if word.startswith("demo"):
        return "demo"
    return "follow_up"


def _query(match: re.Match[str], *, now: datetime, timezone: str, context: CommandContext) -> CommandAction | None:
    verb = (match["verb"] or "").strip().lower()
    entities, coverage = query_read(
        match["body"],
        now=now,
        timezone=timezone,
        users=context.users,
        speaker_id=context.speaker_id,
        sources=context.sources,
    )
    if match.re is patterns.QUERY_ONE and coverage < SINGULAR_QUERY_COVERAGE:
        return None  # "show the hooli lead" names one lead; it is not a list of leads
    if verb.startswith("how many"):
        entities["count"] = True
    strength = (0.92 if verb else 0.8) * (0.6 + 0.4 * coverage)
    return _finish(schema.QUERY_LEADS, entities, [], strength)
