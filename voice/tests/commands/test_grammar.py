"""The JSGF grammar loads into pocketsphinx, drops unknown words, and only says what the parser understands."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from pocketsphinx import Decoder, get_model_path

from voice.commands.grammar import commands_jsgf, grammar_name_words
from voice.commands.lexicon import FILLER_PHRASES, LEADING_FILLERS
from voice.commands.parser import command_parse
from voice.commands.phrasebook import (
    ASSIGN_VERBS,
    CREATE_VERBS,
    FOLLOW_UP_PLANNERS,
    FOLLOW_UP_TASKS,
    HAND_VERBS,
    NOTE_VERBS,
    OUTCOME_VERBS,
    QUERY_VERBS,
    SCORE_ADJECTIVES,
    SPOKEN_CLOSERS,
    SPOKEN_OPENERS,
    STATUS_VERBS,
)
from voice.tests.commands.conftest import BERLIN, LEADS, NOW_BERLIN, USERS, context_make

MODEL = Path(get_model_path()) / "en-us"
DICT_PATH = MODEL / "cmudict-en-us.dict"
LEAD_NAMES = [name for lead in LEADS for name in (lead.name, lead.company) if name]
USER_NAMES = [user.name for user in USERS]
LEAD_42 = re.compile(r"\blead (?:number )?four two\b(?! (?:zero|one|two|three|four|five|six|seven|eight|nine)\b)")
RULE_INTENTS = {
    "create": "create_lead",
    "mark": "update_lead_status",
    "assign": "assign_lead",
    "note": "add_note",
    "followup": "schedule_follow_up",
    "query": "query_leads",
    "score": "read_lead_score",
    "confirm": "confirm",
    "cancel": "cancel",
    "help": "help",
}


@pytest.fixture(scope="module")
def dictionary() -> frozenset[str]:
    with DICT_PATH.open(encoding="utf-8") as handle:
        return frozenset(line.split(None, 1)[0].split("(")[0] for line in handle if line.strip())


@pytest.fixture(scope="module")
def grammar(dictionary) -> str:
    return commands_jsgf(lead_names=LEAD_NAMES, user_names=USER_NAMES, dictionary=dictionary)


@pytest.fixture(scope="module")
def decoder(grammar, tmp_path_factory) -> Decoder:
    path = tmp_path_factory.mktemp("grammar") / "commands.gram"
    path.write_text(grammar, encoding="utf-8")
    return Decoder(hmm=str(MODEL / "en-us"), dict=str(DICT_PATH), jsgf=str(path), loglevel="FATAL")


def test_header_and_top_rule(grammar):
    assert grammar.startswith("#JSGF V1.0;")
    assert "grammar commands;" in grammar
    assert re.search(r"^public <command> = <create> \| <mark> \| <assign>", grammar, re.M)


def test_unknown_words_are_dropped_and_empty_names_left_out(dictionary):
    text = commands_jsgf(
        lead_names=["Hooli", "Zxqv Acme", "Qqzzx", "3M"], user_names=["Xxqq", "Sarah Connor"], dictionary=dictionary
    )
    lead_rule = re.search(r"^<lead_name> = (.*);$", text, re.M)[1]
    assert lead_rule.split(" | ") == ["acme", "three m"]
    assert "qqzzx" not in text and "xxqq" not in text and "hooli" not in text
    assert re.search(r"^<user_name> = sarah connor \| sarah;$", text, re.M)


def test_without_names_the_lead_rule_still_takes_numbers(dictionary):
    text = commands_jsgf(lead_names=[], user_names=[], dictionary=dictionary)
    assert "<lead_name>" not in text
    assert "<lead> = lead [number] <digits>;" in text
    assert "<user> = me | myself;" in text


def test_fixed_phrases_with_unknown_words_are_left_out():
    tiny = frozenset(["yes", "no", "cancel", "stop", "help"])
    text = commands_jsgf(lead_names=["Acme"], user_names=[], dictionary=tiny)
    assert "public <command> = <confirm> | <cancel> | <help>;" in text
    assert "<confirm> = yes;" in text


def test_every_word_is_in_the_bundled_dictionary(grammar, dictionary):
    words = set(re.findall(r"[a-z']+", re.sub(r"<[^>]+>|^#.*$|grammar commands|public", " ", grammar, flags=re.M)))
    assert words <= dictionary


def test_pocketsphinx_loads_the_grammar(decoder):
    fsg = decoder.get_fsg()
    for sentence in [
        "mark acme ltd as won",
        "assign lead four two to me",
        "show my hot leads",
        "show me warm leads from referral this week",
        "what is the score of acme",
        "create lead from a b c corp",
        "remind me to call john smith next tuesday at three pm",
        "yes please",
    ]:
        assert fsg.accept(sentence), sentence
    assert not fsg.accept("mark hooli as won")
    assert not fsg.accept("delete acme ltd")


@pytest.mark.parametrize("body", ["public <command> = zzqxv;", "public <command> = (yes | ;"])
def test_an_unknown_word_or_a_syntax_error_would_fail_the_decoder(body, tmp_path):
    """The failure the word filtering prevents: pocketsphinx refuses a grammar with an unknown word."""
    bad = tmp_path / "bad.gram"
    bad.write_text(f"#JSGF V1.0;\ngrammar commands;\n{body}\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        Decoder(hmm=str(MODEL / "en-us"), dict=str(DICT_PATH), jsgf=str(bad), loglevel="FATAL")


def test_every_referenced_rule_is_defined(grammar):
    # pocketsphinx accepts a reference to a missing rule silently, so check it here.
    defined = set(re.findall(r"^(?:public )?<(\w+)> =", grammar, re.M))
    assert set(re.findall(r"<(\w+)>", grammar)) <= defined


@pytest.mark.parametrize(
    ("sentence", "intent", "entities"),
    [
        ("mark acme ltd as won", "update_lead_status", {"lead_id": 12, "status": "converted"}),
        ("assign lead four two to me", "assign_lead", {"lead_id": 42, "user_id": 3}),
        ("show my hot leads", "query_leads", {"owner": "me", "band": ["A"]}),
        ("what is the score of globex", "read_lead_score", {"lead_id": 42}),
        ("create lead from a b c corp", "create_lead", {"company": "ABC Corp"}),
        (
            "remind me to call john smith next tuesday at three pm",
            "schedule_follow_up",
            {"due_at": "2026-12-01T15:00:00+01:00"},
        ),
        (
            "add a note to umbrella they want a demo in march",
            "add_note",
            {"lead_id": 8, "note": "they want a demo in march"},
        ),
        ("no thanks", "cancel", {}),
    ],
)
def test_the_parser_understands_the_grammars_phrases(sentence, intent, entities, decoder):
    assert decoder.get_fsg().accept(sentence)
    action = command_parse(sentence, now=NOW_BERLIN, timezone=BERLIN, context=context_make())
    assert action.intent == intent
    assert {key: action.entities.get(key) for key in entities} == entities


def test_random_sentences_of_the_grammar_are_understood(grammar, decoder):
    """Sample the grammar itself: every sentence it can produce is accepted and parsed to its rule's intent."""
    rules = _rules(grammar)
    rng = random.Random(7)
    fsg = decoder.get_fsg()
    context = context_make()
    for _ in range(300):
        top = rng.choice(list(RULE_INTENTS))
        sentence = " ".join(_expand(rules[top], rules, rng))
        assert fsg.accept(sentence), sentence
        action = command_parse(sentence, now=NOW_BERLIN, timezone=BERLIN, context=context)
        assert action.intent == RULE_INTENTS[top], (sentence, action)
        if top == "followup":
            assert "due_at" in action.entities, sentence
        if top == "create":
            assert action.entities.get("company") or action.entities.get("person"), sentence
        if top in {"mark", "assign", "note", "followup", "score"} and LEAD_42.search(sentence):
            assert action.entities.get("lead_id") == 42, sentence


