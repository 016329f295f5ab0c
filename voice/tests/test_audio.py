"""voice.audio on real recordings: espeak-ng speech encoded by ffmpeg into every format we accept."""

from __future__ import annotations

import io
import subprocess
import tempfile
import wave

import pytest

from voice import audio
from voice.audio import AudioRejected, audio_inspect, audio_normalise, wav_duration_seconds
from voice.speech import speak

LIMITS = {"max_bytes": 5_000_000, "max_seconds": 60.0}
# ffmpeg output options per format, chosen to look like what phones and browsers upload.
ENCODINGS = {
    "wav": ["-ar", "44100", "-ac", "2", "-c:a", "pcm_s16le", "-f", "wav"],  # stereo 44.1 kHz, like a desktop recorder
    "mp3": ["-c:a", "libmp3lame", "-q:a", "5", "-f", "mp3"],
    "m4a": ["-c:a", "aac", "-b:a", "64k", "-f", "ipod"],  # iPhone voice memo: AAC in M4A, moov atom at the end
    "ogg": ["-c:a", "libopus", "-b:a", "32k", "-f", "ogg"],  # Firefox MediaRecorder
    "flac": ["-c:a", "flac", "-f", "flac"],
}
CODECS = {"wav": "pcm_s16le", "mp3": "mp3", "m4a": "aac", "ogg": "opus", "webm": "opus", "flac": "flac"}


def ffmpeg(args: list[str], *, stdin: bytes | None = None) -> bytes:
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", *args], input=stdin, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


@pytest.fixture(scope="module")
def spoken() -> bytes:
    return speak("Add a new lead from ABC Corp and schedule a follow up with John Smith next Tuesday at 3 pm.")


@pytest.fixture(scope="module")
def spoken_seconds(spoken: bytes) -> float:
    return wav_duration_seconds(spoken)


