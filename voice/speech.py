"""Offline text-to-speech with espeak-ng: spoken replies ("Create lead ABC Corp?") and test audio.

The text goes to espeak-ng on standard input (``--stdin``), never on the command line, so text that
starts with '-' is spoken rather than read as an option, and nothing the user typed becomes an
argument. SSML is off (no ``-m``), so angle brackets are just characters.
"""

from __future__ import annotations

import re
import shutil
import subprocess

from crm_saas.errors import DomainError, ServiceUnavailableError
from voice.audio import wav_from_pcm, wav_pcm

MAX_SPOKEN_CHARS = 1_000  # a reply is a sentence or two; this bounds the work one call can ask for
MIN_SPEED_WPM, MAX_SPEED_WPM = 80, 450  # espeak-ng's own range
SPOKEN_FORMATS = ("wav", "ogg", "mp3")
_TIMEOUT_S = 30.0
# espeak-ng voice names: language, optional region/variant parts, optional "+variant" (en-us, en-gb-x-rp, en+f3).
_VOICE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8}){0,3}(\+[a-z0-9]{1,16})?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Opus at 24 kb/s is clear for speech and small; MP3 for players that cannot play Ogg (older Safari).
_ENCODERS = {
    "ogg": ["-c:a", "libopus", "-b:a", "24k", "-f", "ogg"],
    "mp3": ["-c:a", "libmp3lame", "-q:a", "6", "-f", "mp3"],
}


def speak(text: str, *, voice: str = "en-us", speed_wpm: int = 165) -> bytes:
    """Synthesize ``text`` and return a mono 16-bit PCM WAV (espeak-ng's 22.05 kHz) with correct sizes."""
    spoken = _speakable(text)
    if not _VOICE.fullmatch(voice):
        raise DomainError(f"Unknown voice {voice!r}; use a name such as en-us or en-gb.", field="voice", code="invalid")
    if not MIN_SPEED_WPM <= speed_wpm <= MAX_SPEED_WPM:
        raise DomainError(
            f"Speed must be between {MIN_SPEED_WPM} and {MAX_SPEED_WPM} words per minute.", field="speed_wpm"
        )
    args = [_tool("espeak-ng"), "--stdin", "--stdout", "-v", voice, "-s", str(int(speed_wpm))]
    result = _run(args, stdin=spoken.encode("utf-8"))
    if result.returncode != 0 or not result.stdout:
        detail = result.stderr.decode("utf-8", errors="replace").strip()
        if "voice does not exist" in detail:
            raise DomainError(f"Unknown voice {voice!r}; use a name such as en-us or en-gb.", field="voice")
        raise ServiceUnavailableError(f"Speech synthesis failed: {detail or 'no audio produced'}", code="tts_failed")
    # Writing to a pipe, espeak-ng cannot go back to fill in the WAV sizes (it leaves ~2 GiB), so
    # rewrap the samples with a correct header; players and the wave module then agree on the length.
    pcm, rate, channels, width = wav_pcm(result.stdout)
    return wav_from_pcm(pcm, sample_rate=rate, channels=channels, sample_width=width)


def speak_to_format(text: str, fmt: str = "wav", *, voice: str = "en-us", speed_wpm: int = 165) -> bytes:
    """Synthesize ``text`` as WAV, Ogg/Opus or MP3 bytes (the last two through ffmpeg)."""
    if fmt not in SPOKEN_FORMATS:
        raise DomainError(f"Unsupported format {fmt!r}; choose one of {', '.join(SPOKEN_FORMATS)}.", field="fmt")
    wav = speak(text, voice=voice, speed_wpm=speed_wpm)
    if fmt == "wav":
        return wav
    args = [_tool("ffmpeg"), "-nostdin", "-hide_banner", "-v", "error", "-f", "wav", "-i", "pipe:0"]
    args += [*_ENCODERS[fmt], "pipe:1"]
    # -nostdin stops ffmpeg reading keyboard commands; the WAV still arrives on pipe:0 as its input.
    result = _run(args, stdin=wav)
    if result.returncode != 0 or not result.stdout:
        detail = result.stderr.decode("utf-8", errors="replace").strip()
        raise ServiceUnavailableError(f"Encoding speech as {fmt} failed: {detail}", code="tts_failed")
    return result.stdout


def _speakable(text: str) -> str:
    spoken = _CONTROL.sub(" ", text).strip()
    if not spoken:
        raise DomainError("There is nothing to say.", field="text", code="empty")
    if len(spoken) > MAX_SPOKEN_CHARS:
        raise DomainError(f"Text to speak is limited to {MAX_SPOKEN_CHARS} characters.", field="text", code="too_long")
    return spoken


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ServiceUnavailableError(f"Speech output is not available ({name} is not installed).", code="no_tts")
    return found


def _run(args: list[str], *, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    try:
        # S603: absolute program path and a fixed argument list with validated voice/speed; the
        # user's text only travels on standard input.
        return subprocess.run(args, input=stdin, capture_output=True, timeout=_TIMEOUT_S, check=False)  # noqa: S603
    except subprocess.TimeoutExpired as exc:
        raise ServiceUnavailableError("Speech synthesis took too long.", code="timeout") from exc
