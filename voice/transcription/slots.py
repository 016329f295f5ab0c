"""A tenant's name put back into Whisper's sentence where Whisper misheard it, chosen by the audio.

Whisper tiny.en hears the words of a command well and the tenant's names badly ("Assign some
enthusiastic to me." for "assign summit logistics to me"), while the grammar recogniser knows the
names but, forced onto its whole language, sometimes hears another command. This combines the two
the other way round from the grammar's reading: Whisper's sentence is the frame, and a span of it
(up to MAX_SPAN_WORDS words) is the slot of a lead or user name when putting a name there makes the
sentence one of the grammar's. Every name of the grammar's rule that sounds at least
NAME_MIN_SIMILARITY like the span is a candidate, and the acoustic model chooses among the
candidate sentences (``sphinx_choose``), so the name is the one the audio fits best.

The result is an alternative reading only: the parser takes it when Whisper's own sentence names no
record (voice.commands.nbest), and a write waits for the speaker's confirmation, which names the
record. A name nobody said can still be chosen when the spoken one is not in the workspace and
another sounds alike; the similarity floor keeps that to names that sound like what Whisper heard.
"""

from __future__ import annotations

from functools import lru_cache, partial

from rapidfuzz.distance import Levenshtein

from voice.commands.grammar import grammar_rule_phrases
from voice.transcription.g2p import phrases_phones, text_phones
from voice.transcription.sphinx import sphinx_choose, sphinx_grammar_accepts

NAME_RULES = ("lead_name", "user_name")
MAX_SPAN_WORDS = 4
# On the development set the misheard names Whisper wrote were 0.43-0.57 alike the names said
# ("some enthusiastic" / "summit logistics" 0.43), and the next best name 0.07-0.19 less.
NAME_MIN_SIMILARITY = 0.4
# The acoustic choice is a single decode of one small grammar; more candidates than this (a span
# that sounds like many names) say the span is no name.
MAX_CANDIDATES = 40


@lru_cache(maxsize=16)
def _names_phones(names: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(phones) for phones in phrases_phones(list(names)))


def name_slot_candidates(jsgf: str, words: list[str]) -> list[list[str]]:
    """Whisper's words with one span replaced by a sound-alike name, where the grammar accepts that."""
    accepts = partial(sphinx_grammar_accepts, jsgf)
    candidates: list[list[str]] = []
    for rule in NAME_RULES:
        names = tuple(grammar_rule_phrases(jsgf, rule))
        if not names:
            continue
        probe = names[0].split()  # every name of the rule stands where any other may
        phones = _names_phones(names)
        for start in range(len(words)):
            for end in range(start + 1, min(len(words), start + MAX_SPAN_WORDS) + 1):
                if not accepts([*words[:start], *probe, *words[end:]]):
                    continue
                heard = text_phones(" ".join(words[start:end]))
                for name, name_phones in zip(names, phones, strict=True):
                    if heard and Levenshtein.normalized_similarity(heard, name_phones) >= NAME_MIN_SIMILARITY:
                        candidates.append([*words[:start], *name.split(), *words[end:]])
    unique = list({" ".join(candidate): candidate for candidate in candidates}.values())
    return [] if len(unique) > MAX_CANDIDATES else unique


def name_filled(wav16k: bytes, *, jsgf: str, words: list[str]) -> str | None:
    """Whisper's words with the name the audio fits best in its name slot, or None if there is none."""
    if words == [] or sphinx_grammar_accepts(jsgf, words):
        return None  # nothing to fill, or already a sentence of the grammar
    candidates = name_slot_candidates(jsgf, words)
    if not candidates:
        return None
    choice = sphinx_choose(wav16k, candidates) if len(candidates) > 1 else 0
    return " ".join(candidates[choice]) if choice is not None else None
