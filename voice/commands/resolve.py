"""Resolve a spoken lead or user reference against the tenant's own records, never guessing.

Scoring (rapidfuzz, 0..100) takes the best of several views of each record, because speakers say
"acme", "acme limited", "john smith from acme" or, through a recogniser, "a c me":

- `token_set_ratio` of the query against the name, the company and "name company" (order and
  extra words do not matter; "acme" scores 100 against "Acme Ltd");
- `ratio` of both sides with spaces and punctuation removed ("a c me" == "acme");
- unless the speaker said a legal suffix, the same against the company without its suffix, so
  "acme" ties "Acme Ltd" and "Acme Inc" (ambiguous) while "acme ltd" prefers "Acme Ltd";
- a rough sound key (sound_key: c/ck/ch/q -> k, ph -> f, vowels after the first letter dropped,
  doubled letters merged), so a typed or misheard "initek" finds "Initech". Sound keys are coarse,
  so their score is capped at SOUND_CAP (above MATCH_MIN, but never beating a spelled match) and
  keys shorter than three letters are ignored.

Users are matched the same way on their name and email local part, plus a first name alone
("sara" finds "Sarah Connor"); "me" is the speaker. A recogniser often writes a final "me" as
"meet" ("assign acme to meet"): such a sound-alike (SPEAKER_SOUNDALIKES) is the speaker too, but
only when no user of the workspace answers to the word (a colleague called Meet is still found),
and at SOUNDALIKE_SCORE rather than 1.0. This is safe because an assignment is a write: the reply
names the speaker ("Assign Acme Ltd (#12) to Priya Patel?") and nothing changes until they confirm.

A number ("lead 42", "lead number forty two", "#42", "four two") is matched exactly against the
record's spoken number (its id or external id) and its id; no fuzzy matching on numbers. A single
number word alone ("one", "two") is not taken for a number: recognisers write "won", "to" and
"too" that way ("set one to qualified" is not lead 1); "lead one" and "number one" still are.

Thresholds: a record is a candidate at MATCH_MIN or above; the best candidate is chosen only if
no other candidate is within AMBIGUITY_MARGIN of it, or if it is the only one among the close ones
that the words name exactly ("globex corp" picks "Globex Corp" over "Globe Corp"; "acme" names both
"Acme Ltd" and "Acme Inc" exactly once the suffix is set aside). Otherwise the answer is
"ambiguous" and the caller must ask back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process

from voice.commands.lexicon import COMPANY_SUFFIXES
from voice.commands.normalize import number_read, squash

MATCH_MIN = 80.0
AMBIGUITY_MARGIN = 6.0
MAX_CANDIDATES = 5
SOUND_CAP = 90.0

SPEAKER_WORDS = frozenset({"me", "myself", "i", "mine", "my self"})
SPEAKER_SOUNDALIKES = frozenset({"meet", "mee", "mi"})
SOUNDALIKE_SCORE = 0.9

Status = Literal["matched", "ambiguous", "none"]

_NUMBER_PREFIX_RE = re.compile(r"^(?:(?:the\s+)?lead\s+)?(?:(?:number|no|num|id|#)\s*)?(?P<number>.+)$", re.I)
_CONNECTORS = frozenset({"from", "at", "of", "with", "the", "and", "&"})


@dataclass(frozen=True)
class LeadRef:
    """A lead as the parser sees it; `number` is what people say to name it (id or external id)."""

    id: int
    name: str
    company: str
    number: str | None = None

    @property
    def label(self) -> str:
        title = self.name or self.company or f"Lead {self.id}"
        if self.name and self.company and self.company.lower() not in self.name.lower():
            title = f"{self.name}, {self.company}"
        return f"{title} (#{self.number or self.id})"


@dataclass(frozen=True)
class UserRef:
    id: int
    name: str
    email: str

    @property
    def label(self) -> str:
        return self.name or self.email


@dataclass
class Resolution:
    status: Status
    lead: LeadRef | None = None
    candidates: list[LeadRef] = field(default_factory=list)
    score: float = 0.0  # 0..1: 1.0 for an exact number, the fuzzy score / 100 otherwise


@dataclass
class UserResolution:
    status: Status
    user: UserRef | None = None
    candidates: list[UserRef] = field(default_factory=list)
    score: float = 0.0


class LeadIndex:
    """The tenant's leads prepared for matching once per command.

    Every spoken-name view of every lead (canonical words, letters only, sound key) is listed so
    that rapidfuzz scans them in C; only the short list that can reach MATCH_MIN is then scored
    in full by lead_match_score. This keeps a workspace of 20,000 leads to tens of milliseconds.
    """

    def __init__(self, leads: list[LeadRef]) -> None:
        self.leads = list(leads)
        self.by_number: dict[str, list[LeadRef]] = {}
        self.words: list[str] = []
        self.letters: list[str] = []
        self.sounds: list[str] = []
        self.owners: list[int] = []
        for position, lead in enumerate(self.leads):
            self.by_number.setdefault(str(lead.id), []).append(lead)
            if lead.number and _key(lead.number) != str(lead.id):
                self.by_number.setdefault(_key(lead.number), []).append(lead)
            words, letters, sounds = _views(lead.name, lead.company)
            self.words += words
            self.letters += letters
            self.sounds += sounds
            self.owners += [position] * len(words)

    def shortlist(self, query: str) -> list[LeadRef]:
        """Leads with some view scoring at least MATCH_MIN: a superset of those lead_match_score accepts."""
        positions: set[int] = set()
        for choice_query, choices, scorer in (
            (query, self.words, fuzz.token_set_ratio),
            (squash(query), self.letters, fuzz.ratio),
        ):
            for _, _, index in process.extract(
                choice_query, choices, scorer=scorer, score_cutoff=MATCH_MIN, limit=None
            ):
                positions.add(self.owners[index])
        key = sound_key(query)
        if len(key) >= 3:
            positions.update(self.owners[i] for i, sound in enumerate(self.sounds) if sound == key)
        return [self.leads[position] for position in sorted(positions)]

    def best(self, query: str, scorer: Callable[..., float]) -> float:
        """The best score of `query` against any view, by `scorer` on words and ratio on letters."""
        if not self.words:
            return 0.0
        by_words = process.extractOne(query, self.words, scorer=scorer)
        by_letters = process.extractOne(squash(query), self.letters, scorer=fuzz.ratio)
        return max(by_words[1] if by_words else 0.0, by_letters[1] if by_letters else 0.0)


def lead_resolve(spoken: str, leads: list[LeadRef] | LeadIndex) -> Resolution:
    """Find the lead the speaker means: by exact number first, else by fuzzy name/company."""
    index = leads if isinstance(leads, LeadIndex) else LeadIndex(leads)
    spoken = spoken.strip()
    if not spoken or not index.leads:
        return Resolution("none")
    number = _spoken_number(spoken)
    if number is not None:
        exact = index.by_number.get(number, [])
        if len(exact) == 1:
            return Resolution("matched", exact[0], list(exact), 1.0)
        if exact:
            return Resolution("ambiguous", None, exact[:MAX_CANDIDATES], 1.0)
        if re.match(r"^(?:the\s+)?(?:lead|number|no|#)", spoken, re.I) or spoken.isdigit():
            return Resolution("none")  # a number was clearly meant; a fuzzy name match would be a guess
    query = _canon(spoken)
    if not query:
        return Resolution("none")
    shortlist = index.shortlist(query)
    if not shortlist:
        return Resolution("none", score=index.best(query, fuzz.token_set_ratio) / 100)
    scored = [(lead_match_score(spoken, lead), lead, _lead_exact(spoken, lead)) for lead in shortlist]
    status, chosen, candidates, best = _decide(scored)
    return Resolution(status, chosen, candidates, best)


def lead_match_score(spoken: str, lead: LeadRef) -> float:
    """0..100: how well the spoken words name this lead (see the module docstring)."""
    query = _canon(spoken)
    if not query:
        return 0.0
    has_suffix = any(word in COMPANY_SUFFIXES for word in query.split())
    targets = _targets(lead.name, lead.company)
    if has_suffix and lead.company:
        targets = tuple(t for t in targets if t != _canon(_strip_suffix(lead.company)) or t == _canon(lead.company))
    best = 0.0
    for target in targets:
        best = max(best, fuzz.token_set_ratio(query, target), fuzz.ratio(squash(query), squash(target)))
        query_key, target_key = sound_key(query), sound_key(target)
        if len(query_key) >= 3 and query_key == target_key:
            best = max(best, SOUND_CAP)
    return best


@lru_cache(maxsize=65536)  # the same lead names are keyed on every command
def sound_key(text: str) -> str:
    """A coarse English sound key: "initek", "in a tech" and "Initech" all give "intk"."""
    letters = squash(text)
    if not letters:
        return ""
    for written, sound in (("ph", "f"), ("ck", "k"), ("ch", "k"), ("q", "k"), ("c", "k"), ("x", "ks"), ("z", "s")):
        letters = letters.replace(written, sound)
    key = letters[0] + re.sub(r"[aeiouyhw]", "", letters[1:])
    return re.sub(r"(.)\1+", r"\1", key)


def lead_prefix_score(spoken: str, leads: list[LeadRef] | LeadIndex) -> float:
    """0..100: how well `spoken` *exactly* names some lead, extra words penalised.

    For finding where a lead's name ends in "acme they want a demo": token_set_ratio would give
    every prefix that contains "acme" 100, so this uses token_sort_ratio, which counts extra words.
    """
    index = leads if isinstance(leads, LeadIndex) else LeadIndex(leads)
    number = _spoken_number(spoken)
    if number is not None and number in index.by_number:
        return 100.0
    query = _canon(spoken)
    return index.best(query, fuzz.token_sort_ratio) if query else 0.0


@lru_cache(maxsize=262144)  # the same lead names are prepared on every command
def _views(name: str, company: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A lead's targets as words, as letters only, and as sound keys."""
    targets = _targets(name, company)
    return targets, tuple(squash(t) for t in targets), tuple(sound_key(t) for t in targets)


