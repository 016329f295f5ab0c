"""The utterance table: every case must parse to its intent and entities; harder sets are measured."""

from __future__ import annotations

import json

import pytest

from voice.commands.parser import command_parse
from voice.commands.schema import WRITE_INTENTS, action_validate
from voice.tests.commands.conftest import BERLIN, NOW_BERLIN, context_make
from voice.tests.commands.utterances import HARD, HOLDOUT, TABLE, accuracy_measure


def _id(case) -> str:
    return (case[0][:60] or "<empty>").replace(" ", "_")


@pytest.mark.parametrize("case", TABLE, ids=[_id(c) for c in TABLE])
def test_table_case(case, context):
    text, intent, expected = case
    action = command_parse(text, now=NOW_BERLIN, timezone=BERLIN, context=context)
    assert action.intent == intent, action
    for key, value in expected.items():
        got = action.missing if key == "_missing" else action.entities.get(key)
        assert got == value, f"{key}: {action}"
    assert action.reply
    assert 0.0 <= action.confidence <= 1.0
    assert action.requires_confirmation is (intent in WRITE_INTENTS)


def test_table_is_large_and_fully_understood():
    result = accuracy_measure(TABLE, context_make())
    assert len(TABLE) >= 80
    assert result.intent == 1.0, result.failures
    assert result.entity == 1.0, result.failures


def test_harder_variants_are_measured():
    """Not a specification: guards against regressions and prints the figures for the record."""
    hard = accuracy_measure(HARD, context_make())
    holdout = accuracy_measure(HOLDOUT, context_make())
    print(f"\nHARD    intent {hard.intent:.0%} entity {hard.entity:.0%} (n={len(HARD)})")
    print(f"HOLDOUT intent {holdout.intent:.0%} entity {holdout.entity:.0%} (n={len(HOLDOUT)})")
    assert hard.intent >= 0.8
    assert hard.entity >= 0.7
    assert holdout.intent >= 0.9


def test_complete_actions_survive_a_round_trip_through_validation(context):
    """What the parser proposes, posted back as JSON by a client, validates to the same action."""
    checked = 0
    for text, intent, _ in TABLE:
        action = command_parse(text, now=NOW_BERLIN, timezone=BERLIN, context=context)
        if action.missing or intent == "unknown":
            continue
        posted = json.loads(json.dumps(action.to_dict()))
        validated = action_validate(posted)
        assert validated.entities == action.entities, text
        assert validated.requires_confirmation == action.requires_confirmation
        if action.confidence >= 0.55:
            assert validated.reply == action.reply, text
        checked += 1
    assert checked > 70
