"""A tenant's name put back into Whisper's sentence where it misheard one, chosen by the audio (slots.py)."""

from __future__ import annotations

import pytest

from voice.audio import audio_normalise
from voice.commands.grammar import commands_jsgf, grammar_rule_phrases
from voice.speech import speak
from voice.transcription.g2p import phrases_phones, spoken_words, text_phones
from voice.transcription.slots import MAX_SPAN_WORDS, name_filled, name_slot_candidates

LEADS = ["Globex", "Initech", "Hooli", "Umbrella Health", "Jane Cooper", "Summit Logistics"]
USERS = ["Tom Becker", "Priya Patel"]


@pytest.fixture(scope="module")
def grammar() -> str:
    return commands_jsgf(lead_names=LEADS, user_names=USERS, dictionary=None)


def clip(text: str, voice: str = "en-gb-x-rp", speed: int = 170) -> bytes:
    return audio_normalise(speak(text, voice=voice, speed_wpm=speed))


def test_the_grammar_lists_its_names(grammar):
    assert set(grammar_rule_phrases(grammar, "lead_name")) >= {"globex", "umbrella health", "summit logistics"}
    assert "priya patel" in grammar_rule_phrases(grammar, "user_name")
    assert grammar_rule_phrases(grammar, "no_such_rule") == []


def test_many_phrases_sound_as_each_does_alone():
    phrases = ["summit logistics", "", "some enthusiastic", "at 10 am"]

    assert phrases_phones(phrases) == [text_phones(phrase) for phrase in phrases]
    assert phrases_phones(phrases)[1] == []


def test_a_misheard_name_is_a_slot_for_the_names_that_sound_like_it(grammar):
    candidates = name_slot_candidates(grammar, spoken_words("Assign some enthusiastic to me."))

    assert ["assign", "summit", "logistics", "to", "me"] in candidates
    # Only names that sound like the span, and only where the grammar has a name.
    assert not any("hooli" in candidate or "initech" in candidate for candidate in candidates)
    assert all(candidate[0] == "assign" and candidate[-2:] == ["to", "me"] for candidate in candidates)
    assert MAX_SPAN_WORDS >= 2


def test_the_audio_chooses_the_name(grammar):
    said = "assign summit logistics to me"

    assert name_filled(clip(said), jsgf=grammar, words=spoken_words("Assign some enthusiastic to me.")) == said


def test_nothing_is_filled_without_a_name_slot_or_when_whisper_is_right(grammar):
    birthday = clip("happy birthday to you")
    assert name_filled(birthday, jsgf=grammar, words=spoken_words("Happy birthday to you.")) is None
    right = clip("mark globex as qualified")
    assert name_filled(right, jsgf=grammar, words=spoken_words("Mark Globex as qualified.")) is None
    assert name_filled(right, jsgf=grammar, words=[]) is None
