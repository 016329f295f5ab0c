"""Benchmark: spoken CRM commands end to end through the product's own path.

In one run, against a throwaway database and a tenant seeded with 40 leads and six users:

1. 67 generated utterances over every intent (bench/voice_phrases.py: new leads with companies,
   people, spoken emails and phone digits; status changes with synonyms; assignment; notes;
   follow-ups with relative dates and times; lead queries; score questions; yes/no/help), spoken by
   espeak-ng in eight English voices at 140-190 words a minute, some with fillers ("um", "please").
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

Usage: .venv/bin/python bench/voice_commands.py [--limit N] [--keep] [--engines a,b] [--no-ablation]
The database is BENCH_DATABASE_URL (default below); it is dropped and created afresh.
Figures are written to bench/results/voice_commands.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from common import BASE_DIR, bench_tenant, django_setup, recreate_database
from voice_phrases import LEADS, SPEAKER, USERS, Utterance, ambiguous_utterances, due_expected, utterances
from voice_phrases import window_expected as window_start

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_saas_bench_voice"
SCHEMA = "voicebench"
TIMEZONE = "Europe/Berlin"
COMPARED = (
    "company",
    "person",
    "email",
    "phone",
    "status",
    "lead_id",
    "user_id",
    "band",
    "source",
    "owner",
    "due_at",
    "created_after",
)
TARGETS = {"intent": 0.95, "entities": 0.90, "rtf": 1.0}
DEFAULT_ENGINES = ("whisper-tiny-en", "hybrid-commands")


# --- seeding -------------------------------------------------------------------------------------


def seed() -> dict[str, Any]:
    """Users, the speaker's 40 leads and the tenant's time zone; ids by spoken name."""
    from django.utils import timezone

    from leads.services import lead_create
    from tenants.accounts.models import User
    from tenants.accounts.services.users import user_create
    from voice.services.settings import voice_settings_update

    admin = User.objects.get()
    voice_settings_update(actor=admin, data={"timezone": TIMEZONE})
    email, full_name, role = SPEAKER
    speaker = user_create(email=email, full_name=full_name, role=role, actor=admin)
    users = {"me": speaker.pk}
    for email, full_name, role in USERS:
        users[full_name] = user_create(email=email, full_name=full_name, role=role, actor=admin).pk
    leads: dict[str, int] = {}
    now = timezone.now()
    for person, company, source, status, days in LEADS:
        data = {"name": person, "company": company, "source": source, "status": status}
        lead = lead_create(actor=speaker, data=data, created_at=now - timezone.timedelta(days=days, hours=1))
        for key in (person, company):
            if key:
                leads[key] = lead.pk
    return {"speaker": speaker, "users": users, "leads": leads, "admin": admin}


# --- expectations and comparison ----------------------------------------------------------------


def expected_entities(utterance: Utterance, ids: dict[str, Any], local_now: datetime) -> dict[str, Any]:
    """The compared entities the utterance means, as ``normalised`` writes them."""
    out: dict[str, Any] = {}
    for key, value in utterance.entities.items():
        if key == "lead":
            out["lead_id"] = ids["leads"][value]
        elif key == "user":
            out["user_id"] = ids["users"][value]
        elif key == "owner":
            out["owner"] = "me" if value == "me" else ids["users"][value]
        elif key == "due":
            day, hour = due_expected(value, local_now)
            out["due_at"] = (day.isoformat(), hour)
        elif key == "created_after":
            out["created_after"] = window_start(value, local_now).isoformat()
        elif key != "note":
            out[key] = value
    return normalised(out, ZoneInfo(TIMEZONE))


def normalised(entities: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """Only the compared entities, in one comparable form (names case-insensitive, dates in the zone)."""
    out: dict[str, Any] = {}
    for key in COMPARED:
        value = entities.get(key)
        if value is None:
            continue
        if key in {"company", "person"}:
            value = " ".join(str(value).casefold().strip(" .,").split())
        elif key in {"email", "source"}:
            value = str(value).lower()
        elif key in {"due_at", "created_after"} and isinstance(value, str) and "T" in value:
            moment = datetime.fromisoformat(value).astimezone(zone)
            value = (moment.date().isoformat(), moment.hour) if key == "due_at" else moment.date().isoformat()
        elif isinstance(value, list):
            value = sorted(value)
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def entity_errors(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Compared keys that differ (missing, wrong or extra)."""
    return [key for key in COMPARED if expected.get(key) != got.get(key)]


