"""Audio intake: recognise, check and normalise voice recordings before anything else touches them.

Plain Python over ffprobe/ffmpeg; no Django. The format is decided by the bytes (magic numbers and
container structure), never by a file name or a Content-Type, and ffprobe/ffmpeg only ever see a
private temporary copy named by this module, read with the demuxer we detected forced on, so a
crafted file cannot steer them into another demuxer (an HLS playlist fetching URLs, say).

Order of checks in ``audio_inspect``: size (before any process runs), empty, content sniffing,
container structure (a file cut off mid-upload), ffprobe (an audio stream must exist), declared
length against ``max_seconds`` (cheap early exit), then a full decode that counts the samples. The
decode is what makes durations right for browser WebM (MediaRecorder writes no duration) and what
catches audio that only looks valid.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from crm_saas.errors import DomainError, ServiceUnavailableError

SUPPORTED_FORMATS = ("wav", "mp3", "m4a", "ogg", "webm", "flac")
TARGET_SAMPLE_RATE = 16_000
# ffmpeg demuxer forced for each detected format (the mov demuxer reads mp4/m4a, matroska reads webm).
_DEMUXERS = {"wav": "wav", "mp3": "mp3", "m4a": "mov", "ogg": "ogg", "webm": "matroska", "flac": "flac"}
_LABELS = {"wav": "WAV", "mp3": "MP3", "m4a": "MP4/M4A", "ogg": "Ogg", "webm": "WebM", "flac": "FLAC"}
_UPLOAD_HINT = "Upload WAV, MP3, M4A, OGG, WebM or FLAC."
# Counting decoded samples only needs a low rate: 8 kHz mono s16 is 16 kB per second of audio.
_COUNT_RATE = 8_000
_PROBE_TIMEOUT_S = 20.0
_DECODE_TIMEOUT_S = 120.0
# WAV writers that stream (espeak-ng --stdout, ffmpeg to a pipe) cannot go back to fill in sizes and
# leave 0, 0xFFFFFFFF or a value near 2 GiB; such a header says nothing about the real length.
_WAV_STREAMING_SIZE = 0x7FFF0000

AudioSource = bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO


class AudioRejected(DomainError):
    """The upload is not a recording we accept; the message tells the user what to do instead."""

    default_code = "corrupt_audio"
    _STATUS_BY_CODE = {"unsupported_audio": 415, "no_audio_track": 415, "audio_too_large": 413}

    def __init__(self, message: str, *, code: str, field: str | None = "audio") -> None:
        super().__init__(message, field=field, code=code)
        self.status_code = self._STATUS_BY_CODE.get(code, 400)


@dataclass(frozen=True)
class AudioInfo:
    format: str  # one of SUPPORTED_FORMATS
    codec: str  # ffprobe's codec name: pcm_s16le, mp3, aac, opus, vorbis, flac, ...
    duration_seconds: float  # counted from decoded samples, not taken from the header
    sample_rate: int
    channels: int
    size_bytes: int


def audio_inspect(data: AudioSource, *, max_bytes: int, max_seconds: float) -> AudioInfo:
    """Recognise and check a recording; raise ``AudioRejected`` with a user-facing message if unfit."""
    raw = _read_limited(data, max_bytes=max_bytes)
    fmt = audio_format_detect(raw)
    if _container_truncated(raw, fmt):
        raise _cut_off()
    with _private_copy(raw) as path:
        stream, format_duration = _probe_audio_stream(path, fmt)
        declared = _declared_seconds(raw, fmt, format_duration)
        if declared is not None and declared > max_seconds + 0.5:
            raise _too_long(declared, max_seconds)
        # Decode a little past the limit only: enough to know it is too long, no more work than that.
        pcm = _decode_pcm(path, fmt, rate=_COUNT_RATE, limit_seconds=max_seconds + 1.0)
    duration = len(pcm) / 2 / _COUNT_RATE
    if duration <= 0:
        raise AudioRejected("The recording contains no sound we can play back.", code="corrupt_audio")
    if duration > max_seconds:
        raise _too_long(None, max_seconds)  # decoding stopped at the cap: the real length is unknown
    # Tolerance: encoders pad and prime (an MP3 declares ~0.05 s more than it decodes to).
    if declared is not None and duration + max(0.5, 0.05 * declared) < declared:
        raise _cut_off()
    return AudioInfo(
        format=fmt,
        codec=str(stream.get("codec_name") or "unknown"),
        duration_seconds=round(duration, 3),
        sample_rate=int(stream.get("sample_rate") or 0),
        channels=int(stream.get("channels") or 0),
        size_bytes=len(raw),
    )


def audio_normalise(data: bytes, *, max_seconds: float | None = None) -> bytes:
    """Decode any supported recording to 16 kHz mono 16-bit PCM WAV bytes (what the engines take).

    With ``max_seconds``, a longer recording is rejected rather than silently cut: a note that loses
    its end without anyone noticing is worse than an error.
    """
    raw = bytes(data)
    if not raw:
        raise AudioRejected("The recording is empty.", code="empty_audio")
    fmt = audio_format_detect(raw)
    limit = None if max_seconds is None else max_seconds + 1.0
    with _private_copy(raw) as path:
        pcm = _decode_pcm(path, fmt, rate=TARGET_SAMPLE_RATE, limit_seconds=limit)
    if not pcm:
        raise AudioRejected("The recording contains no sound we can play back.", code="corrupt_audio")
    seconds = len(pcm) / 2 / TARGET_SAMPLE_RATE
    if max_seconds is not None and seconds > max_seconds:
        raise _too_long(None, max_seconds)
    return wav_from_pcm(pcm, sample_rate=TARGET_SAMPLE_RATE)


def audio_format_detect(data: bytes) -> str:
    """Name the format of ``data`` from its bytes alone, or raise ``AudioRejected``."""
    if not data:
        raise AudioRejected("The recording is empty.", code="empty_audio")
    head = bytes(data[:64])
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        doctype = _ebml_doctype(data)
        if doctype == "webm":
            return "webm"
        raise _unsupported("Matroska file" if doctype == "matroska" else "EBML file")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis"):
            raise _unsupported("HEIF/AVIF image")
        return "m4a"  # an audio track is required later, which rules out video-only MP4
    offset = _id3v2_length(data)
    if offset and data[offset : offset + 4] == b"fLaC":
        return "flac"  # some taggers put ID3 in front of FLAC; ffmpeg's flac demuxer skips it
    sync = _mpeg_audio_sync(data, offset)
    if sync == "mp3":
        return "mp3"
    if sync == "adts":
        raise _unsupported("raw AAC stream")
    raise _unsupported(_describe_non_audio(head, data) if not offset else "ID3 tag without MP3 audio")


def wav_duration_seconds(wav: bytes) -> float:
    """Length of a PCM WAV in seconds, from the bytes actually present (streamed headers lie)."""
    pcm, sample_rate, channels, sample_width = wav_pcm(wav)
    return len(pcm) / (sample_rate * channels * sample_width)


def wav_pcm(wav: bytes) -> tuple[bytes, int, int, int]:
    """Split a PCM WAV into (frames, sample_rate, channels, sample_width), trusting only the bytes present."""
    chunks = _riff_chunks(wav)
    fmt_chunk = next((body for cid, body, _ in chunks if cid == b"fmt "), None)
    data = next(((body, declared) for cid, body, declared in chunks if cid == b"data"), None)
    if fmt_chunk is None or data is None or len(fmt_chunk) < 16:
        raise AudioRejected("The WAV file has no audio data.", code="corrupt_audio")
    tag, channels, sample_rate, _, block_align, bits = struct.unpack("<HHIIHH", fmt_chunk[:16])
    # 1 is PCM; 0xFFFE (extensible) carries PCM in practice for the widths we accept.
    if tag not in (1, 0xFFFE) or bits not in (8, 16, 24, 32) or not channels or not sample_rate:
        raise AudioRejected("The WAV file is not plain PCM audio.", code="corrupt_audio")
    body = data[0]
    return body[: len(body) - len(body) % block_align], sample_rate, channels, bits // 8


def wav_from_pcm(pcm: bytes, *, sample_rate: int, channels: int = 1, sample_width: int = 2) -> bytes:
    """Wrap little-endian PCM frames in a WAV header with correct sizes."""
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(sample_width)
        writer.setframerate(sample_rate)
        writer.writeframes(pcm)
    return out.getvalue()


# -- input -----------------------------------------------------------------------------------------


def _read_limited(source: AudioSource, *, max_bytes: int) -> bytes:
    """Read the whole upload, refusing before reading more than ``max_bytes``."""
    if isinstance(source, bytes | bytearray | memoryview):
        size = len(source)
        if size > max_bytes:
            raise _too_large(size, max_bytes)
        raw = bytes(source)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_large(size, max_bytes)
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    else:
        if getattr(source, "seekable", lambda: False)():
            source.seek(0)  # an upload handler may already have read it
        raw = source.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise _too_large(len(raw), max_bytes)
    if not raw:
        raise AudioRejected("The recording is empty.", code="empty_audio")
    return raw


@contextmanager
def _private_copy(raw: bytes) -> Iterator[Path]:
    """Write the bytes to a file only this process can read, under a name we choose; delete it after."""
    with tempfile.TemporaryDirectory(prefix="voice-audio-") as folder:
        path = Path(folder) / "input.bin"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        yield path


# -- ffprobe / ffmpeg ------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ServiceUnavailableError(f"Audio processing is not available ({name} is not installed).", code="no_ffmpeg")
    return found


def _run(args: list[str], *, timeout: float) -> subprocess.CompletedProcess[bytes]:
    try:
        # S603: an argument list with an absolute program path, no shell; the only file argument is
        # our own temporary path, and the demuxer is forced, so content cannot pick code paths.
        return subprocess.run(args, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)  # noqa: S603
    except subprocess.TimeoutExpired as exc:
        raise ServiceUnavailableError("Reading the recording took too long; try again later.", code="timeout") from exc


def _probe_audio_stream(path: Path, fmt: str) -> tuple[dict, float | None]:
    """Return the first audio stream ffprobe finds and the container's duration (None if it has none)."""
    args = [_tool("ffprobe"), "-v", "error", "-hide_banner", "-protocol_whitelist", "file", "-f", _DEMUXERS[fmt]]
    args += ["-show_streams", "-show_format", "-of", "json", f"file:{path}"]
    result = _run(args, timeout=_PROBE_TIMEOUT_S)
    if result.returncode != 0:
        raise AudioRejected(f"The {_LABELS[fmt]} file is damaged and cannot be read.", code="corrupt_audio")
    probe = json.loads(result.stdout or b"{}")
    streams = probe.get("streams", [])
    stream = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if stream is None:
        kind = "video" if any(s.get("codec_type") == "video" for s in streams) else "file"
        raise AudioRejected(
            f"The file contains no sound (detected: {_LABELS[fmt]} {kind} without an audio track). {_UPLOAD_HINT}",
            code="no_audio_track",
        )
    duration = probe.get("format", {}).get("duration")
    return stream, (float(duration) if duration not in (None, "N/A") else None)


