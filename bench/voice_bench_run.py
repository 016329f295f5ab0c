"""The voice command benchmark's passes: seed the tenant, run each utterance through the product's path."""

from __future__ import annotations

import os
import time
from typing import Any
from zoneinfo import ZoneInfo

from voice_bench_checks import TIMEZONE, checked, expected_entities, parsed, spoken_form
from voice_bench_figures import breakdown, failures, resolution, summary
from voice_phrases import LEADS, SPEAKER, USERS, Utterance, ambiguous_utterances
from voice_phrases_heldout import HELDOUT_USERS

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
    for email, full_name, role in [*USERS, *HELDOUT_USERS]:
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
        "set": utterance.set,
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
        print(
            f"{index:3d} {row['set'][:3]} {row['rtf']:5.2f}x {chose}{row['text']!r:70.70s} "
            f"-> {row['transcript']!r}{flag}"
        )
    ambiguous = [run_ambiguous(u, asked, ids) for u, asked in ambiguous_utterances()]
    sets = {
        name: set_figures([row for row in rows if row["set"] == name]) for name in dict.fromkeys(r["set"] for r in rows)
    }
    return {
        "first_call_s": first_call_s,
        "wall_s": round(time.perf_counter() - started, 1),
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "sets": sets,
        "ambiguous_asked_back": f"{sum(r['asked_back'] for r in ambiguous)}/{len(ambiguous)}",
        "ambiguous": ambiguous,
        "utterances": rows,
    }


def set_figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of one set (dev or held-out) of an engine's rows."""
    return {
        "summary": summary(rows),
        "resolution": resolution(rows),
        "ref_resolution": resolution(rows, "ref_"),
        "by_intent": breakdown(rows, "intent_expected"),
        "by_voice": breakdown(rows, "voice"),
        "by_filler": breakdown(rows, "filler"),
        "by_lead_in_prompt": breakdown([r for r in rows if r["lead_in_prompt"] is not None], "lead_in_prompt"),
        "by_in_grammar": breakdown(rows, "in_grammar"),
        "failures": failures(rows),
    }
