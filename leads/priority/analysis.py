"""Reading one text: signals (curated and the tenant's own), language and key phrases."""

from __future__ import annotations

from dataclasses import dataclass, field

from leads.priority.language import detect_language
from leads.priority.phrases import key_phrases
from leads.priority.signals import CURATED, SignalSet, find_signals, tenant_definition


@dataclass
class TextAnalysis:
    language: str
    signals: list[dict[str, object]] = field(default_factory=list)
    key_phrases: list[str] = field(default_factory=list)


def tenant_signal_set(rows: list) -> SignalSet:
    """The curated signals plus a tenant's active ``PrioritySignal`` rows (keys ``tenant:<id>``)."""
    definitions = list(CURATED)
    keys = []
    for row in rows:
        key = f"tenant:{row.pk}"
        keys.append(key)
        definitions.append(tenant_definition(key=key, label=row.label, phrases=row.phrase_list, points=row.points))
    return SignalSet(definitions, tenant_keys=frozenset(keys))


def text_analyse(text: str, signal_set: SignalSet | None = None) -> TextAnalysis:
    language = detect_language(text)
    return TextAnalysis(
        language=language,
        signals=[match.to_dict() for match in find_signals(text, signal_set)],
        key_phrases=key_phrases(text, language=language),
    )
