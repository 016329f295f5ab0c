"""PocketSphinx with a JSGF grammar: fast, exact recognition of a closed set of spoken commands.

Uses pocketsphinx 5's bundled en-us acoustic model and CMU dictionary; grammar words the dictionary
lacks ("Initech", "Hooli") are added to the decoder with pronunciations from espeak-ng
(``voice.transcription.g2p``), so a tenant's own names can be in the grammar. Only grammar search is
offered: the free language model gets most words wrong on our audio, so without a grammar the
engine refuses rather than return junk.

Why pocketsphinx's ``Decoder`` directly and not ``Recognizer.recognize_sphinx(grammar=...)``: the
wrapper takes a grammar *file*, writes a compiled ``.fsg`` next to it, and on the next call loads
that file with an ``FsgModel`` signature pocketsphinx 5 no longer has, so the second call fails. It
also leaves pocketsphinx's filler words on, which on our audio made whole phrases fail to match
(see ``_decoder``). The audio itself still comes through SpeechRecognition's ``AudioData``.

A grammar recognizer forces speech onto the nearest grammar phrase: an unrelated sentence can come
back as a valid-looking command. Callers must confirm before acting ("Create lead ABC Corp?").
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

from voice.transcription.base import (
    SAMPLE_RATE,
    EngineHints,
    Transcript,
    TranscriptionFailed,
    audio_data_from_wav,
    pcm16k,
    pcm_seconds,
)
from voice.transcription.g2p import pronounce_many

ENGINE_NAME = "sphinx-grammar"
_FRAMES_PER_SECOND = 100  # pocketsphinx's default frame rate
_TRIM_FRAME = SAMPLE_RATE // 100  # 10 ms
_TRIM_SHARE = 0.03  # a frame is loud above this share of the loudest frame's energy
_TRIM_MARGIN_FRAMES = 5
_MAX_GRAMMARS_PER_DECODER = 8
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# In a JSGF rule body: rule references, weights, tags and quoted tokens are kept as they are; what
# remains between the operators are the words the decoder must find in its dictionary.
_JSGF_TOKEN = re.compile(r"<[^>]*>|/[^/]*/|\{[^}]*\}|\"[^\"]*\"|([^\s|()\[\]*+<>/{}\";=]+)")
_JSGF_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


def sphinx_model_paths() -> tuple[Path, Path]:
    """(acoustic model directory, pronunciation dictionary) bundled with pocketsphinx."""
    from pocketsphinx import get_model_path

    root = Path(get_model_path()) / "en-us"
    return root / "en-us", root / "cmudict-en-us.dict"


@lru_cache(maxsize=1)
def sphinx_dictionary_words() -> frozenset[str]:
    """Every word the bundled dictionary can pronounce (lower case; alternates like 'read(2)' folded)."""
    _, dictionary = sphinx_model_paths()
    words = set()
    with dictionary.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            word = line.split(" ", 1)[0]
            if word:
                words.add(word.split("(", 1)[0])
    return frozenset(words)


def sphinx_vocabulary(words: Iterable[str]) -> frozenset[str]:
    """The dictionary's words plus those of ``words`` it lacks but espeak-ng can pronounce.

    What a grammar may use: the decoder adds the pronunciations of the extra words itself (see
    ``sphinx_grammar_prepare``).
    """
    known = sphinx_dictionary_words()
    missing = {word.lower() for word in words} - known
    if not missing:
        return known
    return known | {word for word, phones in pronounce_many(sorted(missing)).items() if phones}


def sphinx_unknown_words(text: str) -> list[str]:
    """Words of ``text`` (split on spaces, lower-cased) the decoder cannot pronounce, in order, once each."""
    known = sphinx_dictionary_words()
    return list(dict.fromkeys(w for w in text.lower().split() if w not in known))


def sphinx_filter_phrase(phrase: str, *, spell_out: bool = True) -> str | None:
    """Make a phrase usable in a grammar, or return None if it cannot be.

    Lower-cases, drops punctuation, says digits one by one ("3" -> "three"), and with ``spell_out``
    turns an unknown all-letter word into its letters ("Zyxcorp" -> "z y x c o r p"), which the
    dictionary always has. Returns None if a word is still unknown, so callers can drop the phrase.
    """
    known = sphinx_dictionary_words()
    words: list[str] = []
    for raw in re.sub(r"[^a-z0-9' ]+", " ", phrase.lower()).split():
        word = raw.strip("'")
        if not word:
            continue
        if word.isdigit():
            words.extend(_NUMBER_WORDS[int(d)] for d in word)
        elif word in known:
            words.append(word)
        elif spell_out and word.isalpha() and all(letter in known for letter in word):
            words.extend(word)
        else:
            return None
    return " ".join(words) or None


def sphinx_grammar_from_phrases(phrases: Iterable[str], *, name: str = "commands") -> str:
    """A JSGF grammar accepting exactly the given phrases (after ``sphinx_filter_phrase``; unusable ones dropped)."""
    usable = list(dict.fromkeys(p for p in (sphinx_filter_phrase(p) for p in phrases) if p))
    if not usable:
        raise TranscriptionFailed("None of the phrases can be recognised by the command grammar.", code="bad_grammar")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(f"Grammar name {name!r} must be a lower-case identifier.")
    body = " | ".join(f"( {p} )" for p in usable)
    return f"#JSGF V1.0;\ngrammar {name};\npublic <{name}> = {body};\n"


def sphinx_grammar_prepare(jsgf: str) -> tuple[str, dict[str, str]]:
    """Lower-case the grammar's words; pronunciations for the words the dictionary lacks.

    The dictionary is lower case and pocketsphinx looks words up as written, so "Acme" fails where
    "acme" works. A word missing from the dictionary ("initech") gets its pronunciation from
    espeak-ng (``g2p.pronounce``), to be added to the decoder before the grammar is compiled. A
    word that has neither (digits, symbols) would make pocketsphinx reject the whole grammar with
    only "Failed to parse JSGF"; this names such words instead.
    """
    found: list[str] = []

    def lower_word(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)
        found.append(match.group(1).lower())
        return match.group(1).lower()

    statements = []
    for statement in _JSGF_COMMENT.sub(" ", jsgf).split(";"):
        head, sep, body = statement.partition("=")
        if sep and not statement.lstrip().startswith(("#", "grammar", "import")):
            statement = head + sep + _JSGF_TOKEN.sub(lower_word, body)
        statements.append(statement)
    prepared = ";".join(statements)
    missing = [w for w in dict.fromkeys(found) if w not in sphinx_dictionary_words()]
    pronunciations = pronounce_many(missing)
    unknown = [w for w in missing if not pronunciations.get(w)]
    if unknown:
        raise TranscriptionFailed(
            f"The command grammar uses words the recogniser cannot pronounce: {', '.join(unknown)}. "
            "Spell them out or remove them (see sphinx_filter_phrase).",
            code="bad_grammar",
        )
    return prepared, {word: pronunciations[word] for word in missing}


class SphinxGrammarEngine:
    """Recognise one phrase of a JSGF grammar (``hints.grammar_jsgf``); ~0.02x real time."""

    name = ENGINE_NAME
    offline = True

    def transcribe(self, wav16k: bytes, *, hints: EngineHints | None = None) -> Transcript:
        if hints is None or not (hints.grammar_jsgf or "").strip():
            raise TranscriptionFailed(
                "The grammar recogniser needs a command grammar; use the Whisper engine for free speech.",
                code="grammar_required",
            )
        pcm = pcm16k(audio_data_from_wav(wav16k))
        started = time.perf_counter()
        decoder = _decoder()
        decoder.activate(hints.grammar_jsgf)
        speech, offset = sphinx_trim_silence(pcm)
        hypothesis = decoder.decode(speech)
        segments = [_segment(s, offset) for s in decoder.ps.seg()] if hypothesis else []
        elapsed = time.perf_counter() - started
        if hypothesis is None or not hypothesis.hypstr.strip():
            raise TranscriptionFailed("That did not sound like one of the commands.", code="no_match")
        return Transcript(
            text=hypothesis.hypstr.strip(),
            language="en",
            engine=self.name,
            # pocketsphinx's posterior is 1.0 for every grammar match here, and its path score is not
            # comparable across utterances (it grows with length), so there is no honest confidence.
            confidence=None,
            audio_seconds=round(pcm_seconds(pcm), 3),
            processing_seconds=round(elapsed, 3),
            segments=[s for s in segments if s["text"]],
        )


class _GrammarDecoder:
    """A pocketsphinx Decoder plus the grammars already compiled into it (least recently used last out)."""

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        hmm, dictionary = sphinx_model_paths()
        # lm=None: grammar search only. fsgusefiller=False: with fillers (silence/noise words that
        # may appear between any two words) "mark acme as qualified" and the 11-word follow-up
        # command matched nothing on espeak audio; without them all 7 test commands came back exact.
        # bestpath=False: the lattice pass after the grammar search, on the command grammar (whose
        # note rule allows 8 free note words), took up to 4x real time on a note and returned nothing
        # for one-word answers ("yes", "stop"); without it, on bench/voice_hybrid_tuning.py's 54 clips,
        # every clip took <= 0.07x real time and 20 rather than 18 came back exact.
        # logfn=devnull keeps pocketsphinx from writing logs (it would otherwise print to stderr).
        self.ps = Decoder(
            hmm=str(hmm), dict=str(dictionary), lm=None, fsgusefiller=False, bestpath=False, logfn=os.devnull
        )
        self.searches: OrderedDict[str, None] = OrderedDict()

    def decode(self, pcm: bytes) -> object | None:
        """The active search's hypothesis for one whole utterance, from the same starting state every time.

        The feature front end keeps state from one utterance to the next (the cepstral mean, updated
        after every clip even with the model's "-cmn batch", and the noise estimate), so a clip's
        answer depended on what the thread had decoded before: "mark initech as contacted" matched
        the first time and nothing when decoded again. ``set_cmn`` with the initial mean was not
        enough (the second decode still found nothing); ``reinit_feat`` rebuilds the front end from
        the config (~0.1 ms) and keeps the dictionary and the compiled grammars.
        """
        self.ps.reinit_feat()
        self.ps.start_utt()
        self.ps.process_raw(pcm, no_search=False, full_utt=True)
        self.ps.end_utt()
        return self.ps.hyp()

    def activate(self, jsgf: str) -> None:
        self.ps.activate_search(self.compile(jsgf))

    def compile(self, jsgf: str) -> str:
        """The name of the grammar's search, compiling it first unless it is cached."""
        search = "g" + hashlib.sha256(jsgf.encode("utf-8")).hexdigest()[:16]
        if search in self.searches:
            self.searches.move_to_end(search)
        else:
            prepared, new_words = sphinx_grammar_prepare(jsgf)
            self.add_words(new_words)
            try:
                # Compiled in memory from the string: no .fsg file is written anywhere.
                self.ps.add_jsgf_string(search, prepared)
            except (ValueError, RuntimeError) as exc:
                raise TranscriptionFailed(f"The command grammar is not valid JSGF: {exc}", code="bad_grammar") from exc
            self.searches[search] = None
            if len(self.searches) > _MAX_GRAMMARS_PER_DECODER:
                oldest, _ = self.searches.popitem(last=False)
                self.ps.remove_search(oldest)
        return search

    def add_words(self, pronunciations: dict[str, str]) -> None:
        for word, phones in pronunciations.items():
            if self.ps.lookup_word(word) is None:  # added already for an earlier grammar
                # update=False: the words only need to be in the dictionary when a grammar using
                # them is compiled (measured: ~7 ms a word with update=True, for nothing).
                self.ps.add_word(word, phones, update=False)

    def accepts(self, jsgf: str, words: list[str]) -> bool:
        return bool(words) and bool(self.ps.get_fsg(self.compile(jsgf)).accept(" ".join(words)))

    def choose(self, pcm: bytes, phrases: list[list[str]]) -> int | None:
        """Decode with a grammar of exactly these phrases (a one-off search, removed again)."""
        words = {word for phrase in phrases for word in phrase}
        missing = sorted(word for word in words if self.ps.lookup_word(word) is None)
        pronunciations = pronounce_many(missing)
        if not all(pronunciations.get(word) for word in missing):
            return None
        self.add_words({word: pronunciations[word] or "" for word in missing})
        pcm, _ = sphinx_trim_silence(pcm)
        spoken = [" ".join(phrase) for phrase in phrases]
        body = " | ".join(f"( {phrase} )" for phrase in dict.fromkeys(spoken))
        self.ps.add_jsgf_string(_CHOICE_SEARCH, f"#JSGF V1.0;\ngrammar choice;\npublic <choice> = {body};\n")
        try:
            self.ps.activate_search(_CHOICE_SEARCH)
            hypothesis = self.decode(pcm)
        finally:
            self.ps.remove_search(_CHOICE_SEARCH)
        heard = hypothesis.hypstr.strip() if hypothesis else ""
        return spoken.index(heard) if heard in spoken else None


_local = threading.local()
_CHOICE_SEARCH = "choice"


def sphinx_grammar_accepts(jsgf: str, words: list[str]) -> bool:
    """Whether the word sequence is a sentence of the grammar (compiled and cached as for decoding)."""
    try:
        return _decoder().accepts(jsgf, words)
    except TranscriptionFailed:  # an unusable grammar accepts nothing
        return False


def sphinx_choose(wav16k: bytes, phrases: list[list[str]]) -> int | None:
    """Which of the phrases (lists of lower-case words) the audio matches best, by the acoustic model.

    A forced choice: the decoder searches a grammar of exactly these phrases, so the answer says
    which one fits the sounds best, not that any was said. None if a word cannot be pronounced or
    nothing matched.
    """
    phrases = [phrase for phrase in phrases if phrase]
    if not phrases:
        return None
    return _decoder().choose(pcm16k(audio_data_from_wav(wav16k)), phrases)


def _decoder() -> _GrammarDecoder:
    """One decoder per thread (~0.1 s to build; a Decoder must not be shared between threads)."""
    decoder = getattr(_local, "decoder", None)
    if decoder is None:
        decoder = _local.decoder = _GrammarDecoder()
    return decoder


def sphinx_trim_silence(pcm: bytes) -> tuple[bytes, float]:
    """The audio from 50 ms before the first to 50 ms after the last loud frame, and where it starts (s).

    Without fillers (see ``_GrammarDecoder``) the grammar has no word for silence, so silence before
    and after the command has to be absorbed by its first and last sounds: measured on espeak-ng
    clips, 150 ms of it at the end made the decoder append words ("show my warm leads today") or find
    no sentence at all ("show my hot leads", "go ahead"); trimmed to 30-80 ms, 24 rather than 20 of the
    26 in-grammar commands of bench/voice_hybrid_tuning.py came back exact. "Loud" is relative (a
    share of the loudest 10 ms frame), so a steady background noise floor is cut as well.
    """
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
    frames = len(samples) // _TRIM_FRAME
    if frames == 0:
        return pcm, 0.0
    energy = np.sqrt((samples[: frames * _TRIM_FRAME].reshape(frames, _TRIM_FRAME) ** 2).mean(axis=1))
    loud = np.flatnonzero(energy > max(float(energy.max()) * _TRIM_SHARE, 1.0))
    if len(loud) == 0:
        return pcm, 0.0
    first = max(0, int(loud[0]) - _TRIM_MARGIN_FRAMES)
    last = min(frames, int(loud[-1]) + 1 + _TRIM_MARGIN_FRAMES)
    return pcm[first * _TRIM_FRAME * 2 : last * _TRIM_FRAME * 2], first * _TRIM_FRAME / SAMPLE_RATE


def _segment(seg: object, offset: float = 0.0) -> dict:
    word = str(getattr(seg, "word", ""))
    if word.startswith(("<", "[", "(")):  # <s>, </s>, <sil>, [NOISE], (NULL): not words
        word = ""
    return {
        "start": round(offset + seg.start_frame / _FRAMES_PER_SECOND, 2),
        "end": round(offset + (seg.end_frame + 1) / _FRAMES_PER_SECOND, 2),
        "text": word.split("(", 1)[0],  # "as(2)" is the second pronunciation of "as"
    }
