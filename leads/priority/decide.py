"""High / Medium / Low from the lead score (structure) and the text evidence, with the reasons.

Pure functions, shared by the product and the benchmark:

* structured value (0-100): the lead score; 40 for a lead not scored yet.
* text value (0-100): 50 plus the points of the signals found in the lead's recent inbound messages
  (cold start), averaged with the text model's conversion probability x 100 once a tenant has one.
* value = (1 - w) x structured + w x text, w the tenant's text weight; without messages, the
  structured value alone. High from ``high_min``, Medium from ``medium_min``, else Low.
* A blocking signal (unsubscribe, spam) in the latest inbound message makes the lead Low.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from leads.priority.language import is_not_english, language_name

UNSCORED_VALUE = 40.0
TEXT_BASE = 50.0
MODEL_SHARE = 0.5  # of the text value, once a text model exists


@dataclass(frozen=True)
class Thresholds:
    high_min: float = 65
    medium_min: float = 40
    text_weight: float = 0.6


@dataclass(frozen=True)
class EvidenceSignal:
    key: str
    label: str
    points: int
    blocking: bool = False
    message_id: int | None = None


@dataclass
class TextEvidence:
    """What the lead's recent inbound messages say, newest first already resolved to one per signal."""

    signals: Sequence[EvidenceSignal] = ()
    model_probability: float | None = None
    model_terms: Sequence[str] = ()
    language: str = ""
    blocking: EvidenceSignal | None = None  # from the latest inbound message only


@dataclass(frozen=True)
class Reason:
    text: str
    points: float
    source: str  # score, signal, model, language, block
    key: str = ""
    message_id: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "points": round(self.points, 1),
            "source": self.source,
            "key": self.key,
            "message_id": self.message_id,
        }


@dataclass
class Decision:
    priority: str
    value: float
    structured: float
    text: float | None
    reasons: list[Reason] = field(default_factory=list)


def level(value: float, thresholds: Thresholds) -> str:
    if value >= thresholds.high_min:
        return "high"
    if value >= thresholds.medium_min:
        return "medium"
    return "low"


def structured_value(score: int | None) -> float:
    return float(score) if score is not None else UNSCORED_VALUE


def text_value(evidence: TextEvidence) -> float:
    cold = min(100.0, max(0.0, TEXT_BASE + sum(signal.points for signal in evidence.signals)))
    if evidence.model_probability is None:
        return cold
    return (1 - MODEL_SHARE) * cold + MODEL_SHARE * 100.0 * evidence.model_probability


def _score_reason(score: int | None, band: str) -> Reason:
    if score is None:
        return Reason("not scored yet", 0.0, "score")
    return Reason(f"score band {band} ({score})" if band else f"score {score}", score - UNSCORED_VALUE, "score")


def decide(*, score: int | None, band: str, evidence: TextEvidence | None, thresholds: Thresholds) -> Decision:
    structured = structured_value(score)
    score_reason = _score_reason(score, band)
    if evidence is None:
        return Decision(level(structured, thresholds), structured, structured, None, [score_reason])
    text = text_value(evidence)
    weight = thresholds.text_weight
    value = (1 - weight) * structured + weight * text
    reasons = [
        Reason(signal.label, signal.points * weight, "signal", signal.key, signal.message_id)
        for signal in sorted(evidence.signals, key=lambda signal: -abs(signal.points))
    ]
    if evidence.model_probability is not None:
        terms = ", ".join(f"“{term}”" for term in evidence.model_terms[:3])
        wording = f"wording like converted leads' ({terms})" if terms else "wording like converted leads'"
        if evidence.model_probability < 0.5:
            wording = "wording like lost leads'"
        reasons.append(
            Reason(f"{wording}: {evidence.model_probability:.0%} by the text model", 0.0, "model", "text_model")
        )
    if is_not_english(evidence.language):
        reasons.append(Reason(f"written in {language_name(evidence.language)}", 0.0, "language", "language"))
    # The score's reason sits among the others by weight: strong text first for a text-driven lead.
    reasons.append(Reason(score_reason.text, score_reason.points * (1 - weight), "score"))
    reasons.sort(key=lambda reason: (reason.source in {"model", "language"}, -abs(reason.points)))
    priority = level(value, thresholds)
    if evidence.blocking is not None:
        priority = "low"
        blocking = evidence.blocking
        reasons.insert(0, Reason(blocking.label, blocking.points, "block", blocking.key, blocking.message_id))
    return Decision(priority, value, structured, text, reasons)
