"""A JSGF grammar of the command language, for a constrained pocketsphinx recogniser.

A grammar makes a small recogniser far more accurate than free dictation, at the price of hearing
only what it lists. It covers a bounded but useful part of what parser.command_parse understands,
with the tenant's own lead and user names:

    create lead from <company>            mark <lead> as <status>
    assign <lead> to <user> | me          add a note to <lead> <a few note words>
    remind me to call <lead> <when>       schedule a follow up with <lead> <when>
    show my hot leads from referral this week
    what is the score of <lead>           why is <lead> scored so low
    yes / no / cancel / help

Every phrase it accepts is one the parser understands (tests/commands/test_grammar.py checks
this). Words are lower case; a word missing from `dictionary` (the recogniser's pronouncing
dictionary) is dropped from names, a name left empty is omitted, and a fixed phrase or rule with
an unknown word is left out, so the decoder never fails on an unknown word. Digits in names are
spoken digit by digit ("3M" -> "three m").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from voice.commands.lexicon import BAND_WORDS, COMPANY_SUFFIXES, words_split

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
LETTERS = tuple("abcdefghijklmnopqrstuvwxyz")
HOURS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
STATUS_WORDS = ("new", "contacted", "qualified", "converted", "won", "lost", "dead")
SOURCES = ("referral", "web", "website", "event", "partner", "paid search", "cold outreach", "linkedin")
WINDOWS = ("today", "yesterday", "this week", "last week", "this month", "last month")
CONFIRM = ("yes", "yes please", "yeah", "go ahead", "confirm", "do it", "okay")
CANCEL = ("no", "cancel", "stop", "never mind", "no thanks")
HELP = ("help", "what can i say", "what can you do")
NOTE_WORDS = words_split(
    "they want a demo pricing proposal send call back next week month interested not budget approved "
    "meeting went well follow up later is are no yes contract signed decision maker on holiday email them "
    "us in january february march april may june july august september october november december"
)
SMALL_NUMBERS = ("one", "two", "three", "four", "five", "six")
MAX_NOTE_WORDS = 8


def commands_jsgf(*, lead_names: list[str], user_names: list[str], dictionary: frozenset[str] | None = None) -> str:
    """The grammar as JSGF text (`#JSGF V1.0; grammar commands; public <command> = ...;`)."""
    known = _Vocabulary(dictionary)
    leads = _names(lead_names, known, with_variants=True)
    users = _names(user_names, known, with_variants=False)
    rules: dict[str, str] = {
        "digit": known.alternatives(DIGITS),
        "digits": "<digit> [<digit>] [<digit>] [<digit>] [<digit>] [<digit>]",
        "lead_name": known.alternatives(leads),
        "lead": "<lead_name> | lead [number] <digits>",
        "user_name": known.alternatives(users),
        "user": "<user_name> | me | myself",
        "status": known.alternatives(STATUS_WORDS),
        "suffix": known.alternatives(sorted(COMPANY_SUFFIXES)),
        "letter": known.alternatives(LETTERS),
        "company": "<lead_name> | <letter> <letter> [<letter>] [<letter>] [<suffix>]",
        "hour": known.alternatives(HOURS),
        "clock": "at <hour> [fifteen | thirty | forty five] [am | pm]",
        "weekday": known.alternatives(WEEKDAYS),
        "when": (
            "tomorrow [morning | afternoon | <clock>] | [next] <weekday> [morning | afternoon | <clock>] "
            "| today <clock> | in <small_number> (days | weeks)"
        ),
        "small_number": known.alternatives(SMALL_NUMBERS),
        "band": known.alternatives(BAND_WORDS),
        "source": known.alternatives(SOURCES),
        "window": known.alternatives(WINDOWS),
        "note_word": known.alternatives(NOTE_WORDS),
        "note_text": "<note_word>" + " [<note_word>]" * (MAX_NOTE_WORDS - 1),
        "create": "(create | add) [a] [new] lead [for | from | called] <company>",
        "mark": "(mark | set) <lead> as <status>",
        "assign": "(assign | give) <lead> to <user>",
        "note": "add a note to <lead> [saying] <note_text>",
        "followup": (
            "(remind me to (call | email | meet) | schedule a (follow up | call | meeting) with | follow up with) "
            "<lead> <when>"
        ),
        "query": "(show | list) [me] [my | all] [<band> | <status>] leads [from <source>] [<window>]",
        "score": "what is the score of <lead> | why is <lead> scored so (low | high) | how hot is <lead>",
        "confirm": known.alternatives(CONFIRM),
        "cancel": known.alternatives(CANCEL),
        "help": known.alternatives(HELP),
    }
    rules = _prune(rules, known)
    top = ("create", "mark", "assign", "note", "followup", "query", "score", "confirm", "cancel", "help")
    command = " | ".join(f"<{name}>" for name in top if name in rules)
    lines = ["#JSGF V1.0;", "", "grammar commands;", "", f"public <command> = {command or '<VOID>'};"]
    lines += [f"<{name}> = {body};" for name, body in rules.items()]
    return "\n".join(lines) + "\n"


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
