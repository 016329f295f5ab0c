"""Pronunciations for words the recogniser's dictionary lacks, from espeak-ng, in ARPAbet.

pocketsphinx's en-us acoustic model knows 39 phones (the CMU/ARPAbet set: AA AE AH ... ZH, plus
SIL and noise). Its bundled CMU dictionary has 126k words but not "Initech", "Hooli" or most new
company names, and a grammar word without a pronunciation cannot be recognised at all. espeak-ng
(already installed for spoken replies) has letter-to-sound rules for any English word:
``espeak-ng -q -x --sep=_ -v en-us`` prints its phoneme mnemonics ("globex" -> ``g_l_'oU_b_E_k_s``),
which ``ESPEAK_TO_ARPABET`` maps onto the model's phones (-> ``G L OW B EH K S``).

Measured against the CMU dictionary (stress removed, any of a word's variants counted): 87% of the
3,000 most frequent English words in Whisper's vocabulary came out exactly, mean phone error 2.4%;
on 6,000 random dictionary entries (mostly rare names) 57% exactly, mean phone error 11%. The
differences are mostly vowel reduction (espeak's IH where the dictionary has AH), which costs the
acoustic match little. voice/tests/test_g2p.py checks the agreement on a fixed sample.

Nothing is downloaded and nothing is written: espeak-ng reads the words on standard input (never
as arguments) and the answers are cached per process.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Iterable

# The phones of pocketsphinx's en-us model (its mdef), without SIL and the noise phones.
ARPABET = frozenset(
    "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH".split()  # noqa: SIM905
)
# espeak-ng's English phoneme mnemonics (en-us voice) -> ARPAbet. Stress marks (' , % =) are removed
# first; ";" (a palatalisation mark) is handled in ``arpabet_from_espeak``. Where one espeak
# phoneme covers several dictionary spellings, the table takes the commonest in the CMU dictionary.
ESPEAK_TO_ARPABET: dict[str, str] = {
    # consonants
    "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "g": "G", "f": "F", "v": "V", "T": "TH", "D": "DH",
    "s": "S", "z": "Z", "S": "SH", "Z": "ZH", "h": "HH", "m": "M", "n": "N", "N": "NG", "l": "L", "r": "R",
    "w": "W", "j": "Y", "tS": "CH", "dZ": "JH",
    "t#": "T", "t2": "T", "d2": "D", "?": "T", "x": "K",  # flapped t, variants, glottal stop, loch
    "n-": "AH N", "m-": "AH M", "l-": "AH L", "@L": "AH L", "r-": "R",  # syllabic consonants
    # vowels
    "I": "IH", "I2": "IH", "I#": "IH", "@": "AH", "@2": "AH", "@5": "AH", "@-": "AH", "V": "AH", "a#": "AH",
    "3": "ER", "3:": "ER", "E": "EH", "E2": "EH", "E3": "EH", "a": "AE", "aa": "AE",
    "i": "IY", "i:": "IY", "i::": "IY", "eI": "EY", "aI": "AY", "oU": "OW", "aU": "AW", "OI": "OY",
    "0": "AA", "A:": "AA", "O": "AO", "O:": "AO", "O2": "AO", "u:": "UW", "U": "UH",
    # r-coloured vowels (US English pronounces the r)
    "A@": "AA R", "o@": "AO R", "O@": "AO R", "e@": "EH R", "i@3": "IH R", "U@": "UH R",
    "aI3": "AY ER", "aI@": "AY ER", "aU@": "AW ER",
    "i@": "IY AH",  # "idea", "previous"; before an r it is IH ("clearing"): see arpabet_from_espeak
}  # fmt: skip
ESPEAK_VOICE = "en-us"
_WORD = re.compile(r"[a-z][a-z']*")
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_ONES += ("thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
# Two to five capitals said letter by letter ("ABC", "CEO"); "OK", "AM" and "PM" are words here.
_ACRONYM = re.compile(r"\b(?!(?:OK|AM|PM)\b)[A-Z]{2,5}\b")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
NUMBER_WORDS = frozenset((*_ONES, *_TENS[2:], "hundred", "thousand"))
_STRESS = "',%="
_PALATAL = ";"
_TIMEOUT_S = 20.0
_CACHE_MAX = 50_000

_lock = threading.Lock()
_cache: dict[str, str | None] = {}


def arpabet_from_espeak(phonemes: str) -> list[str] | None:
    """ARPAbet phones for one word's espeak-ng phonemes (``--sep=_`` form); None if one is unknown."""
    mnemonics = [part.lstrip(_STRESS) for part in re.split(r"[_\s]+", phonemes.strip())]
    mnemonics = [part for part in mnemonics if part]
    phones: list[str] = []
    for index, mnemonic in enumerate(mnemonics):
        following = mnemonics[index + 1] if index + 1 < len(mnemonics) else ""
        if mnemonic == _PALATAL:  # palatalised: "video" v_'I_d_I2_;_oU is V IH D IY OW
            if phones and phones[-1] == "IH":
                phones[-1] = "IY"
            continue
        mapped = ["IH"] if mnemonic == "i@" and following == "r" else ESPEAK_TO_ARPABET.get(mnemonic, "").split()
        if not mapped:
            return None
        for phone in mapped:
            # espeak writes a linking r after an r-coloured vowel ("victory" v_'I_k_t_3_r_i); the
            # dictionary has one: V IH K T ER IY.
            if phone == "R" and phones and phones[-1] in {"R", "ER"}:
                continue
            phones.append(phone)
    return phones or None


