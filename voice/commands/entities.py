"""Readers for the free-form parts of a command: a new lead's details and a query's filters.

Both work on the span a pattern captured and report how much of it they understood, which the
parser folds into the confidence (words nobody explains make a guess less certain).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz

from voice.commands.dates import window_find
from voice.commands.lexicon import (
    BAND_WORDS,
    COMPANY_SUFFIXES,
    FIRST_NAMES,
    KNOWN_SOURCES,
    STATUS_SYNONYMS,
    words_split,
)
from voice.commands.normalize import NUMBER_WORDS, company_case, person_case, phone_read
from voice.commands.resolve import SPEAKER_SOUNDALIKES, SPEAKER_WORDS, UserRef, user_resolve

_I = re.IGNORECASE
_EMAIL_RE = re.compile(
    r"(?:(?:with\s+|and\s+)?(?:(?:the\s+|an?\s+|his\s+|her\s+|their\s+)?e?mail(?:\s+address)?(?:\s+is|\s+of)?\s*:?\s*))?"
    r"(?P<email>[^\s@]+@[^\s@]+\.[^\s@]+)",
    _I,
)
# Whole words only: "tel" inside "Hotels" and "cell" inside "Marcella" are not the keyword.
_PHONE_KEY_RE = re.compile(
    r"(?<![\w'])(?:with\s+|and\s+)?(?:(?:the\s+|a\s+|his\s+|her\s+|their\s+)?"
    r"(?:phone|telephone|mobile|cell|tel)(?:\s+number)?|number)(?:\s+is)?(?![\w'])\s*:?\s*",
    _I,
)
_PHONE_TOKEN = re.compile(r"^(?:\+?[\d()\-.]+|plus|dash|hyphen|" + "|".join(sorted(NUMBER_WORDS)) + r")$", _I)
_PERSON_AT_COMPANY = re.compile(
    r"^(?P<person>.+?)\s+(?P<conn>at|from|of|with|who\s+works\s+at|working\s+at)\s+(?P<company>.+)$", _I
)
_COMPANY_CONTACT = re.compile(
    r"^(?P<company>.+?)\s+(?:with\s+)?(?:contact(?:\s+person|\s+name)?|person|attention|attn)(?:\s+is)?\s+(?P<person>.+)$",
    _I,
)
_PERSON_COMPANY_KEY = re.compile(
    r"^(?P<person>.+?)\s+(?:company|organization|organisation|business)\s+(?P<company>.+)$", _I
)


def lead_details_read(rest: str) -> dict[str, Any]:
    """company / person / email / phone from "john smith at abc corp email john@acme.com phone 555 1234"."""
    entities: dict[str, Any] = {}
    email = _EMAIL_RE.search(rest)
    if email:
        entities["email"] = email["email"].lower().rstrip(".")
        rest = rest[: email.start()] + " " + rest[email.end() :]
    # Every keyword in turn: the first one followed by a readable number is the phone ("Phone House
    # phone five five five ..." skips the company's "Phone").
    for phone_key in _PHONE_KEY_RE.finditer(rest):
        words = rest[phone_key.end() :].split()
        taken = 0
        while taken < len(words) and _PHONE_TOKEN.match(words[taken]):
            taken += 1
        phone = phone_read(" ".join(words[:taken]))
        if phone:
            entities["phone"] = phone
            rest = rest[: phone_key.start()] + " " + " ".join(words[taken:])
            break
    rest = re.sub(r"\s+", " ", rest).strip()
    rest = re.sub(r"^(?:(?:called|named|for|from|the\s+company|company|with|and)\s+)+", "", rest, flags=_I)
    rest = re.sub(r"(?:\s+(?:with|and|who|whose))+$", "", rest, flags=_I).strip()
    person, company = _person_company_split(rest)
    if company:
        entities["company"] = company_case(company)[:200]
    if person:
        entities["person"] = person_case(person)[:200]
    return entities


def _person_company_split(text: str) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    match = _COMPANY_CONTACT.match(text)
    if match:
        return match["person"], match["company"]
    match = _PERSON_COMPANY_KEY.match(text)
    if match:
        return match["person"], match["company"]
    match = _PERSON_AT_COMPANY.match(text)
    if match and _looks_like_person(match["person"], strict=match["conn"].lower() in {"of", "with"}):
        return match["person"], match["company"]
    words = text.split()
    suffix_at = [i for i, w in enumerate(words) if i > 0 and w.lower().strip(".") in COMPANY_SUFFIXES]
    if suffix_at and suffix_at[0] < len(words) - 1 and _looks_like_person(" ".join(words[suffix_at[0] + 1 :])):
        cut = suffix_at[0] + 1  # "abc corp john smith": the company ends at its suffix
        return " ".join(words[cut:]), " ".join(words[:cut])
    if suffix_at and len(words) >= 4 and words[0].lower() in FIRST_NAMES and suffix_at[-1] == len(words) - 1:
        return " ".join(words[:2]), " ".join(words[2:])  # "john smith abc corp"
    if not suffix_at and _looks_like_person(text, strict=True):
        return text, None
    return None, text


def _looks_like_person(text: str, *, strict: bool = False) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 3 or any(w.lower() in COMPANY_SUFFIXES for w in words):
        return False
    return words[0].lower() in FIRST_NAMES or (not strict and len(words) <= 3)


_SOURCE_RE = re.compile(
    r"\b(?:from|via|through|sourced\s+from|that\s+came\s+from|coming\s+from|with\s+source|source)\s+(?P<src>.+?)"
    r"(?=\s+(?:this|last|past|today|yesterday|since|in|that|which|created|added|owned|assigned|for|with|and)\b|$)",
    _I,
)
_OWNER_ME_RE = re.compile(r"\b(?:my|mine|i\s+own|assigned\s+to\s+me|owned\s+by\s+me|for\s+me|of\s+mine)\b", _I)
_OWNER_USER_RE = re.compile(
    r"\b(?:assigned\s+to|owned\s+by|belonging\s+to|of|for)\s+(?P<user>[\w']+(?:\s+[\w']+)?)", _I
)
_OWNER_POSSESSIVE_RE = re.compile(r"\b(?P<user>[a-z]+)'s\b", _I)
# "show tom leads": the recogniser dropped the "'s"; only a colleague's exact name counts then.
_OWNER_BARE_RES = (
    re.compile(r"\b(?P<user>[a-z]+\s+[a-z]+)\s+(?=leads?\b)", _I),
    re.compile(r"\b(?P<user>[a-z]+)\s+(?=leads?\b)", _I),
)
_BAND_RE = re.compile(r"\b(?P<band>hottest|hot|warm|cool|cold|top|best)\b(?!\s+outreach)", _I)
_STATUS_FILTER = {**STATUS_SYNONYMS, "open": ["new", "contacted", "qualified"], "closed": ["converted", "lost"]}
_STATUS_RE = re.compile(r"\b(?P<status>new|open|closed|contacted|qualified|converted|won|lost|dead|disqualified)\b", _I)
_FILLER = frozenset(
    words_split(
        "leads lead prospects pipeline the all of me show list with that are is which in a an any do i "
        "have and or only just currently right now created added came were was from to by on"
    )
)


def query_read(
    body: str, *, now: datetime, timezone: str, users: list[UserRef], speaker_id: int | None, sources: list[str]
) -> tuple[dict[str, Any], float]:
    """Filters of a lead query and the share of its words they explain (0..1)."""
    text = f" {body.lower()} "
    total = len([w for w in text.split() if w not in _FILLER]) or 1
    entities: dict[str, Any] = {}
    window = window_find(text, now=now, timezone=timezone)
    if window:
        (start, end), entities["created_after"], before = window
        if before:
            entities["created_before"] = before
        text = text[:start] + " " + text[end:]
    source = _SOURCE_RE.search(text)
    value = _source_value(source["src"], sources) if source else None
    if value:
        entities["source"] = value
        text = text[: source.start()] + " " + text[source.end() :]
    else:
        for spoken in sorted({*sources, *KNOWN_SOURCES}, key=len, reverse=True):
            match = re.search(rf"\b{re.escape(spoken.lower())}\s+(?=leads?\b)", text)
            if match:
                entities["source"] = _source_value(spoken, sources)
                text = text[: match.start()] + " " + text[match.end() :]
                break
    if _OWNER_ME_RE.search(text):
        entities["owner"] = "me"
        text = _OWNER_ME_RE.sub(" ", text)
    else:
        for regex in (_OWNER_USER_RE, _OWNER_POSSESSIVE_RE, *_OWNER_BARE_RES):
            match = regex.search(text)
            exact = regex in _OWNER_BARE_RES
            found = _owner_find(match["user"], users, speaker_id, exact=exact) if match else None
            if found:
                entities["owner"], entities["owner_label"] = found.id, found.label
                text = text[: match.start()] + " " + text[match.end() :]
                break
    bands = [
        ("A" if m["band"].lower() in {"hottest", "top", "best"} else BAND_WORDS[m["band"].lower()])
        for m in _BAND_RE.finditer(text)
    ]
    if bands:
        entities["band"] = list(dict.fromkeys(bands))
        text = _BAND_RE.sub(" ", text)
    statuses: list[str] = []
    for match in _STATUS_RE.finditer(text):
        word = match["status"].lower()
        if word == "new" and window:
            continue  # "new leads today" means created today, not the status
        found = _STATUS_FILTER[word]
        statuses += found if isinstance(found, list) else [found]
    if statuses:
        entities["status"] = list(dict.fromkeys(statuses))
    text = _STATUS_RE.sub(" ", text)
    unexplained = [w for w in text.split() if w not in _FILLER]
    return entities, max(0.0, 1 - len(unexplained) / total)


def _source_value(spoken: str, sources: list[str]) -> str | None:
    spoken = re.sub(r"^(?:a|an|the)\s+", "", spoken.strip().lower())
    for source in sources:  # the tenant's own sources first
        if source.lower() == spoken or fuzz.ratio(source.lower(), spoken) >= 88:
            return source
    if spoken in KNOWN_SOURCES:
        return KNOWN_SOURCES[spoken]
    if spoken and len(spoken.split()) <= 3 and not re.search(r"\b(?:me|my|leads?)\b", spoken):
        return spoken
    return None


def _owner_find(spoken: str, users: list[UserRef], speaker_id: int | None, *, exact: bool = False) -> UserRef | None:
    if exact:  # a bare name before "leads": the whole name or first name exactly, never "me"
        found = user_resolve(spoken, users, speaker_id=speaker_id)
        words = spoken.lower()
        speaker_word = words in SPEAKER_WORDS or words in SPEAKER_SOUNDALIKES
        return found.user if found.status == "matched" and found.score >= 1.0 and not speaker_word else None
    words = spoken.split()
    for count in (len(words), 1):
        found = user_resolve(" ".join(words[:count]), users, speaker_id=speaker_id)
        if found.status == "matched":
            return found.user
    return None
