"""Google's free web speech endpoint through SpeechRecognition: online, opt-in only.

Audio leaves the machine, so this engine is never chosen by default: the registry hands it out only
to a caller that passes ``allow_online=True`` (a tenant that agreed to send recordings to Google),
and the engine itself refuses to be built without that flag.
"""

from __future__ import annotations

import time

import speech_recognition as sr

from crm_saas.errors import DomainError, ServiceUnavailableError
from voice.transcription.base import (
    EngineHints,
    Transcript,
    TranscriptionFailed,
    audio_data_from_wav,
    pcm16k,
    pcm_seconds,
)

ENGINE_NAME = "google-web"
_TIMEOUT_S = 20.0


class GoogleWebEngine:
    """``Recognizer.recognize_google``: needs the network; ignores hints (the endpoint takes none)."""

    name = ENGINE_NAME
    offline = False

    def __init__(self, *, allow_online: bool = False, language: str = "en-US") -> None:
        if not allow_online:
            raise DomainError(
                f"The {ENGINE_NAME} engine sends audio to Google; it must be enabled explicitly.",
                field="engine",
                code="online_not_allowed",
            )
        self.language = language

    def transcribe(self, wav16k: bytes, *, hints: EngineHints | None = None) -> Transcript:
        audio = audio_data_from_wav(wav16k)
        recognizer = sr.Recognizer()
        recognizer.operation_timeout = _TIMEOUT_S
        started = time.perf_counter()
        try:
            text, confidence = recognizer.recognize_google(audio, language=self.language, with_confidence=True)
        except sr.UnknownValueError as exc:
            raise TranscriptionFailed("No speech could be recognised in the recording.", code="no_speech") from exc
        except sr.RequestError as exc:
            raise ServiceUnavailableError(
                f"The online recogniser is unreachable: {exc}", code="engine_unavailable"
            ) from exc
        return Transcript(
            text=text,
            language=self.language.split("-", 1)[0].lower(),
            engine=self.name,
            confidence=float(confidence) if confidence is not None else None,
            audio_seconds=round(pcm_seconds(pcm16k(audio)), 3),
            processing_seconds=round(time.perf_counter() - started, 3),
            segments=[],
        )