def espeak_phonemes(words: list[str]) -> list[str]:
    """espeak-ng's phonemes for each word (one line in, one line out), in the en-us voice."""
    if not words:
        return []
    tool = shutil.which("espeak-ng")
    if tool is None:
        return [""] * len(words)
    result = subprocess.run(  # noqa: S603 (fixed arguments; the words go to standard input)
        [tool, "-q", "-x", "--sep=_", "-v", ESPEAK_VOICE],
        input="\n".join(words) + "\n",
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_S,
        check=False,
    )
    lines = result.stdout.splitlines() if result.returncode == 0 else []
    if len(lines) != len(words):
        if len(words) == 1:
            return [" ".join(lines)]
        # A line that espeak-ng split or joined: fall back to one word per call, so lines never shift.
        return [espeak_phonemes([word])[0] for word in words]
    return lines


def pronounce_many(words: Iterable[str]) -> dict[str, str | None]:
    """``pronounce`` for many words with one espeak-ng call for those not yet cached."""
    wanted = list(dict.fromkeys(word.lower() for word in words))
    with _lock:
        known = {word: _cache[word] for word in wanted if word in _cache}
    missing = [word for word in wanted if word not in known]
    speakable = [word for word in missing if _WORD.fullmatch(word)]
    found: dict[str, str | None] = dict.fromkeys(missing)
    for word, phonemes in zip(speakable, espeak_phonemes(speakable), strict=True):
        phones = arpabet_from_espeak(phonemes)
        found[word] = " ".join(phones) if phones else None
    if found:
        with _lock:
            if len(_cache) + len(found) > _CACHE_MAX:
                _cache.clear()
            _cache.update(found)
    return {word: known[word] if word in known else found[word] for word in wanted}


def pronounce(word: str) -> str | None:
    """ARPAbet phones for one English word ("initech" -> "IH N AY T EH K"), or None.

    None for a word that is not letters (with inner apostrophes), or whose espeak-ng phonemes do
    not all map. Cached per process.
    """
    return pronounce_many([word])[word.lower()]


def text_phones(text: str) -> list[str]:
    """The phones of a whole phrase, for comparing how two transcripts sound (digits said as words).

    The phrase goes to espeak-ng as it is, so "10 am" and "ten a m" sound alike; a phoneme that
    does not map is left out rather than failing the phrase.
    """
    return phrases_phones([text])[0]


def phrases_phones(texts: list[str]) -> list[list[str]]:
    """``text_phones`` of many phrases with one espeak-ng call (a grammar's names, say)."""
    spoken = [re.sub(r"[^A-Za-z0-9' ]+", " ", text).strip() for text in texts]
    said = [phrase for phrase in spoken if phrase]
    heard = dict(zip(said, espeak_phonemes(said), strict=True))
    return [_phones(heard[phrase]) if phrase else [] for phrase in spoken]


def _phones(phonemes: str) -> list[str]:
    phones: list[str] = []
    for word_phonemes in phonemes.split():
        mapped = arpabet_from_espeak(word_phonemes)
        if mapped is None:
            mapped = [phone for token in word_phonemes.split("_") for phone in arpabet_from_espeak(token) or []]
        phones.extend(mapped)
    return phones


def spoken_words(text: str) -> list[str]:
    """A written transcript as the words a speaker said, lower case: what a grammar would contain.

    "Meet at 10:30 a.m." -> meet at ten thirty am; "4pm" -> four pm; "jo@acme.com" -> jo at acme dot
    com; numbers up to 99 as words, longer ones digit by digit (phone numbers); an acronym in capitals
    as its letters ("ABC Corp" -> a b c corp, as the command grammar spells a company it does not
    know); punctuation dropped.
    """
    text = _ACRONYM.sub(lambda match: " ".join(match[0].lower()), text)
    text = text.lower()
    text = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", text)  # "3 p.m." -> "3 pm"
    text = re.sub(r"(\d)([a-z])", r"\1 \2", text)  # "3pm" -> "3 pm"
    text = text.replace("@", " at ")
    text = re.sub(r"(?<=[a-z0-9])\.(?=[a-z])", " dot ", text)  # "acme.com"
    text = re.sub(r"\b(\d{1,2}):(\d\d)\b", lambda m: m[1] if m[2] == "00" else f"{m[1]} {m[2]}", text)
    words: list[str] = []
    for raw in re.sub(r"[^a-z0-9' ]+", " ", text).split():
        word = raw.strip("'")
        if word.isdigit():
            words.extend(_number_words(word))
        elif word:
            words.append(word)
    return words


def _number_words(digits: str) -> list[str]:
    if len(digits) > 2 or (len(digits) == 2 and digits.startswith("0")):
        return [_ONES[int(digit)] for digit in digits]
    number = int(digits)
    if number < 20:
        return [_ONES[number]]
    return [_TENS[number // 10]] + ([_ONES[number % 10]] if number % 10 else [])


def spoken_tail(text: str, start: int) -> str:
    """``text`` from its spoken word number ``start`` on, as written ("…Initech, the CEO loves it." from
    word 5 -> "the CEO loves it."), or as spoken words if that word begins inside a written token."""
    tokens = text.split()
    said = 0
    for index, token in enumerate(tokens):
        if said == start:
            return " ".join(tokens[index:]).lstrip(",;:.!?-")
        said += len(spoken_words(token))
        if said > start:
            break
    return " ".join(spoken_words(text)[start:])
