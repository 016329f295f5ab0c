"""The voice command benchmark's figures: accuracy, WER and real-time factor over a set of rows."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any


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