# A sampler for the JSGF subset commands_jsgf writes: words, <rules>, ( | ) groups and [ ] options.


def _rules(grammar: str) -> dict[str, list]:
    rules = {}
    for name, body in re.findall(r"^(?:public )?<(\w+)> = (.*);$", grammar, re.M):
        tokens = re.findall(r"<\w+>\+?|[()\[\]|]|[a-z']+", body)
        rules[name], _ = _alternatives(tokens, 0)
    return rules


def _alternatives(tokens: list[str], index: int) -> tuple[list, int]:
    choices, sequence = [], []
    while index < len(tokens) and tokens[index] not in ")]":
        token = tokens[index]
        if token == "|":
            choices.append(sequence)
            sequence = []
            index += 1
        elif token in "([":
            inner, index = _alternatives(tokens, index + 1)
            sequence.append(("optional" if token == "[" else "group", inner))
            index += 1
        else:
            sequence.append(token)
            index += 1
    choices.append(sequence)
    return choices, index


def _expand(choices: list, rules: dict[str, list], rng: random.Random) -> list[str]:
    words: list[str] = []
    for item in rng.choice(choices):
        if isinstance(item, tuple):
            if item[0] == "group" or rng.random() < 0.5:
                words += _expand(item[1], rules, rng)
        elif item.startswith("<"):
            # "<rule>+": one or more, as the note's free text is written
            for _ in range(rng.randint(1, 6) if item.endswith("+") else 1):
                words += _expand(rules[item.strip("<>+")], rules, rng)
        else:
            words.append(item)
    return words