@lru_cache(maxsize=262144)
def _targets(name: str, company: str) -> tuple[str, ...]:
    """Canonical views of a lead: name, company, both, and the company without its legal suffix."""
    views = (name, company, f"{name} {company}", _strip_suffix(company) if company else "")
    return tuple(dict.fromkeys(view for view in (_canon(v) for v in views) if view))


def user_resolve(spoken: str, users: list[UserRef], *, speaker_id: int | None = None) -> UserResolution:
    """Find the user the speaker means; "me"/"myself" is the speaker, when known."""
    words = _canon(spoken)
    if words in SPEAKER_WORDS:
        return _speaker(users, speaker_id, 1.0)
    if not words:
        return UserResolution("none")
    scored = [(_user_score(words, user), user, words in _user_exact_names(user)) for user in users]
    status, chosen, candidates, best = _decide(scored)
    if status == "none" and words in SPEAKER_SOUNDALIKES and speaker_id is not None:
        return _speaker(users, speaker_id, SOUNDALIKE_SCORE)
    return UserResolution(status, chosen, candidates, best)


def _speaker(users: list[UserRef], speaker_id: int | None, score: float) -> UserResolution:
    speaker = next((user for user in users if user.id == speaker_id), None)
    if speaker is None and speaker_id is not None:
        speaker = UserRef(speaker_id, "you", "")
    return UserResolution("matched", speaker, [speaker], score) if speaker else UserResolution("none")


