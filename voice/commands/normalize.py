"""Text clean-up for spoken and typed commands, and readers for spoken numbers, emails and phones.

Speech recognisers emit lower-case words without punctuation, hesitations ("um"), numbers as words
("forty two") and emails as words ("john at acme dot com"). Typed text has the opposite habits.
`text_clean` brings both to one form the intent patterns can read: case is kept (so a typed
"ABC Corp" stays as written), punctuation that carries no meaning is dropped, fillers go. Number
words are *not* converted globally: "Five Guys" is a company and "two licences" belongs in a note,
so each entity reader converts numbers only inside its own span.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from voice.commands.lexicon import COMPANY_SUFFIXES, FILLER_PHRASES, LEADING_FILLERS, SHORT_WORDS

UNITS = {
    "zero": 0,
    "oh": 0,
    "o": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "for": 4,  # recognisers write "four" as "for" inside digit strings ("five for two")
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
REPEATS = {"double": 2, "triple": 3}
# Words that are numbers only next to other number words: "for" and "o"/"oh" alone are not numbers.
WEAK_NUMBER_WORDS = frozenset({"for", "o", "oh"})
NUMBER_WORDS = frozenset(UNITS) | frozenset(TENS) | frozenset(REPEATS) | {"hundred", "and"}

_FILLER_RE = re.compile(
    r"(?<![\w'])(?:" + "|".join(re.escape(p) for p in FILLER_PHRASES) + r")(?![\w'])", re.IGNORECASE
)
_LEADING_RE = re.compile(r"^(?:" + "|".join(LEADING_FILLERS) + r")\s+(?=\S)", re.IGNORECASE)

# Recognisers often write a spoken "add" as "and" ("And a note to Acme ...", "And then a new lead
# from ..."), which would then go as a leading filler; before "a lead" or "a note" it is the verb.
# "add a" run together is "another" ("Another lead called Pinecrest ..."), which means the same.
_AND_FOR_ADD_RE = re.compile(r"^and(?:\s+then)?\s+(?=an?\s+(?:new\s+|quick\s+)?(?:lead|note|comment)\b)", re.IGNORECASE)
_ANOTHER_RE = re.compile(r"^another\s+(?=(?:new\s+|quick\s+)?(?:lead|note|comment)\b)", re.IGNORECASE)

_EMAIL_WORD = r"[a-z0-9][a-z0-9_+\-]*"
_EMAIL_SEP = r"(?:\s+(?:dot|period|point|underscore|dash|hyphen|plus)\s+|[._\-+])"
_SPOKEN_EMAIL_RE = re.compile(
    rf"(?<![\w@.])(?P<local>(?:[a-z]\s+){{1,}}[a-z]|{_EMAIL_WORD}(?:{_EMAIL_SEP}{_EMAIL_WORD})*)"
    rf"(?:\s+at\s+the\s+rate(?:\s+of)?\s+|\s+at\s+|\s*@\s*)"
    rf"(?P<domain>{_EMAIL_WORD}(?:(?:\s+(?:dot|period|point)\s+|\.){_EMAIL_WORD})+)(?![\w@])",
    re.IGNORECASE,
)
_SEP_SYMBOLS = {"dot": ".", "period": ".", "point": ".", "underscore": "_", "dash": "-", "hyphen": "-", "plus": "+"}


def text_clean(text: str) -> str:
    """The command as one line: known punctuation handled, spoken emails written, fillers removed."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[\u2013\u2014]", " - ", text)
    text = re.sub(r"\bfollow[\s-]*ups?\b", "follow up", text, flags=re.IGNORECASE)
    text = re.sub(r"\be[\s-]mail\b", "email", text, flags=re.IGNORECASE)
    text = emails_write(text)
    # A colon or a free-standing dash separates a lead from its note; keep it as a token.
    text = re.sub(r"\s*:\s*(?!\d)", " : ", text)
    text = re.sub(r"\s+-+\s+", " : ", text)
    # Periods inside a token (acme.com, 3.30) carry meaning; sentence periods do not.
    text = re.sub(r"(?<!\w)\.+|\.+(?!\w)", " ", text)
    text = re.sub(r"[,;!?\"()\[\]{}…]", " ", text)
    text = _FILLER_RE.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip(" :")


