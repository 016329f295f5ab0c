"""Benchmark: spoken CRM commands end to end through the product's own path.

In one run, against a throwaway database and a tenant seeded with 40 leads and six users:

1. Two sets of generated utterances over every intent, spoken by espeak-ng in eight English voices
   at 140-190 words a minute, some with fillers ("um", "please"): the development set (67,
   bench/voice_phrases.py: new leads with companies, people, spoken emails and phone digits; status
   changes with synonyms; assignment; notes; follow-ups with relative dates and times; lead queries;
   score questions; yes/no/help), which the grammar and the recogniser's rules may be tuned against,
   and the held-out set (44, bench/voice_phrases_heldout.py), written apart with other leads, a
   colleague, new companies, numbers and wordings of its own. Figures are printed for each set; the
   held-out figures are the headline.
2. Each one goes the way a spoken command goes in the product: ``voice_command_submit_audio``
   (checked, encrypted, stored, transcription job queued), the job handler
   ``voice_log_transcribe_run`` (decrypt, normalise to 16 kHz, the tenant's command engine with
   ``command_hints``: Whisper's prompt and the command grammar of the speaker's names; then
   ``voice_command_transcribed`` parses the transcript against the speaker's leads and team), then
   the VoiceCommand row is read back. Jobs run in this process
   (CRM_TASKS_IN_PROCESS: the queued task runs when the upload's transaction commits).
3. Side by side, the reference text of the same utterance goes through ``command_parse`` with the
   same context and clock, so errors of the recogniser (ASR) and of the parser (NLU) are told apart.
4. Four utterances that name two leads or two users ("Acme", "Sam") are run separately: the product
   must ask back; they are not counted in the accuracy.

Figures: WER of the transcript (mean and corpus; emails, digit strings and ":00" written out on
both sides first, the product's ``word_error_rate`` otherwise), intent accuracy, entity accuracy
(every compared entity right: company, person, email, phone, status, lead_id, user_id, band,
source, owner, due_at as date and hour in the tenant's zone, a query's window start as a date),
end-to-end seconds from submit to parsed and its real-time factor (end-to-end / audio seconds),
the engine's first call apart. Targets: intent >= 95%, entities >= 90%, real time <= 1. Each
utterance is also marked by whether the command grammar has the sentence as said, which bounds
what the grammar half of the hybrid engine can get right.

Writes stay unconfirmed: after each utterance the waiting command is cancelled, so every utterance
meets the same records, and "yes"/"no" are measured as understood, with nothing left to confirm.

Engines side by side (``--engines``, default whisper-tiny-en and hybrid-commands): the tenant's
command engine (VoiceSettings.command_engine) is switched between passes, and the same utterances,
voices and speeds go through the product's path once per engine in the same run, so the figures
differ only by the engine. The hybrid engine's choice (grammar or Whisper) and both hypotheses are
read back from the voice log (``VoiceLog.recognition``). Each engine's first call (Whisper's model
load; for the hybrid also compiling the tenant's grammar and looking up pronunciations of names
missing from the dictionary) is timed apart, with a clip that is not in the set.

Usage: .venv/bin/python bench/voice_commands.py [--limit N] [--sets dev,heldout] [--keep] [--engines a,b]
       [--no-ablation]
The database is BENCH_DATABASE_URL (default below); it is dropped and created afresh.
Figures are written to bench/results/voice_commands.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from common import BASE_DIR, bench_tenant, django_setup, recreate_database
from voice_bench_checks import TIMEZONE
from voice_bench_report import TARGETS, report, report_side_by_side
from voice_bench_run import run_engine, seed
from voice_phrases import utterances
from voice_phrases_heldout import heldout_utterances

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_saas_bench_voice"
SCHEMA = "voicebench"
DEFAULT_ENGINES = ("whisper-tiny-en", "hybrid-commands")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="run only the first N utterances (a quick check)")
    parser.add_argument("--sets", default="dev,heldout", help="utterance sets to run (default: dev,heldout)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--no-ablation", action="store_true", help="skip the same audio transcribed without a prompt")
    parser.add_argument(
        "--engines",
        default=",".join(DEFAULT_ENGINES),
        help=f"command engines to compare, comma-separated (default: {','.join(DEFAULT_ENGINES)})",
    )
    args = parser.parse_args()
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    data_dir = Path(tempfile.mkdtemp(prefix="crm-bench-voice-"))
    django_setup(database_url=url, data_dir=data_dir)
    for name in ("celery.app.trace", "faster_whisper", "crm_saas.crypto.keys"):
        logging.getLogger(name).setLevel(logging.WARNING)

    from django.utils import timezone
    from django_tenants.utils import schema_context

    from voice.services.commands import command_hints
    from voice.transcription.registry import ENGINES
    from voice.transcription.whisper import whisper_prompt

    unknown = [name for name in engines if name not in ENGINES]
    if unknown or not engines:
        parser.error(f"unknown engine(s) {unknown}; choose from {', '.join(ENGINES)}")
    # The no-prompt pass is the same whatever the engine: run it once, with Whisper's pass if there is one.
    ablation_engine = None if args.no_ablation else ("whisper-tiny-en" if "whisper-tiny-en" in engines else engines[0])
    figures: dict[str, Any] = {}
    try:
        bench_tenant(SCHEMA)
        with schema_context(SCHEMA):
            ids = seed()
            hints = command_hints(speaker=ids["speaker"])
            prompt, grammar = whisper_prompt(hints.phrases) or "", hints.grammar_jsgf or ""
            today = timezone.now().astimezone(ZoneInfo(TIMEZONE)).date()
            sets = {"dev": utterances, "heldout": heldout_utterances}
            chosen = [name.strip() for name in args.sets.split(",") if name.strip() in sets]
            cases = [case for name in chosen for case in sets[name](today)[: args.limit or None]]
            run_started = time.perf_counter()
            results = {}
            for name in engines:
                results[name] = run_engine(name, cases, ids, prompt, grammar, ablation=name == ablation_engine)
            wall_s = time.perf_counter() - run_started
        figures = {
            "date": today.isoformat(),
            "timezone": TIMEZONE,
            "cpu_count": os.cpu_count(),
            "engines_compared": engines,
            "whisper": "whisper-tiny-en (int8, beam 5, 2 threads)",
            "voices": sorted({row["voice"] for row in next(iter(results.values()))["utterances"]}),
            "speeds_wpm": sorted({row["speed_wpm"] for row in next(iter(results.values()))["utterances"]}),
            "prompt": prompt,
            "wall_s": round(wall_s, 1),
            "targets": TARGETS,
            "engines": results,
        }
    finally:
        from django.db import connection

        connection.close()
        if not args.keep:
            recreate_database(url, drop_only=True)

    print(f"\nprompt given to Whisper: {figures['prompt']!r}")
    for name, engine in figures["engines"].items():
        report(name, engine, figures)
    report_side_by_side(figures)
    extra = f", with the no-prompt pass in {ablation_engine}" if ablation_engine else ""
    count = sum(len(e["utterances"]) + len(e["ambiguous"]) for e in figures["engines"].values())
    print(f"\nwall time {figures['wall_s']} s for {count} utterances over {len(engines)} engines{extra}")
    out = BASE_DIR / "bench" / "results" / "voice_commands.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
