"""The learned text layer: TF-IDF n-grams and a logistic regression, trained per tenant on what
converted and lost leads wrote. Plain modelling, no ORM (``service`` feeds it).

Word 1-2-grams carry meaning ("budget approved", "next year"); character 3-5-grams inside words
catch misspellings and inflections the curated patterns miss ("aproved", "demonstations").
Balanced class weights: lost leads usually outnumber converted ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline

ALGORITHM = "tfidf_logistic"
MIN_PER_CLASS = 15


class NotEnoughText(ValueError):
    """Training is refused, with the reason a person can act on."""


@dataclass
class TextModel:
    pipeline: Pipeline
    algorithm: str = ALGORITHM
    metrics: dict[str, float] = field(default_factory=dict)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.pipeline.predict_proba(texts)[:, 1]

    def _word_names(self) -> np.ndarray:
        # Computed once per loaded model (get_feature_names_out rebuilds the list on every call).
        names = self.__dict__.get("_names")
        if names is None:
            names = self.pipeline.named_steps["features"].transformer_list[0][1].get_feature_names_out()
            self.__dict__["_names"] = names
        return names

    def top_terms(self, text: str, *, limit: int = 3) -> list[str]:
        """The words of ``text`` that pushed it most towards "converts" (word n-grams only: readable)."""
        words: TfidfVectorizer = self.pipeline.named_steps["features"].transformer_list[0][1]
        model: LogisticRegression = self.pipeline.named_steps["model"]
        row = words.transform([text])
        coefficients = model.coef_[0][: row.shape[1]]
        contributions = row.multiply(coefficients).tocsr()
        names = self._word_names()
        pairs = sorted(zip(contributions.indices, contributions.data, strict=True), key=lambda pair: -pair[1])
        return [str(names[index]) for index, value in pairs[:limit] if value > 0]

    def important_terms(self, *, limit: int = 15) -> list[dict[str, object]]:
        words: TfidfVectorizer = self.pipeline.named_steps["features"].transformer_list[0][1]
        coefficients = self.pipeline.named_steps["model"].coef_[0][: len(words.vocabulary_)]
        names = words.get_feature_names_out()
        order = np.argsort(coefficients)
        strongest = list(order[::-1][:limit]) + list(order[:limit])
        return [{"term": str(names[index]), "weight": round(float(coefficients[index]), 3)} for index in strongest]


def _pipeline(seed: int) -> Pipeline:
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=40_000)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True, max_features=60_000
                ),
            ),
        ]
    )
    model = LogisticRegression(C=2.0, class_weight="balanced", max_iter=2000, random_state=seed)
    return Pipeline([("features", features), ("model", model)])


def check_text_data(y: np.ndarray, *, min_rows: int) -> None:
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if len(y) < min_rows:
        raise NotEnoughText(
            f"The text model needs at least {min_rows} closed leads with messages; there are {len(y)}. "
            "Until then, priorities use the curated signals."
        )
    if positives < MIN_PER_CLASS or negatives < MIN_PER_CLASS:
        raise NotEnoughText(
            f"The text model needs at least {MIN_PER_CLASS} converted and {MIN_PER_CLASS} lost leads with "
            f"messages; there are {positives} converted and {negatives} lost."
        )


def train_text_model(texts: list[str], y: np.ndarray, *, min_rows: int = 60, seed: int = 0) -> TextModel:
    """Fit on a stratified 80 %, measure ROC-AUC on the other 20 %, then refit on everything."""
    y = np.asarray(y, dtype=int)
    check_text_data(y, min_rows=min_rows)
    train_idx, test_idx = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=seed)
    probe = _pipeline(seed).fit([texts[i] for i in train_idx], y[train_idx])
    held_out = probe.predict_proba([texts[i] for i in test_idx])[:, 1]
    metrics = {
        "auc": round(float(roc_auc_score(y[test_idx], held_out)), 4),
        "rows": len(y),
        "converted": int(y.sum()),
        "holdout_rows": len(test_idx),
    }
    return TextModel(pipeline=_pipeline(seed).fit(texts, y), metrics=metrics)