def misheard_add_repair(text: str) -> str:
    """A misheard "add" at the start: "and a note to acme ..." or "another note to acme ..." -> "add a note ..."."""
    return _ANOTHER_RE.sub("add a ", _AND_FOR_ADD_RE.sub("add ", text))


def leading_fillers_strip(text: str) -> str:
    """Drop discourse words at the start ("so", "okay", "now") that do not change the command."""
    previous = None
    while previous != text:
        previous, text = text, _LEADING_RE.sub("", text)
    return text


def emails_write(text: str) -> str:
    """Replace spoken emails ("j dot smith at example dot co dot uk") with written ones."""

    def write(match: re.Match[str]) -> str:
        local, domain = match["local"], match["domain"]
        if re.fullmatch(r"(?:[a-z]\s+)+[a-z]", local, re.IGNORECASE):
            local = local.replace(" ", "")  # spelled letters: "j o e at ..."
        return f"{_email_part(local)}@{_email_part(domain)}"

    return _SPOKEN_EMAIL_RE.sub(write, text)


def _email_part(part: str) -> str:
    part = re.sub(
        r"\s+(dot|period|point|underscore|dash|hyphen|plus)\s+",
        lambda m: _SEP_SYMBOLS[m[1].lower()],
        part,
        flags=re.IGNORECASE,
    )
    return part.replace(" ", "").lower()


def number_groups(words: list[str]) -> list[int] | None:
    """Read number words and digits as a list of spoken groups, or None if a word is not a number.

    "forty two" -> [42]; "four two" -> [4, 2]; "three thirty" -> [3, 30]; "double five" -> [5, 5];
    "one hundred and five" -> [105]; "12" -> [12]. Callers join the groups (ids, phones) or read
    them as clock times.
    """
    groups: list[int] = []
    index = 0
    words = [w.lower() for w in words if w]
    if not words or all(w in WEAK_NUMBER_WORDS | {"and"} for w in words):
        return None
    while index < len(words):
        word = words[index]
        if word.isdigit():
            groups.append(int(word))
            index += 1
        elif word in REPEATS and index + 1 < len(words) and words[index + 1] in UNITS:
            groups.extend([UNITS[words[index + 1]]] * REPEATS[word])
            index += 2
        elif word in TENS:
            value = TENS[word]
            if index + 1 < len(words) and words[index + 1] in UNITS and 0 < UNITS[words[index + 1]] < 10:
                value += UNITS[words[index + 1]]
                index += 1
            groups.append(value)
            index += 1
        elif word in UNITS:
            value = UNITS[word]
            index += 1
            if index < len(words) and words[index] == "hundred":
                value *= 100
                index += 1
                if index < len(words) and words[index] == "and":
                    index += 1
                rest = number_groups(words[index : index + 2]) if index < len(words) else None
                if rest and len(rest) == 1 and rest[0] < 100:
                    value += rest[0]
                    index += 2 if words[index] in TENS and index + 1 < len(words) else 1
            groups.append(value)
        elif word == "and" and groups:
            index += 1
        else:
            return None
    return groups


def number_read(text: str) -> str | None:
    """A spoken or written number as a digit string: "forty two" / "four two" / "#42" -> "42"."""
    words = re.sub(r"[#\-]", " ", text).split()
    groups = number_groups(words)
    if groups is None:
        return None
    return "".join(str(g) for g in groups)


def numbers_to_digits(text: str) -> str:
    """Replace every run of number words with its groups as digits ("in two weeks" -> "in 2 weeks").

    Groups stay apart ("three thirty" -> "3 30") so that a time can be read from them.
    """
    words = text.split()
    out: list[str] = []
    index = 0
    while index < len(words):
        end = index
        while end < len(words) and words[end].lower() in NUMBER_WORDS:
            end += 1
        # "for two weeks": a weak word or "and" neither starts nor ends a number.
        while end > index and words[end - 1].lower() in WEAK_NUMBER_WORDS | {"and"}:
            end -= 1
        start_weak = index < end and words[index].lower() in WEAK_NUMBER_WORDS | {"and"}
        groups = number_groups(words[index:end]) if end > index and not start_weak else None
        if groups is not None:
            out.extend(str(g) for g in groups)
            index = end
        else:
            out.append(words[index])
            index += 1
    return " ".join(out)