def _decode_pcm(path: Path, fmt: str, *, rate: int, limit_seconds: float | None) -> bytes:
    """Decode the first audio stream to mono s16le at ``rate`` (stopping after ``limit_seconds``)."""
    args = [_tool("ffmpeg"), "-nostdin", "-hide_banner", "-v", "error", "-protocol_whitelist", "file"]
    args += ["-f", _DEMUXERS[fmt], "-i", f"file:{path}", "-map", "0:a:0", "-vn", "-sn", "-dn"]
    if limit_seconds is not None:
        args += ["-t", f"{limit_seconds:.3f}"]
    args += ["-ac", "1", "-ar", str(rate), "-c:a", "pcm_s16le", "-f", "s16le", "pipe:1"]
    result = _run(args, timeout=_DECODE_TIMEOUT_S)
    if result.returncode != 0:
        raise AudioRejected(f"The {_LABELS[fmt]} file is damaged and cannot be played.", code="corrupt_audio")
    return result.stdout[: len(result.stdout) - len(result.stdout) % 2]


def _declared_seconds(raw: bytes, fmt: str, format_duration: float | None) -> float | None:
    """The length the container promises, where that promise is trustworthy (else None)."""
    if fmt == "wav":
        chunks = _riff_chunks(raw)
        fmt_chunk = next((body for cid, body, _ in chunks if cid == b"fmt "), b"")
        declared = next((size for cid, _, size in chunks if cid == b"data"), 0)
        if len(fmt_chunk) < 16 or not declared or declared >= _WAV_STREAMING_SIZE:
            return None
        byte_rate = struct.unpack("<I", fmt_chunk[8:12])[0]
        return declared / byte_rate if byte_rate else None
    if fmt == "mp3" and not _mp3_has_frame_count(raw):
        return None  # without a Xing/VBRI header ffprobe only estimates from the bitrate
    return format_duration