def _user_targets(user: UserRef) -> list[str]:
    local_part = user.email.split("@")[0].replace(".", " ").replace("_", " ")
    return [t for t in (_canon(user.name), _canon(local_part)) if t]


def _user_exact_names(user: UserRef) -> set[str]:
    """What names a user exactly: full name, email local part, first name ("sarah" names two Sarahs)."""
    targets = _user_targets(user)
    return {*targets, *(t.split()[0] for t in targets)}


def _user_score(query: str, user: UserRef) -> float:
    best = 0.0
    for target in _user_targets(user):
        best = max(best, fuzz.token_set_ratio(query, target), fuzz.ratio(squash(query), squash(target)))
        # A first name alone, slightly misheard ("sara" for "Sarah Connor").
        if " " not in query:
            best = max(best, *(fuzz.ratio(query, part) for part in target.split()))
    return best


def _decide(scored: list[tuple[float, object, bool]]) -> tuple[Status, object | None, list, float]:
    """(score, record, named exactly) triples -> status, chosen record, candidates, best score 0..1."""
    scored = sorted(scored, key=lambda triple: -triple[0])
    candidates = [triple for triple in scored if triple[0] >= MATCH_MIN]
    if not candidates:
        return "none", None, [], (scored[0][0] / 100 if scored else 0.0)
    best = candidates[0][0]
    close = [triple for triple in candidates if best - triple[0] < AMBIGUITY_MARGIN]
    exact = [item for _, item, is_exact in close if is_exact]
    if len(close) > 1 and len(exact) == 1:
        return "matched", exact[0], exact, best / 100
    if len(close) > 1:
        return "ambiguous", None, [item for _, item, _ in close][:MAX_CANDIDATES], best / 100
    return "matched", close[0][1], [close[0][1]], best / 100


def _lead_exact(spoken: str, lead: LeadRef) -> bool:
    query = _canon(spoken)
    return bool(query) and query in _targets(lead.name, lead.company)


def _spoken_number(spoken: str) -> str | None:
    match = _NUMBER_PREFIX_RE.match(spoken.strip())
    body = match["number"] if match else spoken
    if re.fullmatch(r"[A-Za-z]{1,5}-?\d+", body.strip()):
        return _key(body)  # external ids such as "ABC-123"
    if body.strip() == spoken.strip() and re.fullmatch(r"[A-Za-z]+", body.strip()):
        return None  # one number word alone ("one" is how recognisers write "won") names no lead
    value = number_read(body)
    return _key(value) if value else None


def _key(value: str | None) -> str:
    return squash(value or "")


@lru_cache(maxsize=65536)  # the same lead names are canonicalised on every command
def _canon(text: str) -> str:
    """Lower-case words with connectors and possessives dropped, suffix synonyms unified."""
    text = re.sub(r"'s\b", "", text.lower())
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w and w not in _CONNECTORS]
    return " ".join(COMPANY_SUFFIXES.get(w, w).lower() if w in COMPANY_SUFFIXES else w for w in words)


@lru_cache(maxsize=65536)
def _strip_suffix(company: str) -> str:
    words = company.split()
    while len(words) > 1 and words[-1].lower().strip(".,") in COMPANY_SUFFIXES:
        words.pop()
    return " ".join(words)