def phone_read(text: str) -> str | None:
    """A spoken or written phone number as digits (with a leading + if said), or None.

    "five five five one two three four" -> "5551234"; "plus four four twenty seven ..." -> "+4427...";
    "(555) 123-4567" -> "5551234567". Accepted when it has 7 to 15 digits (E.164 allows 15).
    """
    plus = bool(re.match(r"\s*(?:\+|plus\b)", text, re.IGNORECASE))
    cleaned = re.sub(r"(?i)\bplus\b|[+()\-./]|\b(?:dash|hyphen)\b", " ", text)
    words = cleaned.split()
    groups = number_groups(words)
    if groups is None:
        return None
    digits = "".join(str(g) for g in groups)
    if not 7 <= len(digits) <= 15:
        return None
    return ("+" if plus else "") + digits


def company_case(name: str) -> str:
    """Case a company name sensibly while keeping the speaker's wording.

    Words the speaker typed with capitals stay as typed; spelled letters join into an acronym
    ("a b c corp", and as recognisers write it "a BC Corp" or "A.B.C. Corp" -> "ABC Corp"); short
    unknown words read as acronyms ("ibm" -> "IBM"); legal
    suffixes take their usual casing ("gmbh" -> "GmbH", "llc" -> "LLC"); other words are title-cased.
    """
    words = _letters_join([piece for word in name.split() for piece in _dotted_letters(word)])
    cased = []
    for position, word in enumerate(words):
        lower = word.lower().rstrip(".")
        if position > 0 and COMPANY_SUFFIXES.get(lower, "").lower() == lower:
            cased.append(COMPANY_SUFFIXES[lower])
        elif word != word.lower():
            cased.append(word)
        elif lower.isalpha() and len(lower) <= 3 and lower not in SHORT_WORDS:
            cased.append(lower.upper())
        elif position > 0 and lower in {"and", "of", "the", "for"}:
            cased.append(lower)
        else:
            cased.append(_capitalize(word))
    return " ".join(cased)


def person_case(name: str) -> str:
    """Title-case a person's name unless it was typed with capitals ("o'brien" -> "O'Brien")."""
    if name != name.lower():
        return name
    return " ".join(_capitalize(word) for word in name.split())


def _capitalize(word: str) -> str:
    return re.sub(r"(^|['\-])([a-z])", lambda m: m[1] + m[2].upper(), word.lower())


def _dotted_letters(word: str) -> list[str]:
    """ "A.B.C." -> ["A", "B", "C"]; any other word as it is."""
    if re.fullmatch(r"(?:[A-Za-z]\.){2,}[A-Za-z]?\.?|(?:[A-Za-z]\.)+[A-Za-z]", word):
        return [letter for letter in word if letter.isalpha()]
    return [word]


def _letters_join(words: list[str]) -> list[str]:
    """Join runs of spelled letters into one upper-case word ("a b c" -> "ABC").

    A run is two or more single letters, or single letters next to a short word in capitals: a
    recogniser that hears "A B C Corp" often writes "a BC Corp" or "AB C Corp".
    """
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if (len(word) == 1 and word.isalpha()) or _capitals_piece(word):
            run.append(word)
            continue
        if len(run) >= 2 and any(len(piece) == 1 for piece in run):
            out.append("".join(run).upper())
        else:
            out.extend(run)
        run = []
        if word:
            out.append(word)
    return out


def _capitals_piece(word: str) -> bool:
    """A short word in capitals ("BC") that may be the rest of a spelled acronym."""
    return word.isalpha() and word.isupper() and 2 <= len(word) <= 4


@lru_cache(maxsize=65536)  # called for every lead name on every command
def squash(text: str) -> str:
    """Letters and digits only, lower-case: "A c-me Ltd." -> "acmeltd" (for noise-tolerant matching)."""
    return re.sub(r"[^a-z0-9]", "", text.lower())