@pytest.mark.parametrize(
    ("sentence", "intent", "entities"),
    [
        ("we won stark industries", "update_lead_status", {"lead_id": 31, "status": "converted"}),
        ("move five guys back to new", "update_lead_status", {"lead_id": 77, "status": "new"}),
        ("john smith is not interested", "update_lead_status", {"lead_id": 42, "status": "lost"}),
        (
            "mark wayne enterprises as closed won",
            "update_lead_status",
            {"lead_id": 63, "status": "converted"},
        ),
        ("hand jane doe over to tom baker", "assign_lead", {"lead_id": 8, "user_id": 2}),
        ("transfer umbrella to myself", "assign_lead", {"lead_id": 8, "user_id": 3}),
        ("leave a comment on five guys saying they want a demo", "add_note", {"lead_id": 77}),
        (
            "set up a demo with maria garcia in three days at four pm",
            "schedule_follow_up",
            {"lead_id": 31, "due_at": "2026-11-27T16:00:00+01:00"},
        ),
        ("call jane doe the day after tomorrow at noon", "schedule_follow_up", {"due_at": "2026-11-26T12:00:00+01:00"}),
        (
            "book a meeting with john smith on friday morning",
            "schedule_follow_up",
            {"due_at": "2026-11-27T09:00:00+01:00"},
        ),
        ("how many qualified leads came from partners this month", "query_leads", {"status": ["qualified"]}),
        ("list all my cold leads", "query_leads", {"owner": "me", "band": ["D"]}),
        ("which leads are hot", "query_leads", {"band": ["A"]}),
        ("how good is stark industries", "read_lead_score", {"lead_id": 31}),
        ("explain the score for maria garcia", "read_lead_score", {"lead_id": 31}),
        (
            "create a lead called x y z corp phone five five five one two three four",
            "create_lead",
            {"company": "XYZ Corp", "phone": "5551234"},
        ),
        ("no thanks", "cancel", {}),
        ("help me", "help", {}),
    ],
)
def test_phrase_families_are_heard_and_understood(sentence, intent, entities, decoder):
    """Phrasings outside the first grammar ("we won X", "hand X over to Y", fillers, "set up a demo ..."):
    in the grammar, so the recogniser can hear them, and parsed to what they mean."""
    assert decoder.get_fsg().accept(sentence), sentence
    action = command_parse(sentence, now=NOW_BERLIN, timezone=BERLIN, context=context_make())
    assert action.intent == intent
    assert {key: action.entities.get(key) for key in entities} == entities


def test_possessive_names_are_in_the_grammar_when_they_can_be_pronounced():
    names = ["Jane Doe", "Globex"]
    words = grammar_name_words(names)
    assert {"doe's", "globex's", "jane", "doe"} <= words
    text = commands_jsgf(lead_names=names, user_names=["Tom Baker"], dictionary=None)
    assert re.search(r"^<lead_possessive> = .*jane doe's", text, re.M)
    assert re.search(r"^<user_possessive> = .*tom's", text, re.M)
    action = command_parse("what is jane doe's score", now=NOW_BERLIN, timezone=BERLIN, context=context_make())
    assert (action.intent, action.entities.get("lead_id")) == ("read_lead_score", 8)


def test_what_speakers_put_around_a_command_is_what_the_parser_removes():
    removed = set(FILLER_PHRASES) | set(LEADING_FILLERS)
    assert set(SPOKEN_OPENERS) <= removed
    assert set(SPOKEN_CLOSERS) <= removed


@pytest.mark.parametrize(
    ("family", "template", "intent"),
    [
        (ASSIGN_VERBS, "{} hooli to tom baker", "assign_lead"),
        (HAND_VERBS, "{} hooli to tom baker", "assign_lead"),
        (tuple(v for v in STATUS_VERBS if v != "make"), "{} hooli as lost", "update_lead_status"),
        (tuple(OUTCOME_VERBS), "we {} hooli", "update_lead_status"),
        (FOLLOW_UP_TASKS, "remind me to {} hooli tomorrow", "schedule_follow_up"),
        (FOLLOW_UP_PLANNERS, "{} a call with hooli tomorrow", "schedule_follow_up"),
        (NOTE_VERBS, "{} a note to hooli they want a demo", "add_note"),
        (CREATE_VERBS, "{} a new lead for acme widgets", "create_lead"),
        (QUERY_VERBS, "{} my hot leads", "query_leads"),
        (SCORE_ADJECTIVES, "how {} is hooli", "read_lead_score"),
    ],
)
def test_every_phrase_of_a_family_is_understood(family, template, intent):
    """The parser's patterns and the grammar take their verbs from the same lists (phrasebook.py)."""
    for phrase in family:
        action = command_parse(template.format(phrase), now=NOW_BERLIN, timezone=BERLIN, context=context_make())
        assert action.intent == intent, template.format(phrase)
