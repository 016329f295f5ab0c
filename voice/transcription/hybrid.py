"""Spoken commands heard twice: Whisper for open speech, a grammar recogniser for the command language.

Neither engine is good enough alone on commands (bench/voice_commands.py, bench/voice_engines.py):

- Whisper tiny.en hears any English but mishears what matters most in a command: the tenant's own
  names ("Globex" -> "Lobeck", "Initech" -> "United") and short command words ("show" -> "short").
- pocketsphinx with the tenant's command grammar (``hints.grammar_jsgf``, built by
  ``voice.commands.grammar.commands_jsgf`` with the speaker's lead and user names) returns exactly
  the names and words of the command language, but it forces *every* utterance onto some grammar
  phrase: "remind me to buy milk" comes back as a valid-looking command, and a note's free text or
  a new company's name cannot be in a grammar at all.

This engine runs both on the same audio and keeps the grammar's text only when it *sounds like*
what Whisper heard: when Whisper's near-miss ("Mark Lobeck as qualified") is a garbled version of
the grammar phrase ("mark globex as qualified"), the grammar phrase is right and spelled as the CRM
spells it; when the two differ a lot, the speaker said something the grammar does not cover, and
Whisper's open transcript is returned for the parser to make what it can of (or ask back).

The decision rule (``hybrid_decide``), in order:

1. no grammar hypothesis (no grammar in the hints, or no grammar phrase matched): Whisper's text;
2. Whisper's words (``g2p.spoken_words``: "at 2pm" -> at two pm, "ABC" -> a b c) are themselves a
   sentence of the grammar: Whisper's text (both heard a command; Whisper's language model is the
   better judge of which name or hour of the language it was);
3. the two *sound* alike: the grammar's text. Both texts are turned into ARPAbet phones by espeak-ng
   (``g2p.text_phones``) and compared as ``1 - phone edit distance / length of the longer``
   (rapidfuzz's normalised Levenshtein); alike means >= ``GRAMMAR_MIN_SIMILARITY``;
4. otherwise Whisper's text: the speaker said something the grammar does not cover.

When the grammar's text is kept, two repairs and a check use Whisper's words
(``HybridCommandEngine.grammar_text``): a word Whisper heard differently replaces the grammar's
where the sentence stays in the grammar ("...at three pm" + Whisper's "at 2pm" -> "...at two pm"; a
trailing "today" the grammar added and Whisper did not hear is dropped); a free-text tail (a note's
text after "add a note to <lead>") is taken from Whisper when the two tails sound different and the
acoustic model prefers Whisper's (``_free_tail``); and if the result still has a number Whisper did
not hear, Whisper's text is kept after all (``numbers_heard``).

The reading not kept goes with the transcript (``recognition["alternatives"]``): Whisper's when the
grammar's won; when Whisper's won, Whisper's sentence with a misheard name replaced as the audio
decides (voice.transcription.slots) and the grammar's reading if at least ALTERNATIVE_MIN_SIMILARITY
alike. The parser falls back on them only when the transcript is no usable command
(voice.commands.nbest).

The threshold was tuned by bench/voice_hybrid_tuning.py on its own 54 utterances (another tenant's
names, other phrasings, other voice assignments, open commands and unrelated sentences; none of
bench/voice_commands.py's): Whisper alone made 29 parse to the right command, the grammar's text
(with the repairs) 30, one or the other 43; the hybrid 42 for every threshold from 0.46 to 0.59 (41
at 0.30-0.45, where one unrelated sentence became a command; 38 at 0.75), and 0.53 is the middle of
that range. ``numbers_heard`` costs one of the 54 (a time the grammar heard right and Whisper did
not) and keeps the grammar from naming a record by a number nobody said.

Cost: Whisper (~0.2x real time) plus the grammar decoder (~0.02-0.1x, growing with the number of
names) plus a few espeak-ng calls (a few ms), one after the other; the Transcript's ``recognition``
says which engine won, why, and what each heard.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from difflib import SequenceMatcher
from functools import lru_cache, partial

from rapidfuzz.distance import Levenshtein

from voice.commands.grammar import FREE_TEXT_LEADS, FREE_TEXT_PROBE, WEEKDAYS
from voice.transcription.base import EngineHints, Transcript, TranscriptionEngine, TranscriptionFailed
from voice.transcription.g2p import NUMBER_WORDS, spoken_tail, spoken_words, text_phones
from voice.transcription.slots import name_filled
from voice.transcription.sphinx import ENGINE_NAME as GRAMMAR_ENGINE
from voice.transcription.sphinx import SphinxGrammarEngine, sphinx_choose, sphinx_grammar_accepts
from voice.transcription.whisper import ENGINE_NAME as WHISPER_ENGINE
from voice.transcription.whisper import WhisperEngine

ENGINE_NAME = "hybrid-commands"
# Tuned on bench/voice_hybrid_tuning.py's set (not the benchmark's): see the module docstring.
GRAMMAR_MIN_SIMILARITY = 0.53
# When Whisper's text is kept, the grammar's is offered as an alternative only if at least this
# alike (see HybridCommandEngine.alternative).
ALTERNATIVE_MIN_SIMILARITY = 0.35
# Words of the grammar's alternative reading that Whisper must have heard too (HybridCommandEngine.alternative).
HEARD_WORDS = NUMBER_WORDS | frozenset(("today", "tomorrow", "tonight", *WEEKDAYS))
# A disagreement at the end is only a free-text tail if the grammar put at least this many words
# there after at least this many agreed words (a command head and a name).
TAIL_MIN_WORDS = 2
HEAD_MIN_WORDS = 3
# ... and only if the two tails sound different: tails at least this alike are the same words heard
# twice (a name, a time), which the grammar spells right. On the tuning set the free-text tails that
# Whisper had right were at most 0.25 alike; "priya patel" vs Whisper's "pre appetailed" is 0.5.
TAIL_MAX_SIMILARITY = 0.4
# How many words after the agreed head Whisper's note text may start (whisper_tail_starts).
MAX_TAIL_SHIFT = 3


@lru_cache(maxsize=1024)
def transcript_similarity(first: str, second: str) -> float:
    """0..1: how alike two transcripts sound (1 - normalised edit distance of their phones)."""
    first_phones, second_phones = text_phones(first), text_phones(second)
    if not first_phones or not second_phones:
        return 0.0
    return Levenshtein.normalized_similarity(first_phones, second_phones)


def hybrid_decide(
    *,
    grammar_text: str | None,
    whisper_text: str,
    whisper_in_grammar: bool = False,
    threshold: float = GRAMMAR_MIN_SIMILARITY,
) -> dict:
    """Which hypothesis to keep: {"winner": engine, "reason": str, "similarity": float | None}.

    1. No grammar hypothesis: Whisper.
    2. Whisper's words are themselves a sentence of the grammar: Whisper. Both engines then heard a
       command; where they differ it is on which name or word of the language was said ("Sam" or
       "Tom"), and Whisper, with its far stronger language model, rarely lands on a valid command
       by mistake, whereas the grammar decoder must land on one.
    3. The two sound alike (phone similarity >= threshold): the grammar's, spelled as the CRM spells.
    4. Otherwise Whisper: the speaker said something the grammar does not cover.
    """
    if not grammar_text:
        return {"winner": WHISPER_ENGINE, "reason": "no_grammar_hypothesis", "similarity": None}
    similarity = round(transcript_similarity(grammar_text, whisper_text), 3)
    if whisper_in_grammar:
        return {"winner": WHISPER_ENGINE, "reason": "whisper_in_grammar", "similarity": similarity}
    if similarity >= threshold:
        return {"winner": GRAMMAR_ENGINE, "reason": "similar", "similarity": similarity}
    return {"winner": WHISPER_ENGINE, "reason": "dissimilar", "similarity": similarity}


def grammar_repair(
    grammar_words: list[str], whisper_words: list[str], accepts: Callable[[list[str]], bool]
) -> list[str]:
    """The grammar's words with each of Whisper's differing words put in where the result is still a
    sentence of the grammar ("...next thursday at three pm" + Whisper's "at 2pm" -> "at two pm").

    The same reasoning as rule 2 of ``hybrid_decide``, word by word: where Whisper heard another
    valid choice at that point of the command (another hour, another name, no extra word), its
    language model is the better judge; where it heard something the grammar cannot say ("Lobeck"),
    the grammar's word stays.
    """
    repaired = list(grammar_words)
    shift = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=grammar_words, b=whisper_words, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        candidate = repaired[: i1 + shift] + whisper_words[j1:j2] + repaired[i2 + shift :]
        if accepts(candidate):
            repaired = candidate
            shift += (j2 - j1) - (i2 - i1)
    return repaired


def numbers_heard(grammar_words: list[str], whisper_words: list[str], *, words: frozenset[str] = NUMBER_WORDS) -> bool:
    """Whether every number word (of ``words``) of the grammar's text is among Whisper's words (as often).

    Numbers carry the meaning of a command (a lead's number, an hour, a phone number), Whisper hears
    them well, and the grammar recogniser reaches for them when nothing else fits: a name it does not
    know came back as "lead three" (bench/voice_commands.py: "what is the score of Acme"), which would
    pick a record the speaker never named.
    """
    wanted = Counter(word for word in grammar_words if word in words)
    return not wanted - Counter(word for word in whisper_words if word in words)


def tail_split(grammar_words: list[str], whisper_words: list[str]) -> tuple[int, int] | None:
    """Where the hypotheses part for good: (i, j) with grammar_words[:i] and whisper_words[:j] ending
    in agreement and nothing after agreeing; None unless the grammar has a tail of TAIL_MIN_WORDS
    after HEAD_MIN_WORDS and Whisper has one too."""
    matcher = SequenceMatcher(a=grammar_words, b=whisper_words, autojunk=False)
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    if not blocks:
        return None
    i, j = blocks[-1].a + blocks[-1].size, blocks[-1].b + blocks[-1].size
    if i < HEAD_MIN_WORDS or len(grammar_words) - i < TAIL_MIN_WORDS or j >= len(whisper_words):
        return None
    return i, j


def free_text_start(grammar_words: list[str], accepts: Callable[[list[str]], bool]) -> int | None:
    """Where the free text of a note starts in the grammar's words, or None if they are not a note.

    The grammar's note text is a placeholder (a loop of common words that only carries the decoder to
    the end of the sentence), so its words say nothing; the head before it ("add a note to initech
    [saying]") is the grammar's real reading. The head is the shortest prefix that, followed by
    ``FREE_TEXT_PROBE`` alone, is a whole sentence of the grammar (any longer prefix ending inside the
    note text is one too), with a "saying" after it.
    """
    for end in range(HEAD_MIN_WORDS, len(grammar_words)):
        if accepts([*grammar_words[:end], FREE_TEXT_PROBE]):
            while end < len(grammar_words) - 1 and grammar_words[end] in FREE_TEXT_LEADS:
                end += 1
            return end
    return None


def whisper_tail_starts(head: list[str], whisper_words: list[str]) -> list[int]:
    """Where Whisper's free text may start: after the last of its words that agree with the grammar's
    head, or up to MAX_TAIL_SHIFT words later (a name Whisper heard as other words, "omar haddad" ->
    "him and", sits between the agreed words and the text)."""
    blocks = [b for b in SequenceMatcher(a=head, b=whisper_words, autojunk=False).get_matching_blocks() if b.size]
    first = blocks[-1].b + blocks[-1].size if blocks else 0
    return list(range(first, min(len(whisper_words), first + MAX_TAIL_SHIFT + 1)))


class HybridCommandEngine:
    """Whisper with the hints' phrases as prompt, and the grammar recogniser with ``hints.grammar_jsgf``."""

    name = ENGINE_NAME
    offline = True

    def __init__(
        self,
        *,
        threshold: float = GRAMMAR_MIN_SIMILARITY,
        whisper: TranscriptionEngine | None = None,
        grammar: TranscriptionEngine | None = None,
    ) -> None:
        self.threshold = threshold
        self.whisper = whisper or WhisperEngine()  # seeded: the same clip gives the same decision
        self.grammar = grammar or SphinxGrammarEngine()

    def transcribe(self, wav16k: bytes, *, hints: EngineHints | None = None) -> Transcript:
        started = time.perf_counter()
        # No speech for Whisper (whose voice-activity filter ignores silence and noise) is no speech:
        # the grammar decoder would force silence onto some command too.
        heard = self.whisper.transcribe(wav16k, hints=hints)
        jsgf = (hints.grammar_jsgf or "").strip() if hints else ""
        snapped: Transcript | None = None
        grammar_error = ""
        if jsgf:
            try:
                snapped = self.grammar.transcribe(wav16k, hints=hints)
            except TranscriptionFailed as exc:  # no phrase matched, or the grammar is unusable
                grammar_error = exc.code or "failed"
        whisper_words = spoken_words(heard.text)
        # A note's text is Whisper's: the grammar's reading is its head with Whisper's text after it,
        # and that is what must sound like what Whisper heard.
        noted = (
            self.note_text(wav16k, jsgf=jsgf, grammar_text=snapped.text, whisper_text=heard.text) if snapped else None
        )
        decision = hybrid_decide(
            grammar_text=noted or (snapped.text if snapped else None),
            whisper_text=heard.text,
            whisper_in_grammar=bool(snapped) and sphinx_grammar_accepts(jsgf, whisper_words),
            threshold=self.threshold,
        )
        text, confidence, segments = heard.text, heard.confidence, heard.segments
        if decision["winner"] == GRAMMAR_ENGINE and snapped is not None:
            if noted:
                kept = noted if numbers_heard(spoken_words(noted), whisper_words) else None
                decision["reason"] = "similar_whisper_note" if kept else "grammar_numbers_unheard"
            else:
                kept, decision["reason"] = self.grammar_text(
                    wav16k, jsgf=jsgf, grammar_text=snapped.text, whisper_text=heard.text
                )
            if kept is None:
                decision["winner"] = WHISPER_ENGINE
            else:
                text, confidence = kept, decision["similarity"]
                segments = snapped.segments if kept == snapped.text else []
        alternative = self.alternative(
            wav16k,
            jsgf=jsgf,
            decision=decision,
            whisper_text=heard.text,
            grammar_text=snapped.text if snapped else None,
            noted=noted,
        )
        alternatives = [alternative] if alternative else []
        if decision["winner"] == WHISPER_ENGINE and jsgf:
            # Whisper's sentence with a misheard name replaced, as the audio decides (slots.py); first,
            # as it keeps Whisper's command words.
            filled = name_filled(wav16k, jsgf=jsgf, words=whisper_words)
            alternatives = [filled, *alternatives] if filled else alternatives
        recognition = {
            **decision,
            "threshold": self.threshold,
            # The other engine's reading, for the parser to fall back on when the kept text is no
            # complete command (voice.commands.nbest); never shown as the transcript.
            "alternatives": alternatives,
            "hypotheses": {WHISPER_ENGINE: heard.text, GRAMMAR_ENGINE: snapped.text if snapped else None},
            "seconds": {
                WHISPER_ENGINE: heard.processing_seconds,
                GRAMMAR_ENGINE: snapped.processing_seconds if snapped else None,
            },
        }
        if grammar_error:
            recognition["grammar_error"] = grammar_error
        return Transcript(
            text=text,
            language="en",
            engine=self.name,
            # Whisper's token probability when its text is kept; when the grammar's is, how closely the
            # two engines agreed (the grammar decoder itself has no usable confidence).
            confidence=confidence,
            audio_seconds=heard.audio_seconds,
            processing_seconds=round(time.perf_counter() - started, 3),
            segments=[{**segment, "engine": decision["winner"]} for segment in segments],
            recognition=recognition,
        )

    def alternative(
        self,
        wav16k: bytes,
        *,
        jsgf: str,
        decision: dict,
        whisper_text: str,
        grammar_text: str | None,
        noted: str | None,
    ) -> str | None:
        """The reading not kept: Whisper's when the grammar's won; when Whisper's won, the grammar's as
        it would have been kept (with Whisper's note text, repairs and numbers check), if it sounds at
        least ALTERNATIVE_MIN_SIMILARITY like Whisper's.

        The floor keeps the grammar's forced reading of speech that is no command at all from being
        taken for one: on bench/voice_hybrid_tuning.py's ten unrelated sentences, with the parser
        choosing (voice.commands.nbest), a floor of 0.30 let "let's order pizza for the team meeting"
        (0.33 alike) become "ring nexora health the day after tomorrow evening"; from 0.35 none
        became a command that the hybrid alone would not have made.
        """
        if decision["winner"] == GRAMMAR_ENGINE:
            return whisper_text
        similarity = decision.get("similarity")
        if not grammar_text or similarity is None or similarity < ALTERNATIVE_MIN_SIMILARITY:
            return None
        whisper_words = spoken_words(whisper_text)
        kept = noted or self.grammar_text(wav16k, jsgf=jsgf, grammar_text=grammar_text, whisper_text=whisper_text)[0]
        # Days too: Whisper hears "tomorrow" and "friday" well, and a day it did not hear is one the
        # grammar reached for ("follow up with globex on tuesday morning" for Whisper's "... tomorrow morning").
        return kept if kept and numbers_heard(spoken_words(kept), whisper_words, words=HEARD_WORDS) else None

    def note_text(self, wav16k: bytes, *, jsgf: str, grammar_text: str, whisper_text: str) -> str | None:
        """The grammar's note head with Whisper's note text after it, or None if the grammar did not hear
        a note (or Whisper has no words after the head).

        Where Whisper's text starts is chosen by the acoustic model: the head followed by each possible
        start of Whisper's tail (``whisper_tail_starts``) is decoded as a grammar of those few phrases,
        and the one that fits the sounds best wins. The grammar's own note words are no candidate: they
        are the best path through a loop of short common words, which fits any sound better than the
        words really said.
        """
        words, whisper_words = grammar_text.split(), spoken_words(whisper_text)
        head = free_text_start(words, partial(sphinx_grammar_accepts, jsgf))
        if head is None:
            return None
        starts = whisper_tail_starts(words[:head], whisper_words)
        if not starts:
            return None
        choice = (
            sphinx_choose(wav16k, [words[:head] + whisper_words[start:] for start in starts]) if len(starts) > 1 else 0
        )
        start = starts[choice or 0]
        return f"{' '.join(words[:head])} {spoken_tail(whisper_text, start)}"

    def grammar_text(self, wav16k: bytes, *, jsgf: str, grammar_text: str, whisper_text: str) -> tuple[str | None, str]:
        """The text kept when the grammar's hypothesis wins, and why: as heard, repaired with Whisper's
        words where they are valid too (``grammar_repair``), or with Whisper's free-text tail. None
        (keep Whisper's) if the result has numbers Whisper did not hear (``numbers_heard``)."""
        words, whisper_words = grammar_text.split(), spoken_words(whisper_text)
        repaired = grammar_repair(words, whisper_words, partial(sphinx_grammar_accepts, jsgf))
        split = self._free_tail(wav16k, repaired, whisper_words)
        if split:
            head, start = split
            text, reason = f"{' '.join(repaired[:head])} {spoken_tail(whisper_text, start)}", "similar_whisper_tail"
        elif repaired != words:
            text, reason = " ".join(repaired), "similar_repaired"
        else:
            text, reason = grammar_text, "similar"
        if not numbers_heard(spoken_words(text), whisper_words):
            return None, "grammar_numbers_unheard"
        return text, reason

    def _free_tail(self, wav16k: bytes, grammar_words: list[str], whisper_words: list[str]) -> tuple[int, int] | None:
        """Where to join the grammar's head to Whisper's tail (``tail_split``), if the two part at the
        end and the tail sounds like Whisper's.

        A note ("add a note to initech <free text>") is in the grammar with a handful of note words, so
        the grammar recogniser fills the free text with whatever of them fits least badly; a time at
        the end ("tomorrow at nine am" vs Whisper's "tomorrow tonight") is in the grammar for real.
        The two tails must sound different (else they are the same words heard twice, and the grammar
        spells them right), and the acoustic model must prefer Whisper's tail after the same agreed
        head; the grammar's tail, being the best of many paths, wins that comparison when in doubt.
        """
        split = tail_split(grammar_words, whisper_words)
        if split is None:
            return None
        i, j = split
        if transcript_similarity(" ".join(grammar_words[i:]), " ".join(whisper_words[j:])) >= TAIL_MAX_SIMILARITY:
            return None
        candidate = grammar_words[:i] + whisper_words[j:]
        choice = sphinx_choose(wav16k, [grammar_words, candidate])
        return split if choice == 1 else None
