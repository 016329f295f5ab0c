"""A JSGF grammar of the command language, for a constrained pocketsphinx recogniser.

A grammar makes a small recogniser far more accurate than free dictation, at the price of hearing
only what it lists. It covers the phrase families of every intent (phrasebook.py, shared with the
parser's patterns), with the tenant's own lead and user names:

    create a new lead called <known name | spelled acronym> [phone <digits>]
    mark <lead> as <status> | move <lead> to <status> | we won <lead> | <lead> is not interested
    assign <lead> to <user> | me       hand <lead> over to <user>
    add a note to <lead> [saying] <a few note words>
    remind me to call <lead> <when>    set up a demo with <lead> <when>    call <lead> <when>
    show my hot leads from referral this week       how many leads came from events this month
    what is the score of <lead>        what is <lead>'s score       why is <lead> rated so low
    yes / no thanks / cancel that / help

<when> is a day (tomorrow, the day after tomorrow, [next] <weekday>, in <n> days) with an optional
part of the day or clock time ("at three thirty pm", "at noon"). A new lead's own name is left to
Whisper (see _new_lead_rules).

What speakers put around a command ("um", "could you", "please") is not in it: with those optional
at both ends (measured), the decoder, which has no word for silence, added them where nobody said
them ("uh show my hot leads") and grew slower, while the hybrid engine compares the grammar's text
with Whisper's by sound, which a missing "please" barely changes, and the parser removes fillers.

Every phrase it accepts is one the parser understands (tests/commands/test_grammar.py samples the
grammar and checks this). Words are lower case; a word missing from `dictionary` (the recogniser's
pronouncing dictionary) is dropped from names, a name left empty is omitted, and a fixed phrase or
rule with an unknown word is left out, so the decoder never fails on an unknown word. Digits in
names are spoken digit by digit ("3M" -> "three m").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from voice.commands import phrasebook as pb
from voice.commands.lexicon import (
    BAND_WORDS,
    CANCEL_PHRASES,
    COMPANY_SUFFIXES,
    CONFIRM_PHRASES,
    HELP_PHRASES,
    KNOWN_SOURCES,
    STATUS_SYNONYMS,
    words_split,
)

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
LETTERS = tuple("abcdefghijklmnopqrstuvwxyz")
HOURS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Spoken status words, but not "one": it is how recognisers write "won", and the grammar has "won".
STATUS_WORDS = tuple(word for word in STATUS_SYNONYMS if word != "one")
WINDOWS = ("today", "yesterday", "this week", "last week", "this month", "last month")
SMALL_NUMBERS = ("one", "two", "three", "four", "five", "six")
# A note's free text: the grammar only has to carry the recogniser to the end of the sentence (the
# hybrid engine takes the words from Whisper), so a few common words suffice.
NOTE_WORDS = words_split(
    "they want a demo pricing proposal send call back next week month interested not budget approved "
    "meeting went well follow up later is are no yes contract signed decision maker on holiday email them "
    "us in january february march april may june july august september october november december "
    "the and to of for at by with from it this that there very too new price quote team needs asked"
)
# A note word that ends no other sentence of the grammar: the grammar accepts "<words> demo" exactly
# when <words> is a note's head ("add a note to initech [saying]"), which is how the hybrid engine
# finds where the free text starts (voice.transcription.hybrid.free_text_start).
FREE_TEXT_PROBE = "demo"
FREE_TEXT_LEADS = ("saying",)  # what may stand between a note's head and its text
TOP_RULES = ("create", "mark", "assign", "note", "followup", "query", "score")
REPLY_RULES = ("confirm", "cancel", "help")


def commands_jsgf(*, lead_names: list[str], user_names: list[str], dictionary: frozenset[str] | None = None) -> str:
    """The grammar as JSGF text (`#JSGF V1.0; grammar commands; public <command> = ...;`)."""
    known = _Vocabulary(dictionary)
    leads = _names(lead_names, known, with_variants=True)
    users = _names(user_names, known, with_variants=False)
    rules: dict[str, str] = {
        **_name_rules(leads, users, known),
        **_new_lead_rules(known),
        **_when_rules(known),
        **_command_rules(known),
        "confirm": known.alternatives(sorted(CONFIRM_PHRASES)),
        "cancel": known.alternatives(sorted(CANCEL_PHRASES)),
        "help": known.alternatives(sorted(HELP_PHRASES)),
    }
    rules = _prune(rules, known)
    commands = " | ".join(f"<{name}>" for name in TOP_RULES if name in rules)
    replies = [f"<{name}>" for name in REPLY_RULES if name in rules]
    top = []
    if commands:
        top.append(commands)
    body = " | ".join(top + replies) or "<VOID>"
    lines = ["#JSGF V1.0;", "", "grammar commands;", "", f"public <command> = {body};"]
    lines += [f"<{name}> = {rule};" for name, rule in rules.items()]
    return "\n".join(lines) + "\n"


def grammar_rule_phrases(jsgf: str, rule: str) -> list[str]:
    """The alternatives of one plain rule of a grammar ``commands_jsgf`` wrote ("lead_name" -> the
    lead names as spoken), or [] if the grammar has no such rule."""
    match = re.search(rf"^<{re.escape(rule)}> = (?P<body>[^;]*);$", jsgf, re.MULTILINE)
    if match is None:
        return []
    return [phrase.strip() for phrase in match["body"].split("|") if phrase.strip()]


def grammar_name_words(names: Iterable[str]) -> set[str]:
    """The words the grammar may use for these names, possessives included ("haddad" and "haddad's"),
    so that the caller can ask the recogniser for pronunciations of the ones its dictionary lacks."""
    words: set[str] = set()
    for name in names:
        spoken = _words(name)
        words.update(spoken)
        if spoken:
            words.add(spoken[-1] + "'s")
    return words


def _name_rules(leads: list[str], users: list[str], known: _Vocabulary) -> dict[str, str]:
    user_first = list(dict.fromkeys(name.split()[0] for name in users))
    return {
        "digit": known.alternatives(DIGITS),
        "digits": "<digit> [<digit>] [<digit>] [<digit>] [<digit>] [<digit>]",
        "lead_name": known.alternatives(leads),
        "lead": "<lead_name> | lead [number] <digits>",
        "lead_possessive": known.alternatives(_possessives(leads)),
        "user_name": known.alternatives(users),
        "user": "<user_name> | me | myself",
        "user_possessive": known.alternatives(_possessives([*users, *user_first])),
    }


def _new_lead_rules(known: _Vocabulary) -> dict[str, str]:
    """A new lead: a known name or a spelled acronym ("x y z corp"), and a phone number.

    A new company or person cannot be in the grammar; Whisper hears those (the hybrid engine keeps
    Whisper's text when the grammar's does not sound like it). An open slot of common company-name
    words, first names and surnames was measured and left out: it made the decoder several times
    slower and became a sink that other sentences fell into ("add a note to jane cooper she ..." came
    back as "open z i u q pacific group as a new lead").
    """
    return {
        "letter": known.alternatives(LETTERS),
        "suffix": known.alternatives(sorted(COMPANY_SUFFIXES)),
        "company": "<lead_name> | <letter> <letter> [<letter>] [<letter>] [<suffix>]",
        "phone": "<digit> <digit> <digit> <digit> <digit> <digit> <digit> [<digit>] [<digit>] [<digit>] [<digit>]",
        "new_lead": "<company> [phone <phone>]",
    }


def _when_rules(known: _Vocabulary) -> dict[str, str]:
    """When a follow-up is due, as dates.follow_up_find reads it."""
    return {
        "hour": known.alternatives(HOURS),
        "clock": "at <hour> [fifteen | thirty | forty five] [am | pm] | at noon",
        "part": "morning | afternoon | evening | <clock>",
        "weekday": known.alternatives(WEEKDAYS),
        "small_number": known.alternatives(SMALL_NUMBERS),
        "when": (
            "tomorrow [<part>] | the day after tomorrow [<part>] | [on] [next | this] <weekday> [<part>] "
            "| today <clock> | in <small_number> (days | weeks) [<clock>]"
        ),
    }


def _command_rules(known: _Vocabulary) -> dict[str, str]:
    """The intents' phrase families, from phrasebook.py (the words the parser's patterns are built from)."""
    alt = known.alternatives
    sources = alt(KNOWN_SOURCES)
    return {
        "create_verb": alt(pb.CREATE_VERBS),
        "create_link": alt(("called", "named", "for", "from")),
        "create": ("(<create_verb> [a | an] [new] | new) lead [<create_link>] <new_lead>"),
        "status": alt(STATUS_WORDS),
        # "make lead four two ..." starts a new lead, so "make" is a status verb only in typed text.
        "status_verb": alt(v for v in pb.STATUS_VERBS if v != "make"),
        "outcome_subject": alt(pb.OUTCOME_SUBJECTS),
        "outcome_verb": alt(pb.OUTCOME_VERBS),
        "state_link": alt(pb.STATE_LINKS),
        "mark": (
            "(<status_verb> [the status of] <lead> (as | to | back to) | close <lead> as) <status> "
            "| [<outcome_subject>] <outcome_verb> <lead> | <lead> <state_link> <status> [now]"
        ),
        "assign_verb": alt(pb.ASSIGN_VERBS),
        "hand_verb": alt(pb.HAND_VERBS),
        "assign": (
            "(<assign_verb> | (set | change) the owner of) <lead> to <user> | <hand_verb> <lead> [over] to <user>"
        ),
        "note_verb": alt(pb.NOTE_VERBS),
        "note_noun": alt(pb.NOTE_NOUNS),
        "note_word": alt(NOTE_WORDS),
        "note_text": "<note_word>+",
        "note": (
            "(<note_verb> (a | an) [quick] <note_noun> (to | on | for | about) | <note_noun> (for | on)) "
            "<lead> [saying] <note_text>"
        ),
        "task": alt(task for task in pb.FOLLOW_UP_TASKS if task != "mail"),  # "mail X friday" is too loose
        "planner": alt(p for p in pb.FOLLOW_UP_PLANNERS if p != "setup"),  # one spelling of one sound
        "kind": alt(("follow up", "call", "call back", "meeting", "demo", "check in")),
        "followup": (
            "(remind me to <task> | remind me about | <planner> (a | an) <kind> (with | for) "
            "| set a reminder to <task> | <task>) <lead> <when>"
        ),
        "band": alt(BAND_WORDS),
        "source": sources,
        "window": alt(WINDOWS),
        "query_verb": alt(pb.QUERY_VERBS),
        "filters": "[(from | via) [the] <source>] [<window>]",
        "whose": "my | all | all my | all the | the | <user_possessive>",
        "query": (
            "(<query_verb> [me] [<whose>] [<band> | <status>] leads "
            "| how many [<band> | <status>] leads [(do i have | are there | came | did we get)]) <filters> "
            "| which leads are (<status> | <band>)"
        ),
        "score_ask": alt(pb.SCORE_ASKS),
        "score_noun": alt(pb.SCORE_NOUNS),
        "score": (
            "(<score_ask> the <score_noun> (of | for) | how <score_adjective> is) <lead> "
            "| (what is | what's) <lead_possessive> <score_noun> "
            "| why is <lead> (scored | rated | ranked) so (low | high)"
        ),
        "score_adjective": alt(pb.SCORE_ADJECTIVES),
    }


def _possessives(names: list[str]) -> list[str]:
    """ "omar haddad" -> "omar haddad's" (as speakers say "what is omar haddad's score")."""
    return [f"{name}'s" for name in names if not name.endswith("s")]


class _Vocabulary:
    """The words the recogniser can pronounce (everything, when no dictionary is given)."""

    def __init__(self, dictionary: frozenset[str] | None) -> None:
        self.dictionary = dictionary

    def knows(self, word: str) -> bool:
        return self.dictionary is None or word in self.dictionary

    def alternatives(self, phrases: Iterable[str]) -> str:
        """`a | b c | d` from the phrases whose every word is known; empty if none is."""
        kept = [p for p in dict.fromkeys(phrases) if p and all(self.knows(w) for w in p.split())]
        return " | ".join(kept)


def _names(names: list[str], known: _Vocabulary, *, with_variants: bool) -> list[str]:
    """Names as spoken word sequences; unknown words dropped, empty names left out."""
    out: list[str] = []
    for name in names:
        words = _words(name)
        variants = [words]
        if with_variants:
            # Speakers drop the legal suffix ("acme" for "Acme Ltd").
            stripped = list(words)
            while len(stripped) > 1 and stripped[-1] in COMPANY_SUFFIXES:
                stripped.pop()
            variants.append(stripped)
        elif len(words) > 1:
            variants.append(words[:1])  # first name alone ("assign acme to sarah")
        for variant in variants:
            spoken = " ".join(word for word in variant if known.knows(word))
            if spoken:
                out.append(spoken)
    return list(dict.fromkeys(out))


def _words(name: str) -> list[str]:
    words: list[str] = []
    for token in re.findall(r"[a-z']+|\d", name.lower()):
        token = token.strip("'")
        if token.isdigit():
            words.append(DIGITS[int(token)])
        elif token:
            words.append(token)
    return words


def _prune(rules: dict[str, str], known: _Vocabulary) -> dict[str, str]:
    """Keep only alternatives whose literal words are known and whose rules exist; drop empty rules."""
    rules = dict(rules)
    changed = True
    while changed:
        changed = False
        for name, body in list(rules.items()):
            kept = [alt for alt in _top_alternatives(body) if _usable(alt, rules, known)]
            if not kept:
                del rules[name]
                changed = True
            elif len(kept) != len(_top_alternatives(body)):
                rules[name] = " | ".join(kept)
                changed = True
    return rules


def _usable(alternative: str, rules: dict[str, str], known: _Vocabulary) -> bool:
    literals = re.findall(r"[a-z']+", re.sub(r"<[^>]+>", " ", alternative))
    references = re.findall(r"<([^>]+)>", alternative)
    return all(known.knows(word) for word in literals) and all(ref in rules for ref in references)


def _top_alternatives(body: str) -> list[str]:
    """Split a rule body on its top-level "|" (not those inside brackets or parentheses)."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in body:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "|" and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]
