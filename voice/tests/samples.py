"""Real recordings for the voice log tests: espeak-ng speech, encoded by ffmpeg as phones and
browsers would send it. Cached per process (the bytes never change)."""

from __future__ import annotations

import functools
import subprocess
import tempfile
from pathlib import Path

from voice.audio import wav_from_pcm
from voice.speech import speak

PHRASE = "Call the customer on Friday about the new pricing proposal."
KEY_WORDS = ("customer", "friday", "pricing", "proposal")
# ffmpeg output options per format; webm is written to a pipe, as MediaRecorder streams it.
ENCODINGS = {
    "wav": ["-ar", "44100", "-ac", "2", "-c:a", "pcm_s16le", "-f", "wav"],
    "mp3": ["-c:a", "libmp3lame", "-q:a", "5", "-f", "mp3"],
    "m4a": ["-c:a", "aac", "-b:a", "64k", "-f", "ipod"],
    "ogg": ["-c:a", "libopus", "-b:a", "32k", "-f", "ogg"],
    "webm": ["-c:a", "libopus", "-b:a", "32k", "-f", "webm", "-live", "1"],
    "flac": ["-c:a", "flac", "-f", "flac"],
}
CONTENT_TYPES = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "webm": "audio/webm",
    "flac": "audio/flac",
}
MAGIC = (b"RIFF", b"WAVE", b"OggS", b"fLaC", b"ID3\x03", b"ID3\x04", b"ftypM4A", b"\x1a\x45\xdf\xa3", b"OpusHead")


@functools.cache
def spoken_wav(text: str = PHRASE) -> bytes:
    return speak(text)


@functools.cache
def encoded(fmt: str, text: str = PHRASE) -> bytes:
    """``text`` spoken and encoded as ``fmt`` (written to a seekable file where the muxer wants one)."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"note.{fmt}"
        args = ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-f", "wav", "-i", "pipe:0"]
        output = ["pipe:1"] if fmt == "webm" else [str(target)]
        result = subprocess.run(
            [*args, *ENCODINGS[fmt], *output], input=spoken_wav(text), capture_output=True, timeout=60, check=False
        )
        assert result.returncode == 0, result.stderr.decode()
        return result.stdout if fmt == "webm" else target.read_bytes()


def silence_wav(*, size_bytes: int) -> bytes:
    """A valid 16 kHz mono WAV of about ``size_bytes`` (silence): big, but short enough to be a note."""
    return wav_from_pcm(b"\x00" * (size_bytes - size_bytes % 2), sample_rate=16_000)
