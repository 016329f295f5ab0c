"""action_validate: a client-posted action is checked against the per-intent entity schemas."""

from __future__ import annotations

import pytest

from crm_saas.errors import DomainError
from voice.commands.schema import INTENTS, WRITE_INTENTS, CommandAction, action_validate


def post(intent: str, **entities) -> dict:
    return {"intent": intent, "entities": entities, "confidence": 0.9, "requires_confirmation": True}


def error_of(data) -> DomainError:
    with pytest.raises(DomainError) as caught:
        action_validate(data)
    return caught.value


def test_a_valid_write_comes_back_complete_and_confirmable():
    action = action_validate(post("update_lead_status", lead_id=12, status="lost", lead_label="Acme Ltd (#12)"))
    assert action == CommandAction(
        intent="update_lead_status",
        entities={"lead_id": 12, "status": "lost", "lead_label": "Acme Ltd (#12)"},
        confidence=0.9,
        requires_confirmation=True,
        missing=[],
        reply="Mark Acme Ltd (#12) as lost?",
    )


def test_the_server_decides_what_needs_confirmation():
    data = post("create_lead", company="ABC Corp")
    data["requires_confirmation"] = False
    assert action_validate(data).requires_confirmation is True
    assert (
        action_validate({"intent": "query_leads", "entities": {}, "requires_confirmation": True}).requires_confirmation
        is False
    )


def test_every_intent_is_known():
    assert set(INTENTS) == {
        "create_lead", "update_lead_status", "assign_lead", "add_note", "schedule_follow_up",
        "query_leads", "read_lead_score", "confirm", "cancel", "help", "unknown",
    }  # fmt: skip
    assert {"create_lead", "update_lead_status", "assign_lead", "add_note", "schedule_follow_up"} == WRITE_INTENTS


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"intent": "delete_lead", "entities": {}}, "intent", "Unknown intent 'delete_lead'"),
        ({"entities": {}}, "intent", "Unknown intent None"),
        ([], "action", "must be a JSON object"),
        ({"intent": "add_note", "entities": "lead 12"}, "entities", "Entities must be a JSON object"),
        (post("update_lead_status", lead_id=12, status="won"), "status", "Status 'won' is not allowed"),
        (post("update_lead_status", status="lost"), "lead_id", "'lead_id' is required for update_lead_status"),
        (post("assign_lead", lead_id=12), "user_id", "'user_id' is required"),
        (post("add_note", lead_id=12), "note", "'note' is required"),
        (post("schedule_follow_up", lead_id=12), "due_at", "'due_at' is required"),
        (post("read_lead_score"), "lead_id", "Say which lead"),
        (post("update_lead_status", lead_id="12", status="lost"), "lead_id", "must be a positive whole number"),
        (post("update_lead_status", lead_id=True, status="lost"), "lead_id", "must be a positive whole number"),
        (post("update_lead_status", lead_id=-3, status="lost"), "lead_id", "must be a positive whole number"),
        (post("update_lead_status", lead_id=12.0, status="lost"), "lead_id", "must be a positive whole number"),
        (post("create_lead", company="ABC", email="john@"), "email", "is not a valid email address"),
        (post("create_lead", company="ABC", email="john at acme dot com"), "email", "is not a valid email address"),
        (post("create_lead", company="ABC", phone="555-1234"), "phone", "7 to 15 digits"),
        (post("create_lead", company="ABC", phone="12345"), "phone", "7 to 15 digits"),
        (post("create_lead", company="x" * 201), "company", "at most 200 characters"),
        (post("create_lead", company=42), "company", "must be text"),
        (post("create_lead", company="   "), "company", "must not be empty"),
        (post("create_lead", email="a@b.co"), "company", "needs a company or a person"),
        (post("create_lead", company="ABC", lead_id=4), "lead_id", "Unknown entity 'lead_id' for create_lead"),
        (post("add_note", lead_id=12, note="n" * 2001), "note", "at most 2000 characters"),
        (post("schedule_follow_up", lead_id=12, due_at="next tuesday"), "due_at", "ISO 8601"),
        (post("schedule_follow_up", lead_id=12, due_at="2026-12-01T15:00:00"), "due_at", "needs a UTC offset"),
        (post("schedule_follow_up", lead_id=12, due_at=1764597600), "due_at", "ISO 8601"),
        (
            post("schedule_follow_up", lead_id=12, due_at="2026-12-01T15:00:00+01:00", task="lunch"),
            "task",
            "not allowed",
        ),
        (post("query_leads", band=["hot"]), "band", "list drawn from: A, B, C, D"),
        (post("query_leads", band="A"), "band", "list drawn from"),
        (post("query_leads", status=["won"]), "status", "list drawn from: new, contacted"),
        (post("query_leads", owner="sarah"), "owner", "'owner' must be \"me\" or a user id"),
        (post("query_leads", created_after="yesterday"), "created_after", "ISO 8601"),
        (post("query_leads", count="yes"), "count", "true or false"),
        (
            post("update_lead_status", lead_id=12, status="lost", lead_candidates=[{"id": 12}]),
            "lead_candidates",
            "id and label",
        ),
        (post("confirm", lead_id=12), "lead_id", "Allowed: none"),
        ({"intent": "help", "entities": {}, "confidence": 1.5}, "confidence", "from 0 to 1"),
        ({"intent": "help", "entities": {}, "confidence": "high"}, "confidence", "from 0 to 1"),
    ],
)
def test_invalid_actions_are_refused_with_a_field(data, field, message):
    error = error_of(data)
    assert error.field == field
    assert message in error.message
    assert error.status_code == 400


def test_valid_values_are_normalised():
    action = action_validate(
        post(
            "schedule_follow_up",
            lead_id=12,
            due_at="2026-12-01T15:00:00+01:00",
            task="call",
            lead_candidates=[{"id": 12, "label": "Acme Ltd (#12)"}],
        )
    )
    assert action.entities["due_at"] == "2026-12-01T15:00:00+01:00"
    assert action.reply == "Schedule a call with lead #12 on Tuesday 1 December 2026 at 15:00?"
    created = action_validate(post("create_lead", person="Jane Roe", email="Jane@Example.COM", phone="+4915112345678"))
    assert created.entities == {"person": "Jane Roe", "email": "jane@example.com", "phone": "+4915112345678"}
    assert created.reply == "Create lead Jane Roe (jane@example.com, +4915112345678)?"


def test_null_entities_are_absent():
    action = action_validate({"intent": "query_leads", "entities": {"band": None, "owner": "me"}})
    assert action.entities == {"owner": "me"}
    assert action_validate({"intent": "help", "entities": None}).entities == {}


def test_queries_describe_their_filters():
    action = action_validate(
        post("query_leads", owner="me", band=["A", "B"], source="referral", created_after="2026-11-23T00:00:00+01:00")
    )
    assert action.reply == "Showing your hot and warm leads from referral created since Monday 23 November."
