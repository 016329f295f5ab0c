"""What every transcription engine takes and returns, and the SpeechRecognition front door.

Engines receive the 16 kHz mono WAV that ``voice.audio.audio_normalise`` produces. Every engine
reads it through SpeechRecognition (``AudioFile`` -> ``AudioData``), so one library owns WAV
parsing and any rate/width conversion, and its recognizers can be used wherever they serve us.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import speech_recognition as sr

from crm_saas.errors import DomainError

SAMPLE_RATE = 16_000


class TranscriptionFailed(DomainError):
    """The audio could not be turned into text; the message says why in the user's terms."""

    status_code = 422
    default_code = "transcription_failed"


@dataclass
class EngineHints:
    phrases: list[str] = field(default_factory=list)  # domain vocabulary, used as a prompt
    grammar_jsgf: str | None = None  # the exact phrases allowed, for grammar engines


@dataclass
class Transcript:
    text: str
    language: str
    engine: str
    confidence: float | None  # 0..1 where the engine gives one
    audio_seconds: float
    processing_seconds: float
    segments: list[dict] = field(default_factory=list)  # {"start": s, "end": s, "text": str}
    # How a combining engine decided (which engine won, every engine's hypothesis, the similarity);
    # empty for a single engine. Kept with the log for debugging, never shown as the transcript.
    recognition: dict = field(default_factory=dict)

    @property
    def real_time_factor(self) -> float:
        return self.processing_seconds / self.audio_seconds if self.audio_seconds else 0.0


@runtime_checkable
class TranscriptionEngine(Protocol):
    name: str
    offline: bool

    def transcribe(self, wav16k: bytes, *, hints: EngineHints | None = None) -> Transcript: ...


def audio_data_from_wav(wav16k: bytes) -> sr.AudioData:
    """Read a WAV through SpeechRecognition's ``AudioFile`` into ``AudioData``.

    Only PCM WAV is accepted, checked with ``wave`` first: given anything else, ``AudioFile`` would
    fall back to AIFF and then run its bundled ``flac`` binary on the bytes. Converting other formats
    is ``voice.audio.audio_normalise``'s job.
    """
    try:
        wave.open(io.BytesIO(wav16k), "rb").close()
    except (wave.Error, EOFError) as exc:
        raise TranscriptionFailed(
            "Transcription needs PCM WAV audio; normalise the recording first.", code="invalid_audio"
        ) from exc
    recognizer = sr.Recognizer()
    try:
        with sr.AudioFile(io.BytesIO(wav16k)) as source:
            return recognizer.record(source)
    except (ValueError, EOFError, AssertionError) as exc:  # SR signals unreadable WAV with these
        raise TranscriptionFailed("The recording could not be read for transcription.", code="invalid_audio") from exc


def pcm16k(audio: sr.AudioData) -> bytes:
    """Mono 16-bit little-endian PCM at 16 kHz, converting only if the WAV was something else."""
    return audio.get_raw_data(convert_rate=SAMPLE_RATE, convert_width=2)


def pcm_seconds(pcm: bytes) -> float:
    return len(pcm) / 2 / SAMPLE_RATE
