"""Benchmark: offline speech engines side by side on spoken CRM commands.

Ten command phrases are synthesized with espeak-ng (the product's ``voice.speech.speak``) in a mix of
voices and speeds, normalised with ``voice.audio.audio_normalise``, and transcribed by:

- whisper-tiny-en without hints,
- whisper-tiny-en with a short domain prompt (tenant names and CRM words; not the test phrases),
  with its voice-activity filter on (the engine's default) and off,
- sphinx-grammar with a JSGF grammar that covers the phrases (and much else).

For each it prints corpus word error rate, exact phrases, real-time factor (processing / audio
seconds) and load time. Three out-of-grammar sentences show how often the grammar engine turns
unrelated speech into a command. No database or Django settings are needed.

Usage: .venv/bin/python bench/voice_engines.py
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from voice.audio import audio_normalise  # noqa: E402
from voice.speech import speak  # noqa: E402
from voice.transcription import sphinx, whisper  # noqa: E402
from voice.transcription.base import EngineHints, TranscriptionFailed  # noqa: E402
from voice.transcription.metrics import text_normalise, word_error_rate  # noqa: E402

PHRASES = [
    "add a new lead from ABC Corp",
    "mark Acme as qualified",
    "schedule a follow up with John Smith next Tuesday at 3 pm",
    "show my hot leads",
    "mark Globex as lost",
    "show my open leads",
    "assign Umbrella to Jane Doe",
    "add a note to Acme they want a demo",
    "schedule a call with Jane Doe on Friday at 10 am",
    "mark Umbrella as contacted",
]
VOICES = [("en-us", 165), ("en-gb", 140), ("en-us", 180), ("en-gb-x-rp", 165)]
OUT_OF_GRAMMAR = ["what is the weather like today", "send the proposal to Acme", "remind me to buy milk"]
DOMAIN_PROMPT = ["ABC Corp", "Acme", "Globex", "Umbrella", "John Smith", "Jane Doe", "lead", "qualified", "follow up"]
GRAMMAR = """#JSGF V1.0;
grammar crm;
public <command> = <add> | <mark> | <show> | <schedule> | <assign> | <note>;
<add> = add a new lead from <company>;
<mark> = mark <company> as (qualified | lost | won | contacted);
<show> = show my (hot | new | open | lost) leads;
<schedule> = schedule a (follow up | call | meeting) with <person> <when> at <hour> (am | pm);
<when> = next <day> | on <day> | tomorrow;
<assign> = assign <company> to <person>;
<note> = add a note to <company> they want a (demo | quote | call back);
<company> = abc corp | acme | globex | umbrella;
<person> = john smith | jane doe;
<day> = monday | tuesday | wednesday | thursday | friday;
<hour> = one | two | three | four | five | six | seven | eight | nine | ten | eleven | twelve;
"""


def run_engine(label: str, engine: object, clips: list[tuple[str, bytes, float]], hints: EngineHints | None) -> dict:
    errors = words = exact = 0.0
    processing = audio = 0.0
    for reference, wav, seconds in clips:
        try:
            transcript = engine.transcribe(wav, hints=hints)
            text, spent = transcript.text, transcript.processing_seconds
        except TranscriptionFailed:
            text, spent = "", 0.0
        ref_words = len(text_normalise(reference))
        errors += word_error_rate(reference, text) * ref_words
        words += ref_words
        exact += text_normalise(reference) == text_normalise(text)
        processing += spent
        audio += seconds
        print(f"  {label:24s} {reference!r:62s} -> {text!r}")
    return {"wer": errors / words, "exact": int(exact), "rtf": processing / audio}


def sox_stat(wav: bytes) -> str:
    sox = shutil.which("sox")
    if not sox:
        return "sox not installed"
    with tempfile.NamedTemporaryFile(suffix=".wav") as handle:
        handle.write(wav)
        handle.flush()
        result = subprocess.run([sox, handle.name, "-n", "stat"], capture_output=True, text=True, timeout=30)
    wanted = ("Length", "RMS     amplitude", "Maximum amplitude", "Rough   frequency")
    return "; ".join(" ".join(line.split()) for line in result.stderr.splitlines() if line.startswith(wanted))


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()

    started = time.perf_counter()
    clips = []
    for i, phrase in enumerate(PHRASES + OUT_OF_GRAMMAR):
        voice, speed = VOICES[i % len(VOICES)]
        spoken = speak(phrase, voice=voice, speed_wpm=speed)
        wav = audio_normalise(spoken)
        clips.append((phrase, wav, (len(wav) - 44) / 32000))
    print(f"synthesized and normalised {len(clips)} clips in {time.perf_counter() - started:.2f} s")
    print(f"sox stat of clip 1 (16 kHz): {sox_stat(clips[0][1])}")
    commands, unrelated = clips[: len(PHRASES)], clips[len(PHRASES) :]

    started = time.perf_counter()
    whisper.whisper_model_load()
    whisper_load = time.perf_counter() - started
    started = time.perf_counter()
    sphinx_engine = sphinx.SphinxGrammarEngine()
    grammar_hints = EngineHints(grammar_jsgf=GRAMMAR)
    sphinx_engine.transcribe(commands[0][1], hints=grammar_hints)  # builds the decoder and compiles the grammar
    sphinx_load = time.perf_counter() - started

    prompt = EngineHints(phrases=DOMAIN_PROMPT)
    runs = [
        ("whisper (no prompt)", whisper.WhisperEngine(), None, whisper_load),
        ("whisper (domain prompt)", whisper.WhisperEngine(), prompt, whisper_load),
        ("whisper (prompt, VAD off)", whisper.WhisperEngine(vad_filter=False), prompt, whisper_load),
        ("sphinx-grammar", sphinx_engine, grammar_hints, sphinx_load),
    ]
    results = []
    for label, engine, hints, load in runs:
        results.append((label, run_engine(label, engine, commands, hints), load))

    false_accepts = 0
    for reference, wav, _ in unrelated:
        try:
            heard = sphinx_engine.transcribe(wav, hints=grammar_hints).text
            false_accepts += 1
        except TranscriptionFailed:
            heard = "(no match)"
        print(f"  {'sphinx out-of-grammar':24s} {reference!r:62s} -> {heard!r}")

    audio_total = sum(seconds for _, _, seconds in commands)
    print(f"\n{len(commands)} command phrases, {audio_total:.1f} s of audio, voices {VOICES}")
    print(f"{'engine':26s} {'WER':>6s} {'exact':>6s} {'RTF':>7s} {'load s':>7s}")
    for label, figures, load in results:
        exact = f"{figures['exact']}/{len(commands)}"
        print(f"{label:26s} {figures['wer']:6.1%} {exact:>6s} {figures['rtf']:7.3f} {load:7.2f}")
    print(f"sphinx-grammar turned {false_accepts}/{len(unrelated)} out-of-grammar sentences into commands")


if __name__ == "__main__":
    main()
