"""Spoken phrasings of every intent, beyond "verb name as status", come back from the grammar recogniser.

Real espeak-ng speech in several voices through the tenant grammar (commands_jsgf) and pocketsphinx:
each sentence below was outside the first command grammar ("we won X", "hand X over to Y", "move X
back to", a possessive, a demo with a relative date), and Whisper alone mishears its names. If a
phrase family is dropped from the grammar, the recogniser cannot return the sentence and the test
fails. The parser then reads the intended command from what was heard; a filler the decoder adds at
an end ("so", "please") is one the parser removes, so only the words between must be the sentence.
A handful of clips (the grammar decoder takes a fraction of a second each). This checks coverage,
not accuracy: bench/voice_commands.py measures how often each voice is heard right.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from voice.audio import audio_normalise
from voice.commands.grammar import commands_jsgf
from voice.commands.parser import CommandContext, LeadRef, UserRef, command_parse
from voice.commands.phrasebook import SPOKEN_CLOSERS, SPOKEN_OPENERS
from voice.speech import speak
from voice.transcription.base import EngineHints
from voice.transcription.registry import engine_get

LEADS = [LeadRef(1, "", "Globex"), LeadRef(2, "", "Initech"), LeadRef(3, "Jane Cooper", ""), LeadRef(4, "", "Hooli")]
USERS = [UserRef(10, "Tom Becker", "tom@crm.test"), UserRef(11, "Priya Patel", "priya@crm.test")]
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(scope="module")
def hints() -> EngineHints:
    names = ["Globex", "Initech", "Jane Cooper", "Hooli"]
    return EngineHints(grammar_jsgf=commands_jsgf(lead_names=names, user_names=["Tom Becker", "Priya Patel"]))


@pytest.mark.parametrize(
    ("text", "voice", "intent", "entities"),
    [
        ("we won globex", "en-us", "update_lead_status", {"lead_id": 1, "status": "converted"}),
        ("hand initech over to priya", "en-us+f3", "assign_lead", {"lead_id": 2, "user_id": 11}),
        (
            "move hooli back to contacted",
            "en-us+f3",
            "update_lead_status",
            {"lead_id": 4, "status": "contacted"},
        ),
        ("what is jane cooper's score", "en-gb-x-rp", "read_lead_score", {"lead_id": 3}),
        (
            "set up a demo with globex tomorrow at ten am",
            "en-us",
            "schedule_follow_up",
            {"lead_id": 1, "due_at": "2026-11-25T10:00:00+01:00"},
        ),
        ("no thanks", "en-us", "cancel", {}),
    ],
)
def test_spoken_phrasings_are_heard_and_understood(hints, text, voice, intent, entities):
    wav = audio_normalise(speak(text, voice=voice, speed_wpm=160))

    heard = engine_get("sphinx-grammar").transcribe(wav, hints=hints)
    action = command_parse(
        heard.text, now=NOW, timezone="Europe/Berlin", context=CommandContext(LEADS, USERS, speaker_id=10)
    )

    assert _without_fillers(heard.text) == _without_fillers(text)
    assert action.intent == intent
    assert {key: action.entities.get(key) for key in entities} == entities


def _without_fillers(text: str) -> str:
    words = text.split()
    while words and words[0] in SPOKEN_OPENERS:
        words.pop(0)
    while words and words[-1] in SPOKEN_CLOSERS:
        words.pop()
    return " ".join(words)
