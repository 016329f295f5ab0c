"""The structured action a command becomes, and validation of actions a client posts back.

An action is plain JSON: `{"intent": ..., "entities": {...}, "confidence": 0..1,
"requires_confirmation": bool, "missing": [...], "reply": "..."}`. Writes need confirmation;
reads do not. `action_validate` checks a client-supplied action (typically the one the product
proposed, confirmed by a click or "yes") against the per-intent entity schemas below and raises
`DomainError(message, field=<entity>)` naming what to fix. The server, not the client, decides
whether confirmation is required, so that flag is recomputed rather than trusted.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from crm_saas.errors import DomainError
from voice.commands.lexicon import BANDS, STATUSES

CREATE_LEAD = "create_lead"
UPDATE_LEAD_STATUS = "update_lead_status"
ASSIGN_LEAD = "assign_lead"
ADD_NOTE = "add_note"
SCHEDULE_FOLLOW_UP = "schedule_follow_up"
QUERY_LEADS = "query_leads"
READ_LEAD_SCORE = "read_lead_score"
CONFIRM = "confirm"
CANCEL = "cancel"
HELP = "help"
UNKNOWN = "unknown"

WRITE_INTENTS = frozenset({CREATE_LEAD, UPDATE_LEAD_STATUS, ASSIGN_LEAD, ADD_NOTE, SCHEDULE_FOLLOW_UP})
READ_INTENTS = frozenset({QUERY_LEADS, READ_LEAD_SCORE})
INTENTS = (*sorted(WRITE_INTENTS), *sorted(READ_INTENTS), CONFIRM, CANCEL, HELP, UNKNOWN)
TASKS = ("call", "email", "meeting", "demo", "follow_up")

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
PHONE_RE = re.compile(r"^\+?\d{7,15}$")
MAX_TEXT = 200
MAX_NOTE = 2000


@dataclass
class CommandAction:
    intent: str
    entities: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.0
    requires_confirmation: bool = False
    missing: list[str] = field(default_factory=list)
    reply: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Field:
    kind: str  # text | id | status | email | phone | datetime | bands | statuses | owner | task | bool | candidates
    required: bool = False
    max_length: int = MAX_TEXT


_LEAD_FIELDS = {
    "lead_id": Field("id", required=True),
    "lead_label": Field("text", max_length=300),
    "lead_query": Field("text"),
    "lead_candidates": Field("candidates"),
}
ENTITY_SCHEMAS: dict[str, dict[str, Field]] = {
    CREATE_LEAD: {
        "company": Field("text"),
        "person": Field("text"),
        "email": Field("email", max_length=254),
        "phone": Field("phone"),
    },
    UPDATE_LEAD_STATUS: {**_LEAD_FIELDS, "status": Field("status", required=True)},
    ASSIGN_LEAD: {
        **_LEAD_FIELDS,
        "user_id": Field("id", required=True),
        "user_label": Field("text", max_length=300),
        "user_query": Field("text"),
        "user_candidates": Field("candidates"),
    },
    ADD_NOTE: {**_LEAD_FIELDS, "note": Field("text", required=True, max_length=MAX_NOTE)},
    SCHEDULE_FOLLOW_UP: {
        **_LEAD_FIELDS,
        "due_at": Field("datetime", required=True),
        "task": Field("task"),
        "note": Field("text", max_length=500),
    },
    QUERY_LEADS: {
        "owner": Field("owner"),
        "owner_label": Field("text", max_length=300),
        "band": Field("bands"),
        "status": Field("statuses"),
        "source": Field("text", max_length=100),
        "created_after": Field("datetime"),
        "created_before": Field("datetime"),
        "count": Field("bool"),
    },
    READ_LEAD_SCORE: dict(_LEAD_FIELDS),
    CONFIRM: {},
    CANCEL: {},
    HELP: {},
    UNKNOWN: {},
}


def action_validate(data: dict[str, Any]) -> CommandAction:
    """Check a client-supplied action and return it as a complete CommandAction.

    Raises DomainError naming the field: unknown intent, unknown or mistyped entity, a status
    outside new/contacted/qualified/converted/lost, a malformed email or phone, a datetime without
    offset, text over its length limit, or a write without the entities it needs (e.g. lead_id).
    """
    from voice.commands.replies import action_reply  # replies format actions; schema defines them

    if not isinstance(data, dict):
        raise DomainError("An action must be a JSON object.", field="action")
    intent = data.get("intent")
    if not isinstance(intent, str) or intent not in ENTITY_SCHEMAS:
        raise DomainError(f"Unknown intent {intent!r}. Use one of: {', '.join(INTENTS)}.", field="intent")
    entities = data.get("entities", {})
    if entities is None:
        entities = {}
    if not isinstance(entities, dict):
        raise DomainError("Entities must be a JSON object.", field="entities")
    schema = ENTITY_SCHEMAS[intent]
    clean: dict[str, Any] = {}
    for key, value in entities.items():
        if key not in schema:
            allowed = ", ".join(schema) or "none"
            raise DomainError(f"Unknown entity {key!r} for {intent}. Allowed: {allowed}.", field=key)
        if value is None:
            continue
        clean[key] = _value_check(key, value, schema[key])
    for key, spec in schema.items():
        if spec.required and key not in clean:
            what = "which lead" if key == "lead_id" else key.replace("_", " ")
            raise DomainError(f"Say {what}: {key!r} is required for {intent}.", field=key)
    if intent == CREATE_LEAD and not (clean.get("company") or clean.get("person")):
        raise DomainError("A new lead needs a company or a person.", field="company")
    confidence = data.get("confidence", 1.0)
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        raise DomainError("Confidence must be a number from 0 to 1.", field="confidence")
    return CommandAction(
        intent=intent,
        entities=clean,
        confidence=float(confidence),
        requires_confirmation=intent in WRITE_INTENTS,
        missing=[],
        reply=action_reply(intent, clean, []),
    )


def _value_check(key: str, value: Any, spec: Field) -> Any:
    kind = spec.kind
    if kind == "text":
        if not isinstance(value, str):
            raise DomainError(f"{key!r} must be text.", field=key)
        value = value.strip()
        if not value:
            raise DomainError(f"{key!r} must not be empty.", field=key)
        if len(value) > spec.max_length:
            raise DomainError(f"{key!r} is too long: at most {spec.max_length} characters.", field=key)
        return value
    if kind == "id":
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise DomainError(f"{key!r} must be a positive whole number.", field=key)
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise DomainError(f"{key!r} must be true or false.", field=key)
        return value
    if kind == "status":
        if value not in STATUSES:
            raise DomainError(f"Status {value!r} is not allowed. Use one of: {', '.join(STATUSES)}.", field=key)
        return value
    if kind == "task":
        if value not in TASKS:
            raise DomainError(f"Task {value!r} is not allowed. Use one of: {', '.join(TASKS)}.", field=key)
        return value
    if kind == "email":
        if not isinstance(value, str) or len(value) > spec.max_length or not EMAIL_RE.match(value):
            raise DomainError(f"{value!r} is not a valid email address.", field=key)
        return value.lower()
    if kind == "phone":
        if not isinstance(value, str) or not PHONE_RE.match(value):
            raise DomainError("A phone number is 7 to 15 digits, optionally starting with +.", field=key)
        return value
    if kind == "datetime":
        return _datetime_check(key, value)
    if kind in {"bands", "statuses"}:
        allowed = BANDS if kind == "bands" else STATUSES
        if not isinstance(value, list) or not value or any(item not in allowed for item in value):
            raise DomainError(f"{key!r} must be a list drawn from: {', '.join(allowed)}.", field=key)
        return list(dict.fromkeys(value))
    if kind == "owner":
        if value == "me" or (isinstance(value, int) and not isinstance(value, bool) and value > 0):
            return value
        raise DomainError("'owner' must be \"me\" or a user id.", field=key)
    if kind == "candidates":
        return _candidates_check(key, value)
    raise AssertionError(f"unhandled entity kind {kind}")


def _datetime_check(key: str, value: Any) -> str:
    example = "2026-12-01T15:00:00+01:00"
    if not isinstance(value, str):
        raise DomainError(f"{key!r} must be an ISO 8601 date and time, e.g. {example}.", field=key)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise DomainError(f"{key!r} must be an ISO 8601 date and time, e.g. {example}.", field=key) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise DomainError(f"{key!r} needs a UTC offset, e.g. {example}.", field=key)
    return parsed.isoformat()


def _candidates_check(key: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or len(value) > 20:
        raise DomainError(f"{key!r} must be a list of at most 20 {{id, label}} objects.", field=key)
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"id", "label"}:
            raise DomainError(f"Each of {key!r} must be an object with id and label.", field=key)
        out.append(
            {
                "id": _value_check(key, item["id"], Field("id")),
                "label": _value_check(key, item["label"], Field("text", max_length=300)),
            }
        )
    return out