@pytest.fixture(scope="module")
def encoded(spoken: bytes, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The phrase in each supported format, written to seekable files where the muxer wants one."""
    folder = tmp_path_factory.mktemp("encoded")
    out = {}
    for fmt, options in ENCODINGS.items():
        target = folder / f"note.{fmt}"
        ffmpeg(["-f", "wav", "-i", "pipe:0", *options, str(target)], stdin=spoken)
        out[fmt] = target.read_bytes()
    # Written to a pipe, as MediaRecorder streams it: no Duration element, no Cues, live clusters.
    out["webm"] = ffmpeg(
        ["-f", "wav", "-i", "pipe:0", "-c:a", "libopus", "-f", "webm", "-live", "1", "pipe:1"], stdin=spoken
    )
    return out


@pytest.mark.parametrize("fmt", ["wav", "mp3", "m4a", "ogg", "webm", "flac"])
def test_inspect_detects_each_format_by_content(fmt, encoded, spoken_seconds, tmp_path):
    # A misleading name: the extension must not matter.
    upload = tmp_path / "quarterly-report.pdf"
    upload.write_bytes(encoded[fmt])

    info = audio_inspect(upload, **LIMITS)

    assert info.format == fmt
    assert info.codec == CODECS[fmt]
    assert info.duration_seconds == pytest.approx(spoken_seconds, abs=0.1)
    assert info.channels == (2 if fmt == "wav" else 1)
    assert info.sample_rate in (22050, 44100, 48000)
    assert info.size_bytes == len(encoded[fmt])


@pytest.mark.parametrize("fmt", ["mp3", "webm"])
def test_inspect_takes_bytes_and_file_objects_without_a_name(fmt, encoded):
    from_bytes = audio_inspect(encoded[fmt], **LIMITS)
    handle = io.BytesIO(encoded[fmt])
    handle.read(10)  # an upload handler has already read some of it

    from_file = audio_inspect(handle, **LIMITS)

    assert from_bytes == from_file
    assert from_file.format == fmt


def test_webm_from_a_recorder_has_no_duration_in_its_header_but_inspect_measures_it(encoded, spoken_seconds, tmp_path):
    path = tmp_path / "recording.webm"
    path.write_bytes(encoded["webm"])
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert probe.stdout.strip() == "N/A"

    assert audio_inspect(path, **LIMITS).duration_seconds == pytest.approx(spoken_seconds, abs=0.1)


def test_wav_with_a_streamed_header_is_measured_by_its_bytes():
    # espeak-ng writing to a pipe leaves ~2 GiB in the RIFF and data sizes.
    raw = subprocess.run(
        ["espeak-ng", "--stdin", "--stdout"], input=b"show my hot leads", capture_output=True, timeout=30
    ).stdout
    assert raw[40:44] != (len(raw) - 44).to_bytes(4, "little")

    info = audio_inspect(raw, **LIMITS)

    assert info.format == "wav"
    assert info.duration_seconds == pytest.approx(wav_duration_seconds(raw), abs=0.01)
    assert 0.8 < info.duration_seconds < 3


def test_empty_upload_is_rejected():
    with pytest.raises(AudioRejected) as caught:
        audio_inspect(b"", **LIMITS)
    assert (caught.value.code, caught.value.status_code) == ("empty_audio", 400)


@pytest.mark.parametrize(
    ("data", "detected"),
    [
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "PNG image"),
        (b"Meeting notes: call Acme on Tuesday about the renewal.\n" * 5, "text file"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(100), "ZIP archive or Office document"),
    ],
)
def test_files_that_are_not_audio_are_rejected_with_what_they_are(data, detected):
    with pytest.raises(AudioRejected) as caught:
        audio_inspect(data, **LIMITS)

    assert caught.value.code == "unsupported_audio"
    assert caught.value.status_code == 415
    assert f"(detected: {detected})" in caught.value.message
    assert "Upload WAV, MP3, M4A, OGG, WebM or FLAC." in caught.value.message


@pytest.mark.parametrize("fmt", ["mp3", "ogg", "webm", "m4a", "flac", "wav"])
def test_truncated_recordings_are_rejected(fmt, encoded):
    cut = encoded[fmt][: len(encoded[fmt]) * 6 // 10]

    with pytest.raises(AudioRejected) as caught:
        audio_inspect(cut, **LIMITS)

    assert caught.value.code == "corrupt_audio"
    assert caught.value.status_code == 400


def test_video_without_a_sound_track_is_rejected(tmp_path):
    video = tmp_path / "clip.mp4"
    ffmpeg(["-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=10", "-pix_fmt", "yuv420p", str(video)])

    with pytest.raises(AudioRejected) as caught:
        audio_inspect(video, **LIMITS)

    assert caught.value.code == "no_audio_track"
    assert "MP4/M4A video without an audio track" in caught.value.message


@pytest.mark.parametrize("fmt", ["mp3", "webm"])
def test_recordings_longer_than_the_limit_are_rejected(fmt, encoded):
    with pytest.raises(AudioRejected) as caught:
        audio_inspect(encoded[fmt], max_bytes=LIMITS["max_bytes"], max_seconds=2.0)

    assert caught.value.code == "audio_too_long"
    assert "the limit is 2 s" in caught.value.message


def test_size_is_checked_before_any_process_runs(encoded, monkeypatch, tmp_path):
    def no_process(*args, **kwargs):
        raise AssertionError("a subprocess ran for an oversized upload")

    monkeypatch.setattr(audio.subprocess, "run", no_process)
    path = tmp_path / "big.mp3"
    path.write_bytes(encoded["mp3"])

    for source in (encoded["mp3"], path, io.BytesIO(encoded["mp3"])):
        with pytest.raises(AudioRejected) as caught:
            audio_inspect(source, max_bytes=1000, max_seconds=60)
        assert (caught.value.code, caught.value.status_code) == ("audio_too_large", 413)


def test_inspect_leaves_no_temporary_files(encoded, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    audio_inspect(encoded["ogg"], **LIMITS)
    with pytest.raises(AudioRejected):
        audio_inspect(encoded["ogg"][:5000], **LIMITS)

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["wav", "mp3", "m4a", "ogg", "webm", "flac"])
def test_normalise_gives_16khz_mono_pcm_wav(fmt, encoded, spoken_seconds):
    wav = audio_normalise(encoded[fmt])

    with wave.open(io.BytesIO(wav)) as reader:
        assert (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (16000, 1, 2)
        assert reader.getnframes() / 16000 == pytest.approx(spoken_seconds, abs=0.1)
    assert wav_duration_seconds(wav) == pytest.approx(spoken_seconds, abs=0.1)


def test_normalise_rejects_what_it_cannot_decode(encoded):
    with pytest.raises(AudioRejected) as caught:
        audio_normalise(b"%PDF-1.4 not audio")
    assert caught.value.code == "unsupported_audio"

    # An MP3 frame header followed by noise: sniffs as MP3, decodes to nothing.
    with pytest.raises(AudioRejected) as caught:
        audio_normalise(b"\xff\xfb\x90\x64" + bytes(range(256)) * 4)
    assert caught.value.code == "corrupt_audio"


def test_normalise_refuses_to_cut_a_long_recording(encoded):
    with pytest.raises(AudioRejected) as caught:
        audio_normalise(encoded["flac"], max_seconds=1.5)
    assert caught.value.code == "audio_too_long"


def test_wav_duration_agrees_with_the_wave_module(spoken: bytes, spoken_seconds: float):
    with wave.open(io.BytesIO(spoken)) as reader:
        assert spoken_seconds == pytest.approx(reader.getnframes() / reader.getframerate())
