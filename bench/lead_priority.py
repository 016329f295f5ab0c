"""Benchmark: lead priority (High / Medium / Low) on generated inquiries it was not trained on.

1. Quality. A text model is trained, exactly as the product does per tenant, on 3,000 generated
   inquiries of the ``train`` template family (outcome: converted or lost). Priorities are then
   worked out for 1,500 inquiries written with the separate ``heldout`` family and compared with
   their generated truth (leads/priority/generator.py, docs/lead_priority_generator.md):
   structured only (the lead score against the thresholds), cold start (score + curated signals),
   and learned (score + signals + text model). Accuracy and macro-F1 for each, and the gains.
2. Throughput. 10,000 messages through the product's per-message path: read the text (signals with
   negation, language, key phrases), text model probability, decision with reasons.

Usage: .venv/bin/python bench/lead_priority.py [--train 3000] [--heldout 1500] [--messages 10000]
Figures are written to bench/results/lead_priority.json. No database is needed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

import numpy as np  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402

from leads.priority.analysis import text_analyse  # noqa: E402
from leads.priority.decide import EvidenceSignal, TextEvidence, Thresholds, decide, level  # noqa: E402
from leads.priority.generator import generate  # noqa: E402
from leads.priority.signals import SignalMatch, strongest_by_key  # noqa: E402
from leads.priority.text_model import train_text_model  # noqa: E402

LABELS = ["high", "medium", "low"]


def evidence_for(text: str, *, model=None, probability: float | None = None) -> TextEvidence:
    analysis = text_analyse(text)
    matches = [SignalMatch(**entry) for entry in analysis.signals]
    strongest = strongest_by_key(matches)
    blocking = next((match for match in matches if match.blocking), None)
    return TextEvidence(
        signals=[EvidenceSignal(m.key, m.label, m.points) for m in strongest.values() if not m.blocking],
        model_probability=probability,
        model_terms=model.top_terms(text) if model is not None and probability is not None else (),
        language=analysis.language,
        blocking=EvidenceSignal(blocking.key, blocking.label, blocking.points, True) if blocking else None,
    )


def scores(truth: list[str], predicted: list[str]) -> dict[str, float]:
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, labels=LABELS, average="macro")), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--heldout", type=int, default=1500)
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()
    thresholds = Thresholds()

    train = generate(args.train, family="train", seed=1)
    heldout = generate(args.heldout, family="heldout", seed=2)
    started = time.perf_counter()
    model = train_text_model([case.text for case in train], np.array([case.converted for case in train]))
    train_seconds = time.perf_counter() - started

    truth = [case.truth for case in heldout]
    structured = [level(float(case.score), thresholds) for case in heldout]
    cold = [
        decide(score=case.score, band="", evidence=evidence_for(case.text), thresholds=thresholds).priority
        for case in heldout
    ]
    probabilities = model.predict_proba([case.text for case in heldout])
    learned = [
        decide(
            score=case.score,
            band="",
            evidence=evidence_for(case.text, probability=float(p)),
            thresholds=thresholds,
        ).priority
        for case, p in zip(heldout, probabilities, strict=True)
    ]
    quality = {
        "structured_only": scores(truth, structured),
        "cold_start_signals": scores(truth, cold),
        "learned_text_model": scores(truth, learned),
    }
    for name in ("cold_start_signals", "learned_text_model"):
        quality[name]["gain_accuracy"] = round(quality[name]["accuracy"] - quality["structured_only"]["accuracy"], 4)
        quality[name]["gain_macro_f1"] = round(quality[name]["macro_f1"] - quality["structured_only"]["macro_f1"], 4)
    from sklearn.metrics import roc_auc_score

    heldout_auc = roc_auc_score([case.converted for case in heldout], probabilities)

    messages = [case.text for case in generate(args.messages, family="heldout", seed=3)]
    scores_ = [case.score for case in generate(args.messages, family="heldout", seed=3)]
    started, cpu_started = time.perf_counter(), time.process_time()
    batch_probabilities = model.predict_proba(messages)  # the product predicts per batch of leads
    decisions = [
        decide(
            score=score, band="", evidence=evidence_for(text, model=model, probability=float(p)), thresholds=thresholds
        )
        for text, score, p in zip(messages, scores_, batch_probabilities, strict=True)
    ]
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started

    result = {
        "train_inquiries": args.train,
        "heldout_inquiries": args.heldout,
        "truth_distribution": {label: truth.count(label) for label in LABELS},
        "text_model_internal_auc": model.metrics["auc"],
        "text_model_heldout_auc": round(float(heldout_auc), 4),
        "text_model_train_seconds": round(train_seconds, 2),
        "quality": quality,
        "throughput": {
            "messages": len(decisions),
            "seconds": round(seconds, 2),
            "messages_per_second": round(len(decisions) / seconds, 1),
            "cpu_seconds": round(cpu_seconds, 2),  # wall time is longer when other work shares the cores
            "messages_per_cpu_second": round(len(decisions) / cpu_seconds, 1),
        },
    }
    out = BASE_DIR / "bench" / "results" / "lead_priority.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
