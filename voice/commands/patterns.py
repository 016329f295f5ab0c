"""Intent patterns: which command a cleaned utterance is, and the raw spans of its entities.

Each pattern is a regular expression over the cleaned text (see normalize.text_clean) with a
*strength* in 0..1 that feeds the confidence: an explicit command ("assign X to Y", "mark X as
won") is strong (0.9-0.97); a looser form ("X is dead", "hot leads" without a verb, "call X
tomorrow") is weaker (0.7-0.85). Intents are tried in a fixed order (parser._parse) that
resolves overlaps: new leads and notes first (their free text may hold any command word), then
follow-ups ("set up a call ..."), assignment before status ("change owner of X to Y"), then
queries, and score questions last ("<lead> score" is the loosest pattern).

Spans are returned raw; the parser resolves leads and users and reads dates, numbers and emails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from voice.commands import schema
from voice.commands.lexicon import STATUS_SYNONYMS
from voice.commands.phrasebook import (
    ASSIGN_VERBS,
    CREATE_LINKS,
    CREATE_VERBS,
    FOLLOW_UP_KINDS,
    FOLLOW_UP_LINKS,
    FOLLOW_UP_PLANNERS,
    FOLLOW_UP_TASKS,
    HAND_VERBS,
    NOTE_LINKS,
    NOTE_NOUNS,
    NOTE_VERBS,
    OUTCOME_VERBS,
    OWNER_VERBS,
    QUERY_VERBS,
    SCORE_ADJECTIVES,
    STATE_LINKS,
    STATUS_LINKS,
    STATUS_VERBS,
    phrases_regex,
)

_I = re.IGNORECASE

_STATUS = (
    "(?:" + "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in sorted(STATUS_SYNONYMS, key=len, reverse=True)) + ")"
)
_LEAD_END = r"(?:'s)?"


@dataclass
class Hit:
    intent: str
    strength: float
    slots: dict[str, str] = field(default_factory=dict)


def _compile(*patterns: tuple[str, float]) -> list[tuple[re.Pattern[str], float]]:
    return [(re.compile(p, _I), s) for p, s in patterns]


_CREATE_VERB = phrases_regex(CREATE_VERBS)
CREATE = _compile(
    (
        rf"^{_CREATE_VERB}\s+(?:a\s+|an\s+)?(?:new\s+)?lead(?:\s+{phrases_regex(CREATE_LINKS)})?"
        r"(?:\s*:)?(?:\s+(?P<rest>.+))?$",
        0.95,
    ),
    (r"^(?:a\s+)?new\s+lead(?:\s+(?:called|named|for|from|with|of|at))?(?:\s*:)?(?:\s+(?P<rest>.+))?$", 0.9),
    (rf"^{_CREATE_VERB}\s+(?P<rest>.+?)\s+as\s+(?:a\s+|an\s+)?(?:new\s+)?lead$", 0.9),
)

_NOTE_VERB = phrases_regex(NOTE_VERBS)
NOTE = _compile(
    (
        rf"^{_NOTE_VERB}\s+(?:a\s+|an\s+|this\s+|the\s+following\s+)?(?:quick\s+|new\s+)?{phrases_regex(NOTE_NOUNS)}\s+"
        rf"{phrases_regex(NOTE_LINKS)}\s+(?P<target>.+)$",
        0.95,
    ),
    (r"^(?:(?:a|the)\s+)?(?:note|comment)\s+(?:for|on|to|about)\s+(?P<target>.+)$", 0.85),
    (rf"^{_NOTE_VERB}\s+(?:a\s+|an\s+)?(?:quick\s+|new\s+)?note$", 0.8),
)

# The words that start a follow-up; only then is a date searched for and cut out of the sentence.
FOLLOW_UP_HEAD = re.compile(
    r"^(?:remind\s+me|schedule|set\s+up|setup|book|plan|arrange|follow\s+up|set\s+(?:a\s+)?reminder|"
    r"(?:create|add|make|set|put\s+in)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:reminder|task|follow\s+up|call|meeting)|"
    r"call|ring|phone|email|contact|meet|visit|ping|reach\s+out|check\s+in|touch\s+base|get\s+back)\b",
    _I,
)
_TASK = (
    rf"(?:{phrases_regex(FOLLOW_UP_TASKS)}|demo\s+(?:to|for)|"
    r"send\s+(?:a\s+|the\s+)?(?:proposal|quote|contract|pricing|email|offer)\s+to)"
)
FOLLOW_UP = _compile(
    (rf"^remind\s+me\s+(?:to\s+)?(?P<task>{_TASK})\s+(?P<lead>.+)$", 0.95),
    (r"^remind\s+me\s+(?:about|of|regarding|to\s+follow\s+up\s+on)\s+(?P<lead>.+)$", 0.9),
    (
        rf"^{phrases_regex((*FOLLOW_UP_PLANNERS, 'create', 'add', 'make', 'put in', 'set'))}\s+"
        rf"(?:a\s+|an\s+|the\s+)?(?:new\s+)?(?P<kind>{phrases_regex(FOLLOW_UP_KINDS)})"
        rf"\s+(?:to\s+(?P<task>{_TASK})\s+|{phrases_regex(FOLLOW_UP_LINKS)}\s+|(?=\S))(?P<lead>.+)$",
        0.95,
    ),
    (r"^follow\s+up\s+(?:with|on)\s+(?P<lead>.+)$", 0.9),
    (rf"^(?P<task>{_TASK})\s+(?P<lead>.+)$", 0.85),  # a bare "call X" is a follow-up only with a date
)

ASSIGN = _compile(
    (rf"^{phrases_regex(ASSIGN_VERBS)}\s+(?P<lead>.+)\s+to\s+(?P<user>.+)$", 0.95),
    (rf"^{phrases_regex(HAND_VERBS)}\s+(?P<lead>.+?)(?:\s+over)?\s+to\s+(?P<user>.+)$", 0.9),
    (
        rf"^{phrases_regex(OWNER_VERBS)}\s+(?:the\s+)?owner(?:ship)?\s+(?:of|for|on)\s+(?P<lead>.+?)\s+to\s+(?P<user>.+)$",
        0.95,
    ),
    (r"^(?:make|set)\s+(?P<user>.+?)\s+(?:as\s+)?(?:the\s+)?owner\s+(?:of|for|on)\s+(?P<lead>.+)$", 0.9),
    (
        r"^(?P<self>i'll|i\s+will|let\s+me|i\s+can|i'm\s+going\s+to)\s+(?:take(?:\s+over)?|handle|own)\s+(?P<lead>.+)$",
        0.85,
    ),
    (r"^let\s+(?P<user>.+?)\s+(?:handle|take(?:\s+over)?|own|have|deal\s+with)\s+(?P<lead>.+)$", 0.85),
    (r"^(?:assign|reassign)\s+(?P<lead>.+)$", 0.8),
)

_STATUS_VERB = phrases_regex(STATUS_VERBS)
STATUS = _compile(
    (
        rf"^{_STATUS_VERB}\s+(?:the\s+)?(?:status\s+(?:of|for)\s+)?(?P<lead>.+?){_LEAD_END}\s+(?:status\s+)?"
        rf"{phrases_regex(STATUS_LINKS)}\s+(?:a\s+|an\s+)?(?P<status>{_STATUS})$",
        0.95,
    ),
    (rf"^(?:mark|flag|tag|make)\s+(?P<lead>.+?)\s+(?:a\s+|an\s+)?(?P<status>{_STATUS})$", 0.85),
    (rf"^close\s+(?P<lead>.+?)\s+as\s+(?P<status>{_STATUS})$", 0.95),
    (
        rf"^(?:we\s+|i\s+)?(?:have\s+|just\s+)?(?P<verb>{phrases_regex(OUTCOME_VERBS)})\s+(?:the\s+)?(?P<lead>.+?)$",
        0.85,
    ),
    (
        rf"^(?:the\s+)?(?:status\s+of\s+)?(?P<lead>.+?)\s+{phrases_regex(STATE_LINKS)}\s+(?:now\s+)?(?:a\s+|an\s+)?(?P<status>{_STATUS})(?:\s+(?:now|anymore|any\s+more))?$",
        0.8,
    ),
    (
        rf"^{_STATUS_VERB}\s+(?:the\s+)?(?:status\s+(?:of|for)\s+)?(?P<lead>.+?)\s+(?:as|to)\s+(?:a\s+|an\s+)?(?P<bad>[\w\s]+)$",
        0.7,
    ),
)
VERB_STATUS = OUTCOME_VERBS

_SCORE_WORD = r"(?:score|scoring|rating|lead\s+score|points)"
SCORE = _compile(
    (
        r"^(?:what(?:'s|\s+is|\s+was|s)?|tell\s+me|give\s+me|show(?:\s+me)?|get|read(?:\s+me)?|check|explain)\s+(?:the\s+)?"
        rf"(?:current\s+)?{_SCORE_WORD}(?:\s+and\s+(?:the\s+)?(?:top\s+)?reasons)?\s+(?:of|for|on)\s+(?P<lead>.+)$",
        0.95,
    ),
    (
        rf"^(?:what(?:'s|\s+is|s)|how\s+about|tell\s+me|show\s+me|explain)\s+(?P<lead>.+?)(?:'s|s)?\s+{_SCORE_WORD}$",
        0.9,
    ),
    (
        r"^why\s+(?:is|was|does|did|has)\s+(?P<lead>.+?)\s+(?:scored|score|scoring|rated|ranked|so|such|only|"
        r"considered|marked|have|has|got|get|a|an|in|hot|warm|cool|cold|low|high|bad|good)\b.*$",
        0.95,
    ),
    (r"^(?:explain|break\s+down)\s+(?:the\s+)?(?:score|scoring|rating)\s+(?:of|for)\s+(?P<lead>.+)$", 0.95),
    (rf"^how\s+{phrases_regex(SCORE_ADJECTIVES)}\s+is\s+(?P<lead>.+)$", 0.9),
    (r"^how\s+(?:is|was|did|does)\s+(?P<lead>.+?)\s+(?:scored|rated|score|scoring|doing)$", 0.9),
    (r"^what\s+(?:does|did)\s+(?P<lead>.+?)\s+score$", 0.9),
    (rf"^(?:{_SCORE_WORD})\s+(?:of|for)\s+(?P<lead>.+)$", 0.85),
    (rf"^(?P<lead>.+?)(?:'s|s)?\s+{_SCORE_WORD}$", 0.75),
)

# "short" is how recognisers often write a spoken "show" ("Short qualified leads.").
_QUERY_VERB = phrases_regex((*QUERY_VERBS, "short", "open", "search", "read", "read out", "tell"))
QUERY = re.compile(
    rf"^(?P<verb>(?:{_QUERY_VERB}(?:\s+me)?"
    r"(?:\s+(?:all|all\s+of|the|a\s+list\s+of|list\s+of|only|just))*"
    r"|(?:what|which|who)\s+(?:are|were|is)(?:\s+the)?|are\s+there\s+any|do\s+i\s+have(?:\s+any)?|any"
    r"|how\s+many)\s+)?(?P<body>(?:.*\s)?(?:leads|prospects|pipeline)(?:\s.*)?)$",
    _I,
)

# "show lead from referral this week": recognisers often drop the plural's "s". The singular is a
# query only after a list verb and when the words after it are filters (or nothing), so "show lead
# 42", "show the lead score of acme" and "call the new lead" keep their meaning.
QUERY_ONE = re.compile(
    rf"^(?P<verb>{phrases_regex((*QUERY_VERBS, 'search'))}"
    r"(?:\s+me)?(?:\s+(?:all|all\s+of|the|only|just))*\s+)"
    r"(?P<body>(?:.*\s)?lead(?:\s+(?:from|via|through|this|last|past|today|yesterday|since|created|added|that|which|"
    r"assigned|owned|came|coming|in\s+the)\b.*)?)$",
    _I,
)

_BULK = re.compile(
    r"^(?:(?:assign|reassign|mark|set|move|change|update|delete|close)\b.*\bleads\b|(?:give|hand)\b.*\bleads\s+to\b)",
    _I,
)


def query_match(text: str) -> re.Match[str] | None:
    """A lead query: its verb (may be empty) and body; tried after every write command."""
    return QUERY.match(text) or QUERY_ONE.match(text)


def early_match(text: str) -> Hit | None:
    """New leads and notes: their free text may contain any other command's words."""
    return _first(schema.CREATE_LEAD, CREATE, text) or _first(schema.ADD_NOTE, NOTE, text)