# -- content sniffing ------------------------------------------------------------------------------


def _describe_non_audio(head: bytes, data: bytes) -> str:
    signatures = [
        (b"%PDF", "PDF document"),
        (b"\x89PNG", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"PK\x03\x04", "ZIP archive or Office document"),
        (b"\x1f\x8b", "gzip archive"),
        (b"MThd", "MIDI file"),
        (b"#!AMR", "AMR audio"),
        (b"FORM", "AIFF audio"),
    ]
    for magic, label in signatures:
        if head.startswith(magic):
            return label
    if head[:4] == b"RIFF":
        return {b"AVI ": "AVI video", b"WEBP": "WebP image"}.get(head[8:12], "RIFF file")
    sample = bytes(data[:1024]).decode("utf-8", errors="ignore")
    if sample and sum(ch.isprintable() or ch.isspace() for ch in sample) / len(sample) > 0.95:
        return "HTML page" if sample.lstrip().lower().startswith(("<!doctype html", "<html")) else "text file"
    return "unrecognised data"


def _unsupported(detected: str) -> AudioRejected:
    return AudioRejected(
        f"The file is not audio we can read (detected: {detected}). {_UPLOAD_HINT}", code="unsupported_audio"
    )


def _id3v2_length(data: bytes) -> int:
    """Bytes taken by a leading ID3v2 tag (0 if none). Its size is 'syncsafe': 7 bits per byte."""
    if len(data) < 10 or data[:3] != b"ID3":
        return 0
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    return 10 + size + (10 if data[5] & 0x10 else 0)


