"""voice.speech: espeak-ng replies are real, audible WAV, and user text never becomes an option."""

from __future__ import annotations

import io
import re
import subprocess
import wave

import pytest

from crm_saas.errors import DomainError
from voice.audio import audio_inspect, wav_duration_seconds
from voice.speech import MAX_SPOKEN_CHARS, speak, speak_to_format


def sox_stat(wav: bytes, tmp_path) -> dict[str, float]:
    """`sox <file> -n stat` figures (it prints them on stderr) by name."""
    path = tmp_path / "reply.wav"
    path.write_bytes(wav)
    result = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    figures = {}
    for line in result.stderr.splitlines():
        name, _, value = line.partition(":")
        if re.fullmatch(r"\s*-?[\d.]+\s*", value):
            figures[" ".join(name.split())] = float(value)
    return figures


def test_speak_returns_audible_wav_of_plausible_length(tmp_path):
    wav = speak("Create lead ABC Corp?")

    with wave.open(io.BytesIO(wav)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, 22050)
        # The header is rewritten with true sizes (espeak-ng streams ~2 GiB placeholders).
        assert 44 + reader.getnframes() * 2 == len(wav)
    stat = sox_stat(wav, tmp_path)
    assert 1.0 < stat["Length (seconds)"] < 3.0  # four words
    assert stat["Length (seconds)"] == pytest.approx(wav_duration_seconds(wav), abs=0.01)
    assert stat["RMS amplitude"] > 0.02  # speech, not silence
    assert stat["Maximum amplitude"] > 0.3


@pytest.mark.parametrize("text", ["-v xx --help", "--version", "-w /tmp/owned.wav hello"])
def test_text_starting_with_a_dash_is_spoken_not_parsed(text, tmp_path):
    wav = speak(text)

    assert wav[:4] == b"RIFF"
    # Spoken as words, where an option would have given help text, an error or a file elsewhere.
    assert wav_duration_seconds(wav) > 0.5
    assert sox_stat(wav, tmp_path)["RMS amplitude"] > 0.02


def test_faster_speech_is_shorter():
    sentence = "Schedule a follow up with John Smith next Tuesday at three pm."
    slow = wav_duration_seconds(speak(sentence, speed_wpm=120))
    fast = wav_duration_seconds(speak(sentence, speed_wpm=240))

    assert fast < slow * 0.7


def test_other_voices_work():
    assert wav_duration_seconds(speak("show my hot leads", voice="en-gb")) > 0.5


@pytest.mark.parametrize("voice", ["en-us; rm -rf /", "--help", "EN US", "xx-zz"])
def test_bad_or_unknown_voices_are_refused(voice):
    with pytest.raises(DomainError) as caught:
        speak("hello", voice=voice)
    assert caught.value.field == "voice"


@pytest.mark.parametrize(
    ("text", "speed"), [("", 165), ("   \x00\x07 ", 165), ("x" * (MAX_SPOKEN_CHARS + 1), 165), ("hello", 10)]
)
def test_empty_or_oversized_requests_are_refused(text, speed):
    with pytest.raises(DomainError):
        speak(text, speed_wpm=speed)


@pytest.mark.parametrize("fmt", ["ogg", "mp3"])
def test_speak_to_format_gives_audio_the_intake_accepts(fmt):
    data = speak_to_format("Lead created.", fmt)

    info = audio_inspect(data, max_bytes=1_000_000, max_seconds=10)

    assert info.format == fmt
    assert 0.5 < info.duration_seconds < 3


def test_speak_to_format_wav_is_speak():
    assert speak_to_format("Lead created.", "wav") == speak("Lead created.")
    with pytest.raises(DomainError):
        speak_to_format("Lead created.", "aiff")
