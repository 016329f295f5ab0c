"""Test data: a recognisable plaintext (a playable WAV file) and a way to look for it."""

from __future__ import annotations

import io
import math
import struct
import wave


def wav_bytes(*, seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A real, playable WAV file: RIFF/WAVE header and a 440 Hz tone."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * n / rate))) for n in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def windows(data: bytes, size: int = 16) -> set[bytes]:
    return {data[i : i + size] for i in range(len(data) - size + 1)}
