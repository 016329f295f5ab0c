"""Key phrases of a text: RAKE (Rose et al., 2010), the stopword-delimited phrase method.

Candidate phrases are the runs of words between stopwords and punctuation ("budget approved",
"sales team"). Each word scores degree/frequency over all candidates, a phrase the sum of its words;
the best few distinct phrases of at most ``MAX_WORDS`` words are kept. No model, no downloads.
"""

from __future__ import annotations

import re
from collections import defaultdict

from leads.priority.language import STOPWORDS, words_of

MAX_WORDS = 3
# Words that carry no topic in an inquiry, beside grammatical ones.
FILLERS = words_of(
    "hi hello dear regards thanks thank best kind cheers please would like need want get know let us "
    "could can we'd i'd im i'm we're it's let's one also really just"
)
TOKEN = re.compile(r"[^\W_][\w'\-]*|[^\w\s]")


def _candidates(text: str, stop: frozenset[str]) -> list[list[str]]:
    phrases: list[list[str]] = []
    current: list[str] = []
    for token in TOKEN.findall(text.lower()):
        if not token[0].isalnum() or token in stop or len(token) < 2:
            if current:
                phrases.append(current)
            current = []
            continue
        current.append(token)
    if current:
        phrases.append(current)
    return [phrase for phrase in phrases if len(phrase) <= MAX_WORDS and not all(word.isdigit() for word in phrase)]


def key_phrases(text: str, *, language: str = "en", limit: int = 5) -> list[str]:
    """The ``limit`` best phrases, cut at the stopwords of ``language`` (English when not listed)."""
    candidates = _candidates(text, STOPWORDS.get(language, STOPWORDS["en"]) | FILLERS)
    frequency: dict[str, int] = defaultdict(int)
    degree: dict[str, int] = defaultdict(int)
    for phrase in candidates:
        for word in phrase:
            frequency[word] += 1
            degree[word] += len(phrase)
    scored: dict[str, float] = {}
    for phrase in candidates:
        joined = " ".join(phrase)
        scored[joined] = max(scored.get(joined, 0.0), sum(degree[word] / frequency[word] for word in phrase))
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
    return [phrase for phrase, _ in ranked[:limit]]