def _mpeg_audio_sync(data: bytes, start: int) -> str | None:
    """'mp3' for an MPEG layer III frame header at ``start`` (after padding), 'adts' for AAC, else None."""
    pos = start
    # Taggers may pad after an ID3 tag with zeros; tolerate a little (only after a tag).
    while start and pos < min(len(data), start + 4096) and data[pos] == 0:
        pos += 1
    if len(data) < pos + 4 or data[pos] != 0xFF:
        return None
    b1, b2 = data[pos + 1], data[pos + 2]
    if b1 & 0xF6 == 0xF0:
        return "adts"
    version, layer = (b1 >> 3) & 0x3, (b1 >> 1) & 0x3
    bitrate, sample_rate = b2 >> 4, (b2 >> 2) & 0x3
    if b1 & 0xE0 == 0xE0 and version != 1 and layer == 1 and bitrate not in (0, 15) and sample_rate != 3:
        return "mp3"
    return None


def _mp3_has_frame_count(raw: bytes) -> bool:
    start = _id3v2_length(raw)
    first_frame = raw[start : start + 200]
    return any(tag in first_frame for tag in (b"Xing", b"Info", b"VBRI"))


def _ebml_doctype(data: bytes) -> str | None:
    """The DocType ('webm', 'matroska') from an EBML header."""
    try:
        _, size, pos = _ebml_element(data, 0)
        end = min(len(data), pos + (size or 0))
        while pos < end:
            eid, size, body = _ebml_element(data, pos)
            if size is None:
                return None
            if eid == 0x4282:
                return data[body : body + size].decode("ascii", errors="replace").strip("\x00")
            pos = body + size
    except _Truncated:
        return None
    return None


# -- container structure: was the upload cut off? ---------------------------------------------------


class _Truncated(Exception):
    pass


def _cut_off() -> AudioRejected:
    return AudioRejected(
        "The recording appears to be cut off or damaged; please upload it again.", code="corrupt_audio"
    )


def _container_truncated(raw: bytes, fmt: str) -> bool:
    """True when the container's own sizes say bytes are missing at the end.

    Decoders are lenient with a short tail (ffmpeg plays a half Ogg or WebM without an error), so an
    interrupted upload would otherwise pass as a shorter, complete recording.
    """
    if fmt == "ogg":
        return _ogg_truncated(raw)
    if fmt == "webm":
        return _ebml_truncated(raw)
    if fmt == "m4a":
        return _isobmff_truncated(raw)
    if fmt == "wav":
        data = next(((body, size) for cid, body, size in _riff_chunks(raw) if cid == b"data"), None)
        return data is not None and data[1] < _WAV_STREAMING_SIZE and len(data[0]) < data[1]
    return False  # mp3 and flac: checked by declared against decoded length


