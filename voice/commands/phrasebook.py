"""The phrase families of the command language, declared once for the parser and the grammar.

patterns.py builds its regular expressions from these lists and grammar.py builds the JSGF rules
the recogniser listens with from the same lists, so a verb added here is both heard and understood
("hand X over to Y", "we won X", "set up a demo with X"). The parser accepts more than the grammar
(free word order, typed text); the grammar takes from each family the phrasings people say aloud.
tests/commands/test_grammar.py samples the grammar and checks the parser understands every sentence.

Plain tuples of lower-case phrases; a phrase of several words is matched with any spacing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# New leads: "<verb> a new lead for X", "<verb> X as a new lead".
CREATE_VERBS = (
    "create", "add", "make", "open", "start", "enter", "log", "register", "set up", "put in", "insert", "capture",
    "save", "record",
)  # fmt: skip
CREATE_LINKS = ("called", "named", "for", "from", "with company", "with", "of", "at", "about")
# Notes: "<verb> a note to X ...".
NOTE_VERBS = (
    "add", "make", "leave", "write", "put", "attach", "log", "create", "save", "take", "record", "jot down", "drop",
    "post",
)  # fmt: skip
NOTE_NOUNS = ("note", "comment")
NOTE_LINKS = ("to", "on", "for", "against", "in", "about", "under")
NOTE_SEPARATORS = ("saying", "that says", "which says", "stating", "reading", "with the text")
# Assignment: "<verb> X to Y"; "<hand verb> X [over] to Y".
ASSIGN_VERBS = ("assign", "reassign", "re assign", "allocate", "transfer", "route")
HAND_VERBS = ("give", "hand", "hand over", "pass")
OWNER_VERBS = ("set", "change", "update", "switch")
# Status changes: "<verb> X as <status>", "<outcome> X" ("we won X"), "X <link> <status>".
STATUS_VERBS = ("mark", "set", "move", "change", "update", "put", "flag", "switch", "make", "turn", "tag")
STATUS_LINKS = ("as", "to", "into", "in", "back to")
STATE_LINKS = (
    "is", "was", "has been", "got", "went", "has gone", "became", "has become", "is now", "turned",
)  # fmt: skip
OUTCOME_SUBJECTS = ("we", "i", "we have", "we just", "i just")
# Spoken verb -> status ("we won X" -> converted).
OUTCOME_VERBS: dict[str, str] = {
    "won": "converted", "closed": "converted", "converted": "converted", "convert": "converted", "signed": "converted",
    "lost": "lost", "dropped": "lost", "disqualified": "lost", "disqualify": "lost",
    "qualified": "qualified", "qualify": "qualified", "requalify": "qualified",
    "contacted": "contacted", "reached out to": "contacted", "reopen": "new", "reopened": "new",
}  # fmt: skip
# Follow-ups: "remind me to <task> X <when>", "<planner> a <kind> with X <when>", "<task> X <when>".
FOLLOW_UP_TASKS = (
    "call back", "call", "ring", "phone", "email", "mail", "contact", "meet with", "meet", "visit", "ping",
    "follow up with", "follow up on", "check in with", "check in on", "reach out to", "touch base with",
    "get back to",
)  # fmt: skip
FOLLOW_UP_PLANNERS = ("schedule", "set up", "setup", "book", "plan", "arrange")
FOLLOW_UP_KINDS = (
    "follow up", "follow up call", "call", "call back", "callback", "meeting", "reminder", "task", "demo", "check in",
)  # fmt: skip
FOLLOW_UP_LINKS = ("with", "for", "on", "about", "regarding")
# Lead queries: "<verb> [me] [all] my hot leads from referral this week".
QUERY_VERBS = (
    "show", "list", "find", "get", "display", "pull up", "bring up", "give", "see", "view", "fetch", "search for",
    "look up",
)  # fmt: skip
# Score questions: "<ask> the score of X", "how <adjective> is X", "why is X <judged> so low".
SCORE_ASKS = ("what is", "what's", "tell me", "give me", "show me", "get", "check", "explain", "read me")
SCORE_NOUNS = ("score", "rating", "lead score")
SCORE_ADJECTIVES = ("hot", "good", "warm", "cold", "likely", "promising", "strong")
SCORE_JUDGED = ("scored", "rated", "ranked")

# What speakers put around a command. Every phrase is one the parser removes (lexicon.FILLER_PHRASES /
# LEADING_FILLERS; tests/commands/test_grammar.py checks it); the grammar leaves them out (grammar.py).
SPOKEN_OPENERS = (
    "um", "uh", "please", "can you", "could you", "can you please", "could you please", "would you",
    "i need to", "i want to", "i'd like to", "okay", "ok", "so", "now", "hey",
)  # fmt: skip
SPOKEN_CLOSERS = ("please", "thanks", "thank you")


def phrases_regex(phrases: Iterable[str]) -> str:
    """A non-capturing regex alternation of the phrases, longest first, any spacing between words."""
    ordered = sorted(dict.fromkeys(phrases), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(phrase).replace(r"\ ", r"\s+") for phrase in ordered) + ")"
