"""Text cut into plain and highlighted pieces from the signal spans, for templates to render with
autoescaping on (the user's text is never marked safe)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Segment:
    text: str
    key: str = ""  # the signal's key when highlighted
    label: str = ""
    tone: str = ""  # for, against


def segments(text: str, spans: list[dict[str, Any]], *, offset: int = 0) -> list[Segment]:
    """``spans`` (start/end in the analysed text) shifted by ``offset`` into ``text``."""
    pieces: list[Segment] = []
    position = 0
    for span in sorted(spans, key=lambda item: (item["start"], -item["end"])):
        start, end = int(span["start"]) - offset, int(span["end"]) - offset
        if end <= position or start >= len(text) or end <= 0:
            continue
        start = max(start, position)
        if start > position:
            pieces.append(Segment(text[position:start]))
        tone = "for" if int(span.get("points", 0)) > 0 else "against"
        pieces.append(Segment(text[start:end], str(span.get("key", "")), str(span.get("label", "")), tone))
        position = end
    if position < len(text):
        pieces.append(Segment(text[position:]))
    return pieces


def message_segments(message: Any) -> tuple[list[Segment], list[Segment]]:
    """(subject, body) segments: the text was analysed as "subject\\nbody" when there is a subject."""
    offset = len(message.subject) + 1 if message.subject else 0
    subject = segments(message.subject, message.signals) if message.subject else []
    return subject, segments(message.body, message.signals, offset=offset)
