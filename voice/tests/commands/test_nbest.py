"""Choosing between a recogniser's readings of one utterance by what they mean (voice.commands.nbest)."""

from __future__ import annotations

from voice.commands import schema
from voice.commands.nbest import command_complete, command_parse_best, command_unusable
from voice.commands.parser import command_parse
from voice.tests.commands.conftest import BERLIN, NOW_BERLIN


def best(texts: list[str], context) -> tuple[int, schema.CommandAction]:
    return command_parse_best(texts, now=NOW_BERLIN, timezone=BERLIN, context=context)


def parse(text: str, context) -> schema.CommandAction:
    return command_parse(text, now=NOW_BERLIN, timezone=BERLIN, context=context)


def test_a_sentence_that_is_no_command_gives_way_to_a_complete_alternative(context):
    # Whisper wrote an ordinary sentence where a name was said; the grammar heard the command.
    index, action = best(["What do you know about Nadia?", "what is jane doe's score"], context)

    assert index == 1
    assert action.intent == schema.READ_LEAD_SCORE and action.entities["lead_id"] == 8


def test_a_name_that_matches_no_record_gives_way_too(context):
    index, action = best(["Mark Lobeck Zoo as qualified.", "mark globex as qualified"], context)

    assert index == 1 and action.entities["lead_id"] == 42 and action.entities["status"] == "qualified"


def test_a_usable_first_reading_is_never_overruled(context):
    index, action = best(["Mark Globex as qualified.", "mark hooli as lost"], context)

    assert index == 0 and action.entities["lead_id"] == 42


def test_an_ambiguous_or_incomplete_first_reading_is_asked_back_not_replaced(context):
    # Two leads are called Acme: the speaker must be asked, not given the grammar's one name.
    index, action = best(["Mark Acme as qualified.", "mark acme ltd as qualified"], context)
    assert index == 0 and action.missing == ["lead"] and len(action.entities["lead_candidates"]) == 2

    # No date said: ask for one rather than take the date the grammar had to put there.
    index, action = best(["Call Hooli.", "call hooli tomorrow at ten am"], context)
    assert index == 0 and action.missing == ["due_at"]


def test_the_first_reading_stays_when_no_alternative_is_complete(context):
    index, action = best(["happy birthday to you", "mark acme as qualified", ""], context)

    assert index == 0 and action.intent == schema.UNKNOWN


def test_empty_readings_are_skipped(context):
    assert best(["", "yes"], context)[0] == 1
    assert best(["", "  "], context)[1].intent == schema.UNKNOWN
    assert best([], context)[1].intent == schema.UNKNOWN


def test_what_counts_as_usable_and_complete(context):
    assert command_unusable(parse("sing me a song", context))
    assert command_unusable(parse("assign hooli to nobody known", context))
    assert not command_unusable(parse("mark acme as lost", context))  # ambiguous: asked back
    assert not command_complete(parse("mark acme as lost", context))
    assert command_complete(parse("assign hooli to tom baker", context))


def test_an_alternative_must_keep_the_intent_the_first_reading_had(context):
    # Whisper heard the command words and missed the name; the grammar heard another command.
    index, action = best(["Assign Sam Enthusiastic to me.", "add a note to hooli they want a demo"], context)
    assert index == 0 and action.intent == schema.ASSIGN_LEAD and action.missing == ["lead"]

    index, action = best(["Assign Sam Enthusiastic to me.", "assign hooli to me"], context)
    assert index == 1 and action.entities["lead_id"] == 9