def note_ok(utterance: Utterance, entities: dict[str, Any]) -> bool | None:
    from voice.transcription.metrics import text_normalise

    if "note" not in utterance.entities:
        return None
    return text_normalise(utterance.entities["note"]) == text_normalise(entities.get("note", ""))


def spoken_form(text: str) -> str:
    """Written forms as they were said, for a fair WER: emails, digit strings, "3:00"."""
    text = re.sub(r"(\S+)@(\S+)", r"\1 at \2", text)
    text = re.sub(r"(?<=[A-Za-z])\.(?=[A-Za-z])", " dot ", text)
    text = re.sub(r"\b(\d{1,2}):00\b", r"\1", text)
    return re.sub(r"\d{3,}", lambda match: " ".join(match[0]), text)


# --- one utterance ------------------------------------------------------------------------------


def parsed(text: str, utterance: Utterance, expected: dict[str, Any], speaker: Any) -> dict[str, Any]:
    """``text`` through the parser with the speaker's context and the real clock, checked."""
    from django.utils import timezone

    from voice.commands.parser import command_parse
    from voice.services.commands import command_context

    started = time.perf_counter()
    action = command_parse(text, now=timezone.now(), timezone=TIMEZONE, context=command_context(speaker=speaker))
    spent = time.perf_counter() - started
    return checked(action.intent, action.entities, utterance, expected) | {"parse_ms": round(spent * 1000, 1)}


def checked(intent: str | None, entities: dict[str, Any], utterance: Utterance, expected: dict[str, Any]) -> dict:
    got = normalised(entities, ZoneInfo(TIMEZONE))
    errors = entity_errors(expected, got) if expected else []
    return {
        "intent": intent,
        "intent_ok": intent == utterance.intent,
        "entities": got,
        "entity_errors": errors,
        "entities_ok": not errors if expected else None,
        "note_ok": note_ok(utterance, entities),
    }


