"""How the voice command benchmark judges one utterance: expected entities, normalised comparison."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from voice_phrases import Utterance, due_expected
from voice_phrases import window_expected as window_start

TIMEZONE = "Europe/Berlin"
COMPARED = (
    "company",
    "person",
    "email",
    "phone",
    "status",
    "lead_id",
    "user_id",
    "band",
    "source",
    "owner",
    "due_at",
    "created_after",
)


def expected_entities(utterance: Utterance, ids: dict[str, Any], local_now: datetime) -> dict[str, Any]:
    """The compared entities the utterance means, as ``normalised`` writes them."""
    out: dict[str, Any] = {}
    for key, value in utterance.entities.items():
        if key == "lead":
            out["lead_id"] = ids["leads"][value]
        elif key == "user":
            out["user_id"] = ids["users"][value]
        elif key == "owner":
            out["owner"] = "me" if value == "me" else ids["users"][value]
        elif key == "due":
            day, hour = due_expected(value, local_now)
            out["due_at"] = (day.isoformat(), hour)
        elif key == "created_after":
            out["created_after"] = window_start(value, local_now).isoformat()
        elif key != "note":
            out[key] = value
    return normalised(out, ZoneInfo(TIMEZONE))


def normalised(entities: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """Only the compared entities, in one comparable form (names case-insensitive, dates in the zone)."""
    out: dict[str, Any] = {}
    for key in COMPARED:
        value = entities.get(key)
        if value is None:
            continue
        if key in {"company", "person"}:
            value = " ".join(str(value).casefold().strip(" .,").split())
        elif key in {"email", "source"}:
            value = str(value).lower()
        elif key in {"due_at", "created_after"} and isinstance(value, str) and "T" in value:
            moment = datetime.fromisoformat(value).astimezone(zone)
            value = (moment.date().isoformat(), moment.hour) if key == "due_at" else moment.date().isoformat()
        elif isinstance(value, list):
            value = sorted(value)
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def entity_errors(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Compared keys that differ (missing, wrong or extra)."""
    return [key for key in COMPARED if expected.get(key) != got.get(key)]


def note_ok(utterance: Utterance, entities: dict[str, Any]) -> bool | None:
    from voice.transcription.metrics import text_normalise

    if "note" not in utterance.entities:
        return None
    return text_normalise(utterance.entities["note"]) == text_normalise(entities.get("note", ""))


def spoken_form(text: str) -> str:
    """Written forms as they were said, for a fair WER: emails, digit strings, "3:00"."""
    text = re.sub(r"(\S+)@(\S+)", r"\1 at \2", text)
    text = re.sub(r"(?<=[A-Za-z])\.(?=[A-Za-z])", " dot ", text)
    text = re.sub(r"\b(\d{1,2}):00\b", r"\1", text)
    return re.sub(r"\d{3,}", lambda match: " ".join(match[0]), text)


def parsed(text: str, utterance: Utterance, expected: dict[str, Any], speaker: Any) -> dict[str, Any]:
    """``text`` through the parser with the speaker's context and the real clock, checked."""
    from django.utils import timezone

    from voice.commands.parser import command_parse
    from voice.services.commands import command_context

    started = time.perf_counter()
    action = command_parse(text, now=timezone.now(), timezone=TIMEZONE, context=command_context(speaker=speaker))
    spent = time.perf_counter() - started
    return checked(action.intent, action.entities, utterance, expected) | {"parse_ms": round(spent * 1000, 1)}


def checked(intent: str | None, entities: dict[str, Any], utterance: Utterance, expected: dict[str, Any]) -> dict:
    got = normalised(entities, ZoneInfo(TIMEZONE))
    errors = entity_errors(expected, got) if expected else []
    return {
        "intent": intent,
        "intent_ok": intent == utterance.intent,
        "entities": got,
        "entity_errors": errors,
        "entities_ok": not errors if expected else None,
        "note_ok": note_ok(utterance, entities),
    }