def _riff_chunks(raw: bytes) -> list[tuple[bytes, bytes, int]]:
    """(chunk id, body actually present, declared body size) for each chunk of a RIFF/WAVE file."""
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise AudioRejected("The file is not a WAV recording.", code="corrupt_audio")
    chunks, pos = [], 12
    while pos + 8 <= len(raw):
        cid, size = raw[pos : pos + 4], struct.unpack("<I", raw[pos + 4 : pos + 8])[0]
        body = raw[pos + 8 : pos + 8 + size]
        chunks.append((cid, body, size))
        if cid == b"data" and size >= _WAV_STREAMING_SIZE:
            break  # a streamed header: the data runs to the end of the file
        pos += 8 + size + (size & 1)  # chunks are padded to an even length
    return chunks


def _ogg_truncated(raw: bytes) -> bool:
    """Walk the Ogg pages; the last one must be complete (header + segment table + body)."""
    pos = 0
    while pos < len(raw):
        if raw[pos : pos + 4] != b"OggS" or pos + 27 > len(raw):
            return True
        segments = raw[pos + 26]
        if pos + 27 + segments > len(raw):
            return True
        body = sum(raw[pos + 27 : pos + 27 + segments])
        pos += 27 + segments + body
    return pos > len(raw)


def _ebml_element(data: bytes, pos: int) -> tuple[int, int | None, int]:
    """Read an EBML element header at ``pos``: (id, size or None if unknown, body offset)."""

    def vint(at: int, keep_marker: bool) -> tuple[int, int, bool]:
        if at >= len(data):
            raise _Truncated
        first = data[at]
        length = 9 - first.bit_length() if first else 9
        if length > 8 or at + length > len(data):
            raise _Truncated
        value = first if keep_marker else first & (0xFF >> length)
        all_ones = value == (0xFF >> length)
        for byte in data[at + 1 : at + length]:
            value = (value << 8) | byte
            all_ones = all_ones and byte == 0xFF
        return value, at + length, all_ones

    eid, pos, _ = vint(pos, keep_marker=True)
    size, pos, unknown = vint(pos, keep_marker=False)
    return eid, (None if unknown else size), pos


_EBML_SEGMENT, _EBML_CLUSTER = 0x18538067, 0x1F43B675


def _ebml_truncated(raw: bytes) -> bool:
    """Walk top-level WebM elements, entering Segment and Cluster (MediaRecorder leaves their size
    unknown and streams children); every element with a known size must end inside the file."""
    pos = 0
    try:
        while pos < len(raw):
            eid, size, body = _ebml_element(raw, pos)
            if size is not None and body + size > len(raw):
                return True
            if eid in (_EBML_SEGMENT, _EBML_CLUSTER):
                pos = body  # walk the children in line
            elif size is None:
                return False  # an unknown-size element we do not walk: no verdict
            else:
                pos = body + size
    except _Truncated:
        return True
    return False


def _isobmff_truncated(raw: bytes) -> bool:
    """Walk top-level MP4 boxes; each must end inside the file (an interrupted upload loses moov or mdat)."""
    pos = 0
    while pos + 8 <= len(raw):
        size = struct.unpack(">I", raw[pos : pos + 4])[0]
        header = 8
        if size == 1:  # 64-bit size follows the type
            if pos + 16 > len(raw):
                return True
            size, header = struct.unpack(">Q", raw[pos + 8 : pos + 16])[0], 16
        elif size == 0:  # box runs to the end of the file
            return False
        if size < header or pos + size > len(raw):
            return True
        pos += size
    return pos != len(raw)


# -- messages --------------------------------------------------------------------------------------


def _too_large(size: int, max_bytes: int) -> AudioRejected:
    return AudioRejected(
        f"The recording is too large ({_megabytes(size)}); the limit is {_megabytes(max_bytes)}.",
        code="audio_too_large",
    )


def _too_long(seconds: float | None, max_seconds: float) -> AudioRejected:
    limit = _minutes(max_seconds)
    told = f"is {_minutes(seconds)} long" if seconds is not None else f"is longer than {limit}"
    return AudioRejected(f"The recording {told}; the limit is {limit}.", code="audio_too_long")


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{max(size, 1) / 1000:.0f} kB"


def _minutes(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{max(whole, 1)} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