def run_one(utterance: Utterance, ids: dict[str, Any], prompt: str, grammar: str, *, ablation: bool) -> dict[str, Any]:
    """Synthesise, submit, run the job, read the command back; the reference text parsed beside it."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from crm_saas.jobs.models import Job
    from crm_saas.jobs.services import job_run
    from voice.audio import audio_normalise
    from voice.models import VoiceCommandStatus
    from voice.services.commands import voice_command_cancel, voice_command_submit_audio
    from voice.services.logs import voice_log_transcribe_run
    from voice.speech import speak
    from voice.transcription.base import TranscriptionFailed
    from voice.transcription.g2p import spoken_words
    from voice.transcription.metrics import text_normalise, word_error_rate
    from voice.transcription.sphinx import sphinx_grammar_accepts
    from voice.transcription.whisper import WhisperEngine

    speaker = ids["speaker"]
    wav = speak(utterance.text, voice=utterance.voice, speed_wpm=utterance.speed)
    expected = expected_entities(utterance, ids, timezone.now().astimezone(ZoneInfo(TIMEZONE)))

    started = time.perf_counter()
    upload = SimpleUploadedFile("c.wav", wav, content_type="audio/wav")
    command = voice_command_submit_audio(speaker=speaker, upload=upload)
    command.refresh_from_db()
    if command.status == VoiceCommandStatus.TRANSCRIBING:  # a queued job that has not run yet
        job_run(job_id=str(command.voice_log.job_id), handler=voice_log_transcribe_run)
        command.refresh_from_db()
    e2e = time.perf_counter() - started

    log = command.voice_log
    job = Job.objects.get(pk=log.job_id)
    action = command.action or {}
    if command.status in {VoiceCommandStatus.AWAITING_CONFIRMATION, VoiceCommandStatus.NEEDS_INPUT}:
        voice_command_cancel(speaker=speaker, command_id=command.pk)
    transcript = command.text or log.transcript
    audio = checked(action.get("intent"), action.get("entities", {}), utterance, expected)
    reference = parsed(utterance.text, utterance, expected, speaker)
    lead_name = utterance.entities.get("lead")
    row = {
        "text": utterance.text,
        "voice": utterance.voice,
        "speed_wpm": utterance.speed,
        "filler": utterance.filler,
        "lead_in_prompt": (lead_name.lower() in prompt.lower()) if lead_name else None,
        # Whether the command grammar (command_hints) has the sentence as said: what the hybrid's
        # grammar recogniser can possibly get right.
        "in_grammar": sphinx_grammar_accepts(grammar, spoken_words(spoken_form(utterance.text))),
        "audio_s": round(log.duration_seconds, 3),
        "e2e_s": round(e2e, 3),
        "transcription_s": log.transcription_seconds,
        "engine_s": (job.result or {}).get("engine_seconds"),
        "rtf": round(e2e / log.duration_seconds, 3),
        "transcript": transcript,
        "engine": log.engine,
        "winner": (log.recognition or {}).get("winner"),
        "similarity": (log.recognition or {}).get("similarity"),
        "hypotheses": (log.recognition or {}).get("hypotheses"),
        "job_status": job.status,
        "command_status": command.status,
        "wer": round(word_error_rate(spoken_form(utterance.text), spoken_form(transcript)), 4),
        "wer_raw": round(word_error_rate(utterance.text, transcript), 4),
        "ref_words": len(text_normalise(spoken_form(utterance.text))),
        "intent_expected": utterance.intent,
        "confidence": action.get("confidence"),
        "entities_expected": expected,
        **audio,
        **{f"ref_{key}": value for key, value in reference.items()},
    }
    if ablation:  # the same audio, the same engine, no prompt: what the prompt adds or costs
        try:
            heard = WhisperEngine().transcribe(audio_normalise(wav), hints=None).text
        except TranscriptionFailed:
            heard = ""
        plain = parsed(heard, utterance, expected, speaker)
        row["noprompt_transcript"] = heard
        row["noprompt_wer"] = round(word_error_rate(spoken_form(utterance.text), spoken_form(heard)), 4)
        row |= {f"noprompt_{key}": plain[key] for key in ("intent", "intent_ok", "entities_ok", "entity_errors")}
    return row


def run_ambiguous(utterance: Utterance, asked: str, ids: dict[str, Any]) -> dict[str, Any]:
    """An utterance naming two records: was it asked back (candidates listed, nothing guessed)?"""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from voice.commands.parser import command_parse
    from voice.models import VoiceCommandStatus
    from voice.services.commands import command_context, voice_command_cancel, voice_command_submit_audio
    from voice.speech import speak

    speaker = ids["speaker"]
    wav = speak(utterance.text, voice=utterance.voice, speed_wpm=utterance.speed)
    command = voice_command_submit_audio(
        speaker=speaker, upload=SimpleUploadedFile("c.wav", wav, content_type="audio/wav")
    )
    command.refresh_from_db()
    action = command.action or {}
    if command.status in {VoiceCommandStatus.AWAITING_CONFIRMATION, VoiceCommandStatus.NEEDS_INPUT}:
        voice_command_cancel(speaker=speaker, command_id=command.pk)
    reference = command_parse(
        utterance.text, now=timezone.now(), timezone=TIMEZONE, context=command_context(speaker=speaker)
    )

    def asked_back(intent: str | None, entities: dict[str, Any], missing: list[str]) -> bool:
        candidates = entities.get(f"{asked}_candidates") or []
        return intent == utterance.intent and asked in missing and len(candidates) >= 2

    return {
        "text": utterance.text,
        "voice": utterance.voice,
        "speed_wpm": utterance.speed,
        "transcript": command.text,
        "status": command.status,
        "asked_back": asked_back(action.get("intent"), action.get("entities", {}), action.get("missing", [])),
        "ref_asked_back": asked_back(reference.intent, reference.entities, reference.missing),
        "candidates": [c["label"] for c in action.get("entities", {}).get(f"{asked}_candidates", [])],
        # A record chosen although the speaker named two: the one outcome that must never happen.
        "guessed": action.get("entities", {}).get(f"{asked}_id"),
        "reply": command.reply,
    }


# --- figures ------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def rate(rows: list[dict[str, Any]], key: str) -> float | None:
    scored = [row[key] for row in rows if row[key] is not None]
    return round(sum(scored) / len(scored), 4) if scored else None


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    audio = sum(row["audio_s"] for row in rows)
    words = sum(row["ref_words"] for row in rows)
    rtfs = [row["rtf"] for row in rows]
    with_entities = [row for row in rows if row["entities_ok"] is not None]
    slots = sum(len(row["entities_expected"]) for row in with_entities)
    slots_ok = sum(
        sum(row["entities"].get(k) == v for k, v in row["entities_expected"].items()) for row in with_entities
    )
    return {
        "utterances": len(rows),
        "audio_s": round(audio, 1),
        "wer_mean": round(sum(row["wer"] for row in rows) / len(rows), 4),
        "wer_corpus": round(sum(row["wer"] * row["ref_words"] for row in rows) / words, 4),
        "wer_raw_mean": round(sum(row["wer_raw"] for row in rows) / len(rows), 4),
        "intent_accuracy": rate(rows, "intent_ok"),
        "entity_accuracy": rate(rows, "entities_ok"),
        "entity_utterances": len(with_entities),
        "slot_accuracy": round(slots_ok / slots, 4) if slots else None,
        "note_text_exact": rate(rows, "note_ok"),
        "ref_intent_accuracy": rate(rows, "ref_intent_ok"),
        "ref_entity_accuracy": rate(rows, "ref_entities_ok"),
        "ref_note_text_exact": rate(rows, "ref_note_ok"),
        "e2e_s_total": round(sum(row["e2e_s"] for row in rows), 2),
        "rtf_mean": round(sum(rtfs) / len(rtfs), 3),
        "rtf_p50": percentile(rtfs, 0.5),
        "rtf_p90": percentile(rtfs, 0.9),
        "rtf_max": max(rtfs),
        "rtf_corpus": round(sum(row["e2e_s"] for row in rows) / audio, 3),
        "within_real_time": round(sum(r <= 1 for r in rtfs) / len(rtfs), 4),
        "engine_rtf_mean": round(sum((row["engine_s"] or 0) / row["audio_s"] for row in rows) / len(rows), 3),
        "ref_parse_ms_mean": round(sum(row["ref_parse_ms"] for row in rows) / len(rows), 1),
        "grammar_kept": sum(row.get("winner") == "sphinx-grammar" for row in rows),
    } | ablation_summary(rows)


def ablation_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    if "noprompt_wer" not in rows[0]:
        return {}
    words = sum(row["ref_words"] for row in rows)
    return {
        "noprompt_wer_mean": round(sum(row["noprompt_wer"] for row in rows) / len(rows), 4),
        "noprompt_wer_corpus": round(sum(row["noprompt_wer"] * row["ref_words"] for row in rows) / words, 4),
        "noprompt_intent_accuracy": rate(rows, "noprompt_intent_ok"),
        "noprompt_entity_accuracy": rate(rows, "noprompt_entities_ok"),
    }


def resolution(rows: list[dict[str, Any]], prefix: str = "") -> dict[str, dict[str, int]]:
    """For utterances naming a lead or a user: the right record, none (asked back), or a wrong one."""
    out: dict[str, dict[str, int]] = {}
    for key in ("lead_id", "user_id"):
        counts = {"right": 0, "none": 0, "wrong": 0}
        for row in rows:
            if key not in row["entities_expected"]:
                continue
            got = row[f"{prefix}entities"].get(key)
            counts["none" if got is None else "right" if got == row["entities_expected"][key] else "wrong"] += 1
        out[key] = counts
    return out


def breakdown(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[str(row[key])].append(row)
    return {
        name: {
            "n": len(group),
            "wer_mean": round(sum(r["wer"] for r in group) / len(group), 3),
            "intent": rate(group, "intent_ok"),
            "entities": rate(group, "entities_ok"),
            "ref_intent": rate(group, "ref_intent_ok"),
            "ref_entities": rate(group, "ref_entities_ok"),
        }
        for name, group in sorted(groups.items())
    }


def failures(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every utterance wrong by either path; ``cause`` is NLU when the reference text fails too."""
    out = []
    for row in rows:
        audio_bad = not row["intent_ok"] or row["entities_ok"] is False
        ref_bad = not row["ref_intent_ok"] or row["ref_entities_ok"] is False
        if not (audio_bad or ref_bad):
            continue
        out.append(
            {
                "cause": "NLU" if ref_bad else "ASR",
                "audio_wrong": audio_bad,
                "reference": row["text"],
                "transcript": row["transcript"],
                "voice": f"{row['voice']} @{row['speed_wpm']}",
                "intent": f"{row['intent_expected']} -> {row['intent']} (ref: {row['ref_intent']})",
                "expected": {
                    k: row["entities_expected"].get(k) for k in row["entity_errors"] or row["ref_entity_errors"]
                },
                "got": {k: row["entities"].get(k) for k in row["entity_errors"]},
                "ref_got": {k: row["ref_entities"].get(k) for k in row["ref_entity_errors"]},
                "lead_in_prompt": row["lead_in_prompt"],
                "noprompt_transcript": row.get("noprompt_transcript"),
                "noprompt_ok": row.get("noprompt_intent_ok", False) and row.get("noprompt_entities_ok") is not False,
                "winner": row.get("winner"),
                "similarity": row.get("similarity"),
                "hypotheses": row.get("hypotheses"),
            }
        )
    return out


