"""Signals of intent and urgency in a lead's text: curated patterns that work from day one.

Each curated signal is a set of regular expressions (with the common misspellings people type, e.g.
"demmo", "pricng", "budjet", "aproved") worth some points. A match preceded in the same clause by a
negation ("we don't need a demo", "no budget", "not urgent") does not count as the signal: if the
signal has a negated form it becomes that (``budget`` -> ``no_budget``), otherwise it is dropped.
Explicit negative phrasings ("no budget until next year", "just browsing") are signals of their own.

``unsubscribe`` and ``spam`` are *blocking*: a lead whose latest inbound message carries one is Low,
whatever else it says. Tenants add their own phrases (``PrioritySignal``); those get the same
negation handling. Every match keeps its character span, so pages can highlight it in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"  # noqa: E501
WEEKDAYS = r"(?:monday|tuesday|wednesday|thursday|friday|mon|tue|wed|thu|fri)"

# A negation cue this many words (or fewer) before a match, in the same clause, negates it.
NEGATION_WINDOW_WORDS = 4
NEGATION = re.compile(
    r"\b(?:no|not|never|without|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|haven'?t|hasn'?t|won'?t|"
    r"wouldn'?t|can'?t|cannot|nor|neither|zero|lack(?:ing)?)\b",
    re.IGNORECASE,
)
# Negation does not reach across these: "no rush, but we need a demo" keeps the demo.
CLAUSE_BREAK = re.compile(r"[.!?;:\n]|\b(?:but|however|although|though|yet)\b|,", re.IGNORECASE)


@dataclass(frozen=True)
class SignalDef:
    key: str
    label: str  # how the reason reads; "{match}" is replaced by the matched words
    points: int
    patterns: tuple[str, ...]
    negated_key: str | None = None  # what a negated match becomes (None: it is dropped)
    blocking: bool = False  # the lead is Low while its latest inbound message carries it
    negatable: bool = True

    def compiled(self) -> re.Pattern[str]:
        return _compile(self.patterns)


@dataclass(frozen=True)
class SignalMatch:
    key: str
    label: str
    points: int
    start: int
    end: int
    text: str
    blocking: bool = False
    tenant: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "points": self.points,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "blocking": self.blocking,
            "tenant": self.tenant,
        }


@dataclass
class SignalSet:
    """Definitions to match: the curated ones plus a tenant's own."""

    definitions: list[SignalDef] = field(default_factory=list)
    tenant_keys: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self._compiled = [(definition, definition.compiled()) for definition in self.definitions]
        self._by_key = {definition.key: definition for definition in self.definitions}

    def get(self, key: str) -> SignalDef | None:
        return self._by_key.get(key)

    def compiled(self) -> list[tuple[SignalDef, re.Pattern[str]]]:
        return self._compiled