def late_match(text: str) -> Hit | None:
    """Assignment, then status changes (after follow-ups, before queries)."""
    return _first(schema.ASSIGN_LEAD, ASSIGN, text) or _first(schema.UPDATE_LEAD_STATUS, STATUS, text)


def score_match(text: str) -> Hit | None:
    """Score questions come last: "<lead> score" is the loosest pattern of all."""
    return _first(schema.READ_LEAD_SCORE, SCORE, text)


def follow_up_match(text: str) -> Hit | None:
    return _first(schema.SCHEDULE_FOLLOW_UP, FOLLOW_UP, text)


def bulk_change(text: str) -> bool:
    """True for a change to many leads ("assign all hot leads to sarah"), which voice does not do."""
    return bool(_BULK.match(text))


def status_word(spoken: str) -> str | None:
    """The status a spoken word means ("won" -> converted), or None."""
    return STATUS_SYNONYMS.get(re.sub(r"\s+", " ", spoken.strip().lower()))


def _first(intent: str, table: list[tuple[re.Pattern[str], float]], text: str) -> Hit | None:
    for pattern, strength in table:
        match = pattern.match(text)
        # A lead slot that speaks of "leads" is a query or a bulk change, never one lead.
        if match and not re.search(r"\b(?:leads|pipeline)\b", match.groupdict().get("lead") or "", _I):
            slots = {k: v.strip() for k, v in match.groupdict().items() if v}
            return Hit(intent, strength, slots)
    return None