def report(name: str, engine: dict[str, Any], figures: dict[str, Any]) -> None:
    """One engine's figures, as measured in this run."""
    s = engine["summary"]

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    def mark(value: float | None, target: float) -> str:
        return "n/a" if value is None else f"{pct(value)} ({'meets' if value >= target else 'BELOW'} {pct(target)})"

    print(f"\n{'=' * 100}\nengine {name}")
    print(f"{'spoken commands (audio -> product path)':46s}")
    print(f"  {'utterances':36s} {s['utterances']}  ({s['audio_s']} s of audio, {len(figures['voices'])} voices)")
    print(f"  {'WER mean / corpus':36s} {pct(s['wer_mean'])} / {pct(s['wer_corpus'])}  (raw {pct(s['wer_raw_mean'])})")
    print(f"  {'intent accuracy':36s} {mark(s['intent_accuracy'], TARGETS['intent'])}")
    print(
        f"  {'entity accuracy':36s} {mark(s['entity_accuracy'], TARGETS['entities'])}"
        f"  over {s['entity_utterances']} utterances; slots {pct(s['slot_accuracy'])}"
    )
    print(f"  {'note text exact':36s} {pct(s['note_text_exact'])}")
    print(
        f"  {'real-time factor (e2e / audio)':36s} mean {s['rtf_mean']:.3f}  p50 {s['rtf_p50']:.3f}  "
        f"p90 {s['rtf_p90']:.3f}  max {s['rtf_max']:.3f}  (corpus {s['rtf_corpus']:.3f}; "
        f"{pct(s['within_real_time'])} within real time)"
    )
    print(f"  {'engine alone, RTF mean':36s} {s['engine_rtf_mean']:.3f}")
    if s["grammar_kept"]:
        print(f"  {'grammar text kept (else Whisper)':36s} {s['grammar_kept']}/{s['utterances']}")
    print(f"  {'first call (not in the figures)':36s} {engine['first_call_s']:.2f} s")
    if "noprompt_wer_mean" in s:
        print(f"\n{'same audio, Whisper without the prompt':46s}")
        print(f"  {'WER mean / corpus':36s} {pct(s['noprompt_wer_mean'])} / {pct(s['noprompt_wer_corpus'])}")
        print(f"  {'intent accuracy':36s} {pct(s['noprompt_intent_accuracy'])}")
        print(f"  {'entity accuracy':36s} {pct(s['noprompt_entity_accuracy'])}")

    tables = (
        ("per intent", engine["by_intent"]),
        ("per voice", engine["by_voice"]),
        ("sentence in the grammar", engine["by_in_grammar"]),
    )
    for title, table in tables:
        print(f"\n{title:22s} {'n':>3s} {'WER':>6s} {'intent':>7s} {'ent.':>7s} {'ref int':>8s} {'ref ent':>8s}")
        for group, row in table.items():
            cells = [row[k] for k in ("intent", "entities", "ref_intent", "ref_entities")]
            shown = ["-" if c is None else pct(c) for c in cells]
            print(f"  {group:20s} {row['n']:3d} {pct(row['wer_mean']):>6s} " + " ".join(f"{c:>7s}" for c in shown))

    print("\nrecords named (right / none, so asked back / wrong record chosen), audio vs reference text")
    for key, counts in engine["resolution"].items():
        print(f"  {key:36s} {counts} / {engine['ref_resolution'][key]}")
    loads = engine["load_average_before_after"]
    if max(loads) > figures["cpu_count"]:
        print(f"  NOTE: load average {loads} on {figures['cpu_count']} cores: other work skewed the timings")
    print(f"\nambiguous references (not in the accuracy): {engine['ambiguous_asked_back']}")
    for row in engine["ambiguous"]:
        print(
            f"  {row['text']!r:48s} heard {row['transcript']!r:44s} asked back: {row['asked_back']} "
            f"(ref text: {row['ref_asked_back']}) {row['candidates']}" + (" GUESSED" if row["guessed"] else "")
        )

    print(f"\nfailures ({len(engine['failures'])}):")
    for fail in engine["failures"]:
        where = "audio only" if fail["cause"] == "ASR" else ("audio and text" if fail["audio_wrong"] else "text only")
        print(f"  [{fail['cause']}, {where}] {fail['reference']!r} ({fail['voice']})")
        print(f"      heard    {fail['transcript']!r}")
        if fail.get("hypotheses"):
            chosen = "grammar" if fail["winner"] == "sphinx-grammar" else "whisper"
            print(
                f"      kept {chosen} (similarity {fail['similarity']}); whisper "
                f"{fail['hypotheses'].get('whisper-tiny-en')!r}, grammar {fail['hypotheses'].get('sphinx-grammar')!r}"
            )
        if fail["noprompt_transcript"] is not None:
            verdict = "right" if fail["noprompt_ok"] else "wrong"
            print(f"      no prompt {fail['noprompt_transcript']!r} ({verdict})")
        print(f"      intent   {fail['intent']}")
        if fail["expected"]:
            ref = fail["ref_got"] if fail["cause"] == "NLU" else "right"
            print(f"      expected {fail['expected']}  got {fail['got']}  ref text: {ref}")