CURATED: tuple[SignalDef, ...] = (
    SignalDef(
        "demo",
        "asked for a demo",
        20,
        (
            r"dem+o(?:s|nstration)?",
            r"free trial|trial (?:account|period|version)|(?:a|the|your) trial",
            r"walk ?-?through",
            r"proof of concept|\bpoc\b|pilot",
            r"see (?:it|the (?:product|platform|tool)) in action",
            r"test ?drive|sandbox",
        ),
    ),
    SignalDef(
        "budget_approved",
        "mentions budget approved",
        22,
        (
            r"budg?j?et (?:(?:is|has been|was|got|now|already|just) )*(?:a+p+rov+ed|allocated|signed off|set aside|in place|confirmed|secured|sorted|ready)",  # noqa: E501
            r"(?:a+p+rov+ed|allocated|confirmed|secured) (?:the )?budg?j?et",
            r"funding (?:is |has been )?(?:secured|approved|in place)",
            r"(?:have|got) (?:the )?budg?j?et",
            r"po (?:is )?ready|purchase order",
        ),
        negated_key="no_budget",
    ),
    SignalDef(
        "no_budget",
        "says there is no budget yet",
        -20,
        (
            r"no budg?j?et",
            r"budg?j?et (?:freeze|frozen|cuts?)",
            r"(?:can'?t|cannot|could not|couldn'?t) afford",
            r"too expensive|out of (?:our|my) (?:price range|budget)",
            r"budg?j?et (?:is|was) (?:not|n'?t) (?:approved|there|available)",
        ),
        negatable=False,
    ),
    SignalDef(
        "budget",
        "mentions budget",
        6,
        (r"budg?j?et(?:ed|ing)?", r"funding"),
        negated_key="no_budget",
    ),
    SignalDef(
        "pricing",
        "asked about pricing",
        8,
        (
            r"pric(?:e|es|ing|ng|eing)",
            r"quot(?:e|ation)",
            r"how much",
            r"cost(?:s)?",
            r"rates?\b",
            r"licen[cs]e fees?",
        ),
    ),
    SignalDef(
        "timeline",
        "timeline: {match}",
        15,
        (
            rf"(?:live|ready|done|running|launch(?:ed)?|in place|up and running|rolled out|decide|decision|sign(?:ed)?) "  # noqa: E501
            rf"(?:\w+ )?(?:by|before|in) (?:the )?(?:end of )?(?:{MONTHS}|q[1-4]|next (?:week|month)|{WEEKDAYS}|the end of (?:the )?(?:month|quarter))",  # noqa: E501
            rf"(?:by|before) (?:the )?(?:end of )?(?:{MONTHS}|q[1-4]|{WEEKDAYS}|next week|the end of (?:the )?(?:month|quarter))",  # noqa: E501
            r"asap|a\.s\.a\.p|urgent(?:ly)?|as soon as possible|right away|immediately",
            r"this (?:week|month|quarter)",
            r"within (?:\d+|a|one|two|three|four|six) (?:days?|weeks?)",
            r"dead ?line|go[- ]live",
        ),
        negated_key="not_now",
    ),
    SignalDef(
        "not_now",
        "not ready to buy yet",
        -15,
        (
            r"just (?:browsing|looking|researching|curious|exploring)",
            r"not (?:ready|in a hurry|urgent|a priority)|no rush|no hurry",
            r"next year|in (?:a few|a couple of|six|6|several) months|maybe later|down the (?:road|line)",
            r"student project|for (?:a|my) (?:school|university|thesis|class)",
            r"early (?:stages?|days)",
        ),
        negatable=False,
    ),
    SignalDef(
        "decision_maker",
        "decision maker",
        10,
        (
            r"(?:i'?m|i am|as) (?:the )?(?:ceo|cto|cfo|coo|founder|co-?founder|owner|managing director|vp|head of \w+|director of \w+)",  # noqa: E501
            r"decision ?maker|sign(?:ing)? authority|final say|i (?:make|sign off) (?:the )?decisions?",
            r"(?:board|leadership|management) (?:has )?(?:approved|signed off)",
        ),
    ),
    SignalDef(
        "team_size",
        "team size: {match}",
        8,
        (r"\d[\d,]* (?:seats|users|licen[cs]es|agents|sales ?reps|reps|people|employees|staff)",),
        negatable=False,
    ),
    SignalDef(
        "meeting",
        "asked for a call",
        8,
        (
            r"(?:book|schedule|set up|arrange) (?:a |an )?(?:call|meeting|chat|time)",
            r"(?:call|ring|phone) me",
            r"talk to (?:sales|someone|a person|your team)",
            r"(?:a |quick )call",
        ),
    ),
    SignalDef(
        "competitor",
        "mentions {match}",
        6,
        (r"salesforce|hubspot|pipedrive|zoho|dynamics 365|freshsales|monday\.com|close\.io",),
        negatable=False,
    ),
    SignalDef(
        "switching",
        "wants to switch tools",
        8,
        (
            r"switch(?:ing)? (?:from|away|over|to)|migrat(?:e|ing) (?:from|away|off)",
            r"replac(?:e|ing) (?:our|the) (?:current|old|existing)|move (?:off|away from)",
        ),
    ),
    SignalDef(
        "complaint",
        "complaint",
        -8,
        (
            r"complain(?:t|ts|ing)?|disappointed|frustrat(?:ed|ing)|terrible|unacceptable|awful|refund",
            r"(?:doesn'?t|does not|isn'?t|is not|not) work(?:ing)?|broken",
        ),
        negatable=False,
    ),
    SignalDef(
        "unsubscribe",
        "asked to unsubscribe",
        -60,
        (
            r"unsubscribe|opt[- ]?out",
            r"remove (?:me|us|my (?:e-?mail|address))",
            r"stop (?:e-?mailing|contacting|calling|sending)",
            r"do not (?:contact|e-?mail|call)|don'?t (?:contact|e-?mail) (?:me|us)",
            r"take (?:me|us) off",
        ),
        blocking=True,
        negatable=False,
    ),
    SignalDef(
        "spam",
        "looks like spam",
        -80,
        (
            r"viagra|cialis|casino|crypto ?currency|bitcoin|forex|lottery|you(?:'ve| have)? won|winner",
            r"seo (?:services|agency|experts?)|backlinks?|guaranteed (?:ranking|traffic|results)|first page of google",
            r"click here|limited time offer|100% free|make money|work from home|loan offer",
            r"dear (?:sir|madam|friend)(?:/madam)?",
        ),
        blocking=True,
        negatable=False,
    ),
)

