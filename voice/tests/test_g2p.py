"""espeak-ng pronunciations mapped to the recogniser's ARPAbet phones (voice/transcription/g2p.py).

Agreement with the CMU dictionary bundled with pocketsphinx (stress removed; a word counts as exact
if any of its dictionary variants matches), measured when this was written: the 258 common words
below 97% exact (mean phone error 0.7%); 1,000 random dictionary entries (mostly rare names and
foreign words) 62% exact, mean phone error 9.9%. The assertions leave a margin under those.
"""

from __future__ import annotations

import random
import re
import subprocess
from collections import defaultdict
from functools import cache

import pytest
from rapidfuzz.distance import Levenshtein

from voice.transcription import g2p
from voice.transcription.g2p import (
    ARPABET,
    arpabet_from_espeak,
    pronounce,
    pronounce_many,
    spoken_tail,
    spoken_words,
)
from voice.transcription.sphinx import sphinx_dictionary_words, sphinx_model_paths

# Everyday and CRM words, as a speaker of commands uses them.
_COMMON_TEXT = """
the of and to in is you that it he was for on are as with his they at be this have from or one had by word but
not what all were we when your can said there use each which she do how their if will up other about out many
then them these so some her would make like him into time has look two more write go see number no way could
people my than first water been call who its now find long down day did get come made may part over new sound
take only little work know place year live me back give most very after thing our just name good sentence man
think say great where help through much before line right too mean old any same tell boy follow came want show
also around form three small set put end does another well large must big even such because turn here why ask
went men read need land different home us move try kind hand picture again change off play spell air away
animal house point page letter mother answer found study still learn should america world lead leads mark
assign note schedule remind meeting company customer contact status qualified contacted converted lost won
dead hot warm cold score proposal pricing demo budget contract signed decision maker holiday email phone
tomorrow morning afternoon monday tuesday wednesday thursday friday saturday sunday today yesterday week month
referral partner event website cancel confirm please yes okay help report dashboard security account manager
sales
"""
COMMON = _COMMON_TEXT.split()


def phones(text: str) -> list[str]:
    return text.split()


@cache
def cmudict() -> dict[str, list[list[str]]]:
    """Every dictionary word with all its pronunciations, stress digits removed."""
    variants: dict[str, list[list[str]]] = defaultdict(list)
    _, path = sphinx_model_paths()
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            word, *phones = line.split()
            variants[word.split("(", 1)[0]].append([re.sub(r"\d", "", phone) for phone in phones])
    return dict(variants)


def agreement(words: list[str]) -> tuple[float, float]:
    """(share of words exactly as in the dictionary, mean phone error rate against the closest variant)."""
    found = pronounce_many(words)
    exact = errors = 0.0
    for word in words:
        ours = (found[word] or "").split()
        best = min(Levenshtein.distance(ours, variant) / len(variant) for variant in cmudict()[word])
        exact += best == 0
        errors += best
    return exact / len(words), errors / len(words)


def test_the_phone_set_is_the_dictionarys():
    used = {phone for variants in cmudict().values() for variant in variants for phone in variant}

    assert used == ARPABET
    assert {phone for value in g2p.ESPEAK_TO_ARPABET.values() for phone in value.split()} <= ARPABET


def test_espeak_phonemes_map_to_arpabet():
    assert arpabet_from_espeak("g_l_'oU_b_E_k_s") == phones("G L OW B EH K S")
    assert arpabet_from_espeak("I_n_'aI_t2_E_k") == phones("IH N AY T EH K")
    # espeak's linking r after an r-coloured vowel is one R in the dictionary ("victory").
    assert arpabet_from_espeak("v_'I_k_t_3_r_i") == phones("V IH K T ER IY")
    # ";" palatalises the vowel before it ("video").
    assert arpabet_from_espeak("v_'I_d_I2_;_oU") == phones("V IH D IY OW")
    assert arpabet_from_espeak("aI_d_'i@") == phones("AY D IY AH")
    assert arpabet_from_espeak("k_l_'i@_r_I2_N") == phones("K L IH R IH NG")
    assert arpabet_from_espeak("g_'Q!") is None  # an unknown mnemonic: no guess
    assert arpabet_from_espeak("") is None


def test_common_words_agree_with_the_dictionary():
    words = [word for word in dict.fromkeys(COMMON) if word in cmudict()]
    exact, phone_error = agreement(words)

    assert len(words) > 250
    assert exact >= 0.9, f"{exact:.1%} of {len(words)} common words exact"
    assert phone_error <= 0.03, f"mean phone error {phone_error:.1%}"


def test_random_dictionary_entries_mostly_agree():
    words = sorted(word for word in cmudict() if re.fullmatch(r"[a-z]{3,}", word))
    sample = random.Random(20261124).sample(words, 1000)
    exact, phone_error = agreement(sample)

    assert exact >= 0.55, f"{exact:.1%} of 1000 random entries exact"
    assert phone_error <= 0.12, f"mean phone error {phone_error:.1%}"


def test_names_missing_from_the_dictionary_get_pronunciations():
    missing = ["initech", "hooli", "cyberdyne", "wonka", "priya", "northwind", "vandelay"]
    assert not set(missing) & sphinx_dictionary_words()

    found = pronounce_many(missing)

    assert found["initech"] == "IH N AY T EH K"
    assert found["hooli"] == "HH UW L IY"
    assert all(found[word] and set(found[word].split()) <= ARPABET for word in missing)
    assert pronounce("Initech") == "IH N AY T EH K"  # case does not matter


def test_what_is_not_a_word_has_no_pronunciation():
    assert pronounce("r2d2") is None
    assert pronounce("") is None
    assert pronounce("-rf") is None
    assert pronounce("o'brien") == "OW B R AY ER N"


def test_pronunciations_are_cached(monkeypatch):
    pronounce("zorblax")  # looked up once

    def no_espeak(*args, **kwargs):
        raise AssertionError("espeak-ng was run again")

    monkeypatch.setattr(subprocess, "run", no_espeak)
    assert pronounce("zorblax") == pronounce("ZORBLAX") is not None


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Meet at 10:30 a.m.", "meet at ten thirty am"),
        ("tomorrow at 4pm", "tomorrow at four pm"),
        ("at 2:00 PM", "at two pm"),
        ("laura@example.com", "laura at example dot com"),
        ("phone 5552184", "phone five five five two one eight four"),
        ("Show my hot leads.", "show my hot leads"),
        ("Tom's leads", "tom's leads"),
        ("in 3 days", "in three days"),
        ("forty-five", "forty five"),
        ("Add a new lead from ABC Corp, OK?", "add a new lead from a b c corp ok"),
    ],
)
def test_spoken_words(written, spoken):
    assert " ".join(spoken_words(written)) == spoken


def test_spoken_tail_keeps_whispers_writing():
    written = "Add a note to Initech, the CEO loves the new dashboard."

    assert spoken_tail(written, 5) == "the CEO loves the new dashboard."
    assert spoken_tail(written, 6) == "CEO loves the new dashboard."
    assert spoken_tail("Meet at 10:30 a.m. sharp", 3) == "thirty am sharp"  # inside "10:30": as spoken