def report_side_by_side(figures: dict[str, Any]) -> None:
    """The engines' headline figures in one table (same utterances, same run)."""

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    first = next(iter(figures["engines"].values()))["summary"]
    print(f"\n{'=' * 100}")
    print(
        f"side by side: {first['utterances']} utterances, {first['audio_s']} s of audio, "
        f"{len(figures['voices'])} voices, {figures['date']}; targets intent >= {pct(TARGETS['intent'])}, "
        f"entities >= {pct(TARGETS['entities'])}, RTF <= {TARGETS['rtf']:.0f}"
    )
    header = (
        f"{'engine':18s} {'WER mean':>8s} {'WER corp':>8s} {'intent':>7s} {'entities':>8s} {'slots':>6s} "
        f"{'notes':>6s} {'RTF e2e':>8s} {'RTF p90':>8s} {'RTF max':>8s} {'engine':>7s} {'grammar':>7s}"
    )
    print(header)
    for name, engine in figures["engines"].items():
        s = engine["summary"]
        print(
            f"{name:18s} {pct(s['wer_mean']):>8s} {pct(s['wer_corpus']):>8s} {pct(s['intent_accuracy']):>7s} "
            f"{pct(s['entity_accuracy']):>8s} {pct(s['slot_accuracy']):>6s} {pct(s['note_text_exact']):>6s} "
            f"{s['rtf_mean']:8.3f} {s['rtf_p90']:8.3f} {s['rtf_max']:8.3f} {s['engine_rtf_mean']:7.3f} "
            f"{s['grammar_kept']:4d}/{s['utterances']}"
        )
    print(
        f"{'reference text':18s} {'':>8s} {'':>8s} {pct(first['ref_intent_accuracy']):>7s} "
        f"{pct(first['ref_entity_accuracy']):>8s} {'':>6s} {pct(first['ref_note_text_exact']):>6s}   (parser alone)"
    )
    print(
        "RTF e2e: submit to parsed command / audio seconds (mean, p90, max); engine: the engine's own time / audio; "
        "grammar: utterances whose grammar text was kept"
    )
    print("split by whether the command grammar has the sentence as said:")
    for name, engine in figures["engines"].items():
        split = engine["by_in_grammar"]
        cells = [
            f"{label} {split[key]['n']}: intent {pct(split[key]['intent'])}, entities {pct(split[key]['entities'])}"
            for key, label in (("True", "sentences in the grammar"), ("False", "not in it"))
            if key in split
        ]
        print(f"  {name:16s} " + "; ".join(cells))


