"""Tuning set for the hybrid command recogniser's threshold (voice/transcription/hybrid.py).

The hybrid engine keeps the grammar recogniser's text when it sounds like Whisper's (phone
similarity >= GRAMMAR_MIN_SIMILARITY), and Whisper's otherwise. This script picks that threshold on
utterances of its own, so that bench/voice_commands.py stays an honest test: another tenant (other
company, person and user names, several missing from the CMU dictionary), other phrasings, the
eight espeak-ng voices assigned differently, and four kinds of utterance:

- ``grammar``: commands the grammar covers ("mark vortexa as lost");
- ``near``: covered commands with fillers or politeness ("um mark everstone homes as lost please");
- ``open``: commands outside the grammar (new company names, free-text notes, other phrasings);
- ``unrelated``: speech that is no command at all ("my flight to chicago was delayed").

Every clip is transcribed once by Whisper (with the command prompt) and once by the grammar
recogniser (with ``commands_jsgf`` of this tenant). Whisper's text, the grammar's text and the
reference text all go through ``command_parse`` with the same context and clock; a hypothesis is
*right* when it gives the reference's intent and the same compared entities (as
bench/voice_commands.py compares them). For each candidate threshold the outcome is the text the
hybrid would have kept; the threshold chosen is the middle of the widest run of values with the
most utterances right, and unrelated speech must not be turned into a command at it.

No database is needed: the parser gets the tenant as a ``CommandContext``.

Usage: .venv/bin/python bench/voice_hybrid_tuning.py [--limit N]
Writes bench/results/voice_hybrid_tuning.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
for path in (BASE_DIR, BASE_DIR / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

TIMEZONE = "Europe/Berlin"
VOICES = ("en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-us-nyc", "en-us+f3", "en-gb+f4", "en-029")
SPEEDS = (140, 150, 160, 170, 180, 190)
# (id, person, company, source)
LEADS = [
    (101, "", "Zenith Motors", "web"),
    (102, "", "Vortexa", "referral"),
    (103, "", "Nexora Health", "event"),
    (104, "", "Acorn Bakery", "web"),
    (105, "Rosa Delgado", "", "linkedin"),
    (106, "", "Helix Labs", "partner"),
    (107, "", "Orbitron Systems", "web"),
    (108, "", "Kestrel Aviation", "referral"),
    (109, "Victor Huang", "Castello Wines", "event"),
    (110, "", "Peregrine Travel", "web"),
    (111, "", "Tandem Bikes", "partner"),
    (112, "", "Lumora", "web"),
    (113, "Grace Okafor", "", "referral"),
    (114, "", "Copperfield Legal", "web"),
    (115, "", "Bluefin Seafood", "event"),
    (116, "", "Everstone Homes", "web"),
    (117, "", "Quillon", "linkedin"),
    (118, "", "Sable Insurance", "web"),
    (119, "", "Marigold Events", "partner"),
    (120, "Tomas Novak", "", "web"),
]
USERS = [(201, "Paul Grant"), (202, "Nina Kowalski"), (203, "Arjun Mehta"), (204, "Leo Brandt"), (205, "Mia Russo")]
SPEAKER_ID = 201
UTTERANCES: dict[str, list[str]] = {
    "grammar": [
        "mark vortexa as lost",
        "set zenith motors as contacted",
        "mark rosa delgado as qualified",
        "mark helix labs as converted",
        "assign orbitron systems to arjun mehta",
        "give kestrel aviation to nina",
        "assign lumora to me",
        "add a note to castello wines they want a pricing proposal",
        "add a note to tandem bikes call back next week",
        "remind me to call grace okafor tomorrow morning",
        "schedule a follow up with nexora health next friday at four pm",
        "follow up with peregrine travel in two days",
        "remind me to email quillon tomorrow at nine am",
        "show my warm leads",
        "list all new leads from web",
        "show me lost leads last month",
        "show my contacted leads this week",
        "what is the score of copperfield legal",
        "why is bluefin seafood scored so high",
        "how hot is sable insurance",
        "yes",
        "okay",
        "cancel",
        "stop",
        "what can i say",
        "help",
    ],
    "near": [
        "um mark everstone homes as lost please",
        "please show my hot leads",
        "uh assign marigold events to leo",
        "could you tell me what is the score of tomas novak",
        "okay schedule a call with acorn bakery tomorrow afternoon",
        "yes go ahead",
    ],
    "open": [
        "add a new lead from Silverline Yachts",
        "create a lead for Megan Ross at Fernhill Dairy",
        "new lead Kowalczyk Brothers Roofing",
        "add a note to Helix Labs the ceo loves the new dashboard",
        "add a note to Vortexa send them the security questionnaire",
        "move Zenith Motors to contacted",
        "Acorn Bakery is not interested anymore",
        "book a demo with Lumora on wednesday at 3 pm",
        "which leads came from partners last week",
        "give the Quillon account to Mia",
        "tell me the score for Kestrel Aviation",
        "reassign Sable Insurance to Arjun",
    ],
    "unrelated": [
        "what is the weather going to be like tomorrow",
        "i need to pick up the kids at five",
        "the printer on the second floor is jammed again",
        "can you believe the game last night",
        "let's order pizza for the team meeting",
        "my flight to chicago was delayed by two hours",
        "turn off the lights in the conference room",
        "happy birthday to you",
        "remind me to water the plants on sunday",
        "send an email to my mother about christmas",
    ],
}
THRESHOLDS = [round(step / 100, 2) for step in range(30, 96)]


def context() -> Any:
    from voice.commands.parser import CommandContext, LeadRef, UserRef

    leads = [LeadRef(id=pk, name=person, company=company, number=str(pk)) for pk, person, company, _ in LEADS]
    users = [UserRef(id=pk, name=name, email=f"{name.split()[0].lower()}@tune.test") for pk, name in USERS]
    sources = sorted({source for *_, source in LEADS})
    return CommandContext(leads=leads, users=users, speaker_id=SPEAKER_ID, sources=sources)


def meaning(text: str, now: datetime, ctx: Any) -> tuple[str | None, dict[str, Any], list[str]]:
    """(intent, compared entities, note words) the parser finds in ``text``."""
    from voice_bench_checks import normalised

    from voice.commands.parser import command_parse
    from voice.transcription.metrics import text_normalise

    if not text:
        return None, {}, []
    action = command_parse(text, now=now, timezone=TIMEZONE, context=ctx)
    note = text_normalise(str(action.entities.get("note") or ""))
    return action.intent, normalised(action.entities, ZoneInfo(TIMEZONE)), note


def clips() -> list[dict[str, Any]]:
    """Every utterance with its kind, voice and speed (voices offset from the benchmark's order)."""
    out = []
    index = 5
    for kind, texts in UTTERANCES.items():
        for text in texts:
            out.append({"kind": kind, "text": text, "voice": VOICES[index % 8], "speed": SPEEDS[(index * 5) % 6]})
            index += 1
    return out


def measure(limit: int = 0) -> list[dict[str, Any]]:
    from voice.audio import audio_normalise
    from voice.commands.grammar import commands_jsgf
    from voice.speech import speak
    from voice.transcription.base import EngineHints, TranscriptionFailed
    from voice.transcription.g2p import spoken_words
    from voice.transcription.hybrid import HybridCommandEngine, transcript_similarity
    from voice.transcription.sphinx import SphinxGrammarEngine, sphinx_grammar_accepts
    from voice.transcription.whisper import WhisperEngine, whisper_model_load

    ctx = context()
    lead_names = [name for _, person, company, _ in LEADS for name in (company, person) if name]
    prompt_words = [
        "Add a new lead from",
        "mark as qualified, contacted, converted, lost",
        "assign to",
        "add a note to",
        "schedule a follow up with",
        "show my hot leads",
        "what is the score of",
    ]
    hints = EngineHints(
        phrases=[*prompt_words, *[company or person for _, person, company, _ in LEADS][:12]],
        grammar_jsgf=commands_jsgf(lead_names=lead_names, user_names=[name for _, name in USERS], dictionary=None),
    )
    whisper_model_load()
    whisper, grammar = WhisperEngine(), SphinxGrammarEngine()  # as the hybrid engine runs them
    hybrid = HybridCommandEngine(whisper=whisper, grammar=grammar)
    now = datetime.now(ZoneInfo(TIMEZONE))
    rows = []
    for item in clips()[: limit or None]:
        wav = audio_normalise(speak(item["text"], voice=item["voice"], speed_wpm=item["speed"]))
        try:
            heard = whisper.transcribe(wav, hints=hints).text
        except TranscriptionFailed:
            heard = ""
        try:
            snapped = grammar.transcribe(wav, hints=hints).text
        except TranscriptionFailed:
            snapped = ""
        expected = meaning(item["text"], now, ctx)
        whisper_words = spoken_words(heard)
        # What the hybrid would keep if the grammar won: its text, or its head with Whisper's tail.
        jsgf = hints.grammar_jsgf or ""
        kept = (
            hybrid.grammar_text(wav, jsgf=jsgf, grammar_text=snapped, whisper_text=heard)[0]
            if snapped and heard
            else snapped
        )
        if kept is None:  # the grammar's numbers were not heard by Whisper: the hybrid keeps Whisper's text
            kept = heard
        row = {
            **item,
            "whisper": heard,
            "grammar": snapped,
            "grammar_kept": kept,
            "similarity": round(transcript_similarity(snapped, heard), 3) if snapped and heard else 0.0,
            "whisper_in_grammar": bool(snapped) and sphinx_grammar_accepts(jsgf, whisper_words),
            "whisper_ok": meaning(heard, now, ctx) == expected,
            "grammar_ok": bool(kept) and meaning(kept, now, ctx) == expected,
            "grammar_raw_ok": bool(snapped) and meaning(snapped, now, ctx) == expected,
            "grammar_is_command": bool(kept) and meaning(kept, now, ctx)[0] not in {None, "unknown"},
        }
        rows.append(row)
        print(
            f"{row['kind']:9s} {row['similarity']:.2f} W={'+' if row['whisper_ok'] else '-'}"
            f"{'g' if row['whisper_in_grammar'] else ' '} G={'+' if row['grammar_ok'] else '-'} "
            f"{row['text']!r:60.60s} | {heard!r} | {kept!r}" + (f" (grammar: {snapped!r})" if kept != snapped else "")
        )
    return rows


def sweep(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Right outcomes and false commands from unrelated speech, for every threshold; the chosen one."""
    from voice.transcription.hybrid import GRAMMAR_ENGINE, hybrid_decide

    table = []
    for threshold in THRESHOLDS:
        right = false_commands = grammar_kept = 0
        for row in rows:
            decision = hybrid_decide(
                grammar_text=row["grammar"],
                whisper_text=row["whisper"],
                whisper_in_grammar=row["whisper_in_grammar"],
                threshold=threshold,
            )
            keep_grammar = decision["winner"] == GRAMMAR_ENGINE
            grammar_kept += keep_grammar
            right += row["grammar_ok"] if keep_grammar else row["whisper_ok"]
            false_commands += keep_grammar and row["kind"] == "unrelated" and row["grammar_is_command"]
        table.append(
            {"threshold": threshold, "right": right, "false_commands": false_commands, "grammar_kept": grammar_kept}
        )
    safe = [entry for entry in table if entry["false_commands"] == 0]
    best = max(entry["right"] for entry in safe)
    # The widest run of consecutive thresholds with the best count: its middle is least sensitive.
    runs: list[list[dict[str, Any]]] = []
    for entry in table:
        if entry in safe and entry["right"] == best:
            if runs and round(runs[-1][-1]["threshold"] + 0.01, 2) == entry["threshold"]:
                runs[-1].append(entry)
            else:
                runs.append([entry])
    widest = max(runs, key=len)
    chosen = widest[len(widest) // 2]
    return {
        "table": table,
        "best_right": best,
        "best_range": [widest[0]["threshold"], widest[-1]["threshold"]],
        "chosen": chosen,
        "whisper_only_right": sum(row["whisper_ok"] for row in rows),
        "grammar_only_right": sum(row["grammar_ok"] for row in rows),
        "oracle_right": sum(row["whisper_ok"] or row["grammar_ok"] for row in rows),
        "utterances": len(rows),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="only the first N clips (a quick check)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_saas.settings.test")
    import django

    django.setup()
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)
    started = time.perf_counter()
    rows = measure(args.limit)
    result = sweep(rows)
    print(f"\n{result['utterances']} utterances in {time.perf_counter() - started:.0f} s")
    print(
        f"right: Whisper alone {result['whisper_only_right']}, grammar alone {result['grammar_only_right']}, "
        f"either (oracle) {result['oracle_right']}"
    )
    print(f"{'threshold':>9s} {'right':>5s} {'grammar kept':>12s} {'unrelated -> command':>20s}")
    for entry in result["table"]:
        if round(entry["threshold"] * 100) % 5 == 0 or entry == result["chosen"]:
            print(
                f"{entry['threshold']:9.2f} {entry['right']:5d} {entry['grammar_kept']:12d} "
                f"{entry['false_commands']:20d}"
            )
    print(
        f"\nbest {result['best_right']} right for thresholds {result['best_range'][0]:.2f}-"
        f"{result['best_range'][1]:.2f}; chosen {result['chosen']['threshold']:.2f}"
    )
    out = BASE_DIR / "bench" / "results" / "voice_hybrid_tuning.json"
    out.write_text(json.dumps({"sweep": result, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