CURATED_KEYS = frozenset(definition.key for definition in CURATED)
# When both a specific and a general signal match the same words, only the specific one counts.
SUPERSEDES = {"budget_approved": ("budget",), "no_budget": ("budget", "budget_approved")}


def _compile(patterns: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(f"(?:{pattern})" for pattern in patterns) + r")", re.IGNORECASE)


def tenant_definition(*, key: str, label: str, phrases: Iterable[str], points: int) -> SignalDef:
    """A tenant's phrases as a signal: whole words, any case, spaces matching any whitespace."""
    patterns = tuple(r"\s+".join(re.escape(word) for word in phrase.split()) + r"\b" for phrase in phrases if phrase)
    return SignalDef(key=key, label=label, points=points, patterns=patterns or (r"(?!x)x",))


def curated_set() -> SignalSet:
    return _CURATED_SET


_CURATED_SET = SignalSet(list(CURATED))


def _negated(text: str, start: int) -> bool:
    """Is there a negation cue in the few words before ``start``, within the same clause?"""
    window_start = max(0, start - 60)
    before = text[window_start:start]
    breaks = list(CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    words = before.split()[-NEGATION_WINDOW_WORDS:]
    return bool(NEGATION.search(" ".join(words)))


def find_signals(text: str, signal_set: SignalSet | None = None) -> list[SignalMatch]:
    """Every signal in ``text``, in reading order, negation applied, overlapping general ones dropped."""
    signal_set = signal_set or _CURATED_SET
    found: list[SignalMatch] = []
    for definition, pattern in signal_set.compiled():
        for match in pattern.finditer(text):
            if match.end() == match.start():
                continue
            target = definition
            if definition.negatable and _negated(text, match.start()):
                negated = signal_set.get(definition.negated_key) if definition.negated_key else None
                if negated is None:
                    continue
                target = negated
            found.append(
                SignalMatch(
                    key=target.key,
                    label=target.label.replace("{match}", " ".join(match.group(0).split())),
                    points=target.points,
                    start=match.start(),
                    end=match.end(),
                    text=match.group(0),
                    blocking=target.blocking,
                    tenant=target.key in signal_set.tenant_keys,
                )
            )
    return _resolve_overlaps(found)


def _resolve_overlaps(found: list[SignalMatch]) -> list[SignalMatch]:
    """Keep one signal per stretch of text: the specific one ("budget approved") over the general one
    ("budget"), else the longer match; tenant signals and distinct keys elsewhere are all kept."""
    kept: list[SignalMatch] = []
    for match in sorted(found, key=lambda m: (m.start, -(m.end - m.start))):
        clash = next((other for other in kept if other.start < match.end and match.start < other.end), None)
        if clash is None:
            kept.append(match)
            continue
        if clash.key == match.key:
            continue
        if match.key in SUPERSEDES and clash.key in SUPERSEDES[match.key]:
            kept[kept.index(clash)] = match
        elif clash.key in SUPERSEDES and match.key in SUPERSEDES[clash.key]:
            continue
        else:
            kept.append(match)  # different things said in the same words ("demo this week")
    return sorted(kept, key=lambda m: (m.start, m.end))


# Statements that contradict each other: the first one seen (the newest message) stands.
CONFLICTS = (frozenset({"budget_approved", "no_budget"}), frozenset({"timeline", "not_now"}))


def strongest_by_key(matches: Iterable[SignalMatch]) -> dict[str, SignalMatch]:
    """One match per signal, from matches given newest message first.

    A lead asking for a demo three times asked once; "budget approved" in today's e-mail outweighs
    "no budget" in last month's form; a plain mention of budget adds nothing once either is known.
    """
    result: dict[str, SignalMatch] = {}
    for match in matches:
        if match.key in result:
            continue
        group = next((group for group in CONFLICTS if match.key in group), None)
        if group is not None and any(key in result for key in group):
            continue
        result[match.key] = match
    if "budget_approved" in result or "no_budget" in result:
        result.pop("budget", None)
    return result
