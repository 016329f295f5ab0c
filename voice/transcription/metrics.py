"""Word error rate, for tests and the engine benchmark.

Both sides are normalised first so that differences no listener would call an error ("3 p.m." vs
"three PM", "follow-up" vs "follow up", punctuation, case) do not count as errors.
"""

from __future__ import annotations

import re

_NUMBERS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
    "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20",
}  # fmt: skip


def text_normalise(text: str) -> list[str]:
    """Lower-case words with numbers as digits, 'p.m.' as 'pm', hyphens and punctuation dropped."""
    text = text.lower()
    text = re.sub(r"\b([ap])\.\s?m\.?", r"\1m", text)  # "3 p.m." / "3 p. m." -> "3 pm"
    text = re.sub(r"(\d)([a-z])", r"\1 \2", text)  # "3pm" -> "3 pm"
    text = re.sub(r"[^a-z0-9' ]+", " ", text)  # punctuation and hyphens become word breaks
    return [_NUMBERS.get(word, word) for word in (w.strip("'") for w in text.split()) if word]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, after ``text_normalise``.

    An empty reference gives 0.0 for an empty hypothesis and 1.0 otherwise (nothing was to be said).
    The rate can exceed 1.0 when the hypothesis adds many words.
    """
    ref, hyp = text_normalise(reference), text_normalise(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    # Levenshtein distance over words, one row at a time.
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, start=1):
        current = [i]
        for j, hyp_word in enumerate(hyp, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word)))
        previous = current
    return previous[-1] / len(ref)