def warm_up(engine_name: str, speaker: Any) -> float:
    """The engine's first call on a clip outside the set: model load, grammar compile, pronunciations."""
    from voice.audio import audio_normalise
    from voice.services.commands import command_hints
    from voice.speech import speak
    from voice.transcription.registry import engine_get

    wav = audio_normalise(speak("what can you tell me about my newest leads", voice="en-us", speed_wpm=160))
    started = time.perf_counter()
    engine_get(engine_name).transcribe(wav, hints=command_hints(speaker=speaker))
    return round(time.perf_counter() - started, 2)


def run_engine(
    engine_name: str, cases: list[Utterance], ids: dict[str, Any], prompt: str, grammar: str, *, ablation: bool
) -> dict[str, Any]:
    """Every utterance through the product's path with the tenant's command engine set to ``engine_name``."""
    from voice.services.settings import voice_settings_update

    voice_settings_update(actor=ids["admin"], data={"command_engine": engine_name})
    first_call_s = warm_up(engine_name, ids["speaker"])
    rows = []
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    print(f"\n--- {engine_name} (first call {first_call_s:.2f} s)")
    for index, utterance in enumerate(cases, start=1):
        row = run_one(utterance, ids, prompt, grammar, ablation=ablation)
        rows.append(row)
        flag = "" if row["intent_ok"] and row["entities_ok"] is not False else "  <- wrong"
        chose = {"sphinx-grammar": "G ", "whisper-tiny-en": "W "}.get(row["winner"] or "", "")
        print(f"{index:3d} {row['rtf']:5.2f}x {chose}{row['text']!r:70.70s} -> {row['transcript']!r}{flag}")
    ambiguous = [run_ambiguous(u, asked, ids) for u, asked in ambiguous_utterances()]
    return {
        "first_call_s": first_call_s,
        "wall_s": round(time.perf_counter() - started, 1),
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "summary": summary(rows),
        "resolution": resolution(rows),
        "ref_resolution": resolution(rows, "ref_"),
        "by_intent": breakdown(rows, "intent_expected"),
        "by_voice": breakdown(rows, "voice"),
        "by_filler": breakdown(rows, "filler"),
        "by_lead_in_prompt": breakdown([r for r in rows if r["lead_in_prompt"] is not None], "lead_in_prompt"),
        "by_in_grammar": breakdown(rows, "in_grammar"),
        "ambiguous_asked_back": f"{sum(r['asked_back'] for r in ambiguous)}/{len(ambiguous)}",
        "ambiguous": ambiguous,
        "failures": failures(rows),
        "utterances": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="run only the first N utterances (a quick check)")
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
            cases = utterances(today)[: args.limit or None]
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
