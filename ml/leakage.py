"""Leakage guard: columns that would let a model "predict" the outcome from the outcome itself.

A column is excluded by default (an admin may override each one) when:

- **alone it predicts almost perfectly**: a cross-fitted single-column model reaches ROC-AUC of at
  least 0.85. Real pre-sale signals rarely do; a field recorded after the sale usually does;
- **it is filled mostly for one outcome**: the share of leads with a value differs by 35 points or
  more between converted and other leads, the mark of a field completed during the sales process;
- **its name is a sales assessment or a final state**: tags, quality, profile, score/index/rating
  /grade, stage/status/outcome/result/reason, "last activity" — the columns CRMs fill in as a lead
  is worked, which describe where it ended rather than where it started;
- **it identifies the lead**: (almost) every lead has its own value, so it carries no signal and
  only lets a model memorise rows.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from ml.schema import BOOLEAN, CATEGORY, NUMBER, TEXT, Column, clean_missing, to_boolean, to_category, to_number

SINGLE_COLUMN_AUC_LIMIT = 0.85
PRESENCE_GAP_LIMIT = 0.35
IDENTIFIER_DISTINCT_SHARE = 0.95
_POST_OUTCOME_NAME = re.compile(
    r"(^|[^a-z])(tags?|quality|profile|score|index|rating|grade|stage|status|outcome|result|reason|"
    r"disposition|last[ _]?(notable[ _]?)?activity|closed|won|lost)([^a-z]|$)"
)


@dataclass(frozen=True)
class LeakageFinding:
    column: str
    reason: str
    kind: str  # "predictive", "presence", "name", "identifier"
    statistic: float | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def single_column_auc(values: pd.Series, column_type: str, y: np.ndarray, *, seed: int = 0) -> float:
    """Out-of-fold ROC-AUC of the best monotone use of one column (direction-free)."""
    if len(np.unique(y)) < 2:
        return 0.5
    oof = np.zeros(len(values))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    if column_type in {NUMBER, BOOLEAN}:
        numbers = to_number(values) if column_type == NUMBER else to_boolean(values)
        missing = numbers.isna().to_numpy()
        for train, test in folds.split(numbers, y):
            filled = numbers.fillna(numbers.iloc[train].median() if numbers.iloc[train].notna().any() else 0)
            # Missing values get the outcome rate of missing rows, so missingness itself counts.
            rate_missing = y[train][missing[train]].mean() if missing[train].any() else y[train].mean()
            ranked = filled.rank(pct=True).to_numpy()
            oof[test] = np.where(missing[test], rate_missing, ranked[test])
            if not missing.any():
                oof[test] = filled.to_numpy()[test]
    else:
        keys = to_category(values).fillna("<missing>").astype(str).to_numpy()
        for train, test in folds.split(keys, y):
            frame = pd.DataFrame({"key": keys[train], "y": y[train]})
            stats = frame.groupby("key")["y"].agg(["sum", "count"])
            prior = y[train].mean()
            smoothed = (stats["sum"] + 20 * prior) / (stats["count"] + 20)
            oof[test] = pd.Series(keys[test]).map(smoothed).fillna(prior).to_numpy()
    auc = roc_auc_score(y, oof)
    return float(max(auc, 1 - auc))


def find_leaks(frame: pd.DataFrame, columns: list[Column], y: np.ndarray) -> list[LeakageFinding]:
    """Every suspicious column with the reason, in column order; at most one finding per column."""
    findings: list[LeakageFinding] = []
    positives = y == 1
    for column in columns:
        values = frame[column.name]
        cleaned = clean_missing(values)
        present = cleaned.notna().to_numpy()
        if present.sum() == 0:
            continue
        distinct_share = cleaned.nunique() / max(1, present.sum())
        if (
            column.type in {CATEGORY, TEXT, NUMBER}
            and present.mean() > 0.5
            and distinct_share >= IDENTIFIER_DISTINCT_SHARE
        ):
            is_integerish = column.type != NUMBER or bool((to_number(values).dropna() % 1 == 0).all())
            if is_integerish:
                findings.append(
                    LeakageFinding(
                        column.name,
                        "Almost every lead has its own value: an identifier, not a signal.",
                        "identifier",
                        round(float(distinct_share), 3),
                    )
                )
                continue
        auc = single_column_auc(values, column.type, y)
        if auc >= SINGLE_COLUMN_AUC_LIMIT:
            findings.append(
                LeakageFinding(
                    column.name,
                    f"On its own it predicts the outcome with ROC-AUC {auc:.2f}; pre-sale facts rarely do, so it is "
                    "most likely recorded after the outcome.",
                    "predictive",
                    round(auc, 3),
                )
            )
            continue
        if positives.any() and (~positives).any():
            gap = abs(present[positives].mean() - present[~positives].mean())
            if gap >= PRESENCE_GAP_LIMIT:
                findings.append(
                    LeakageFinding(
                        column.name,
                        f"Filled for {present[positives].mean():.0%} of converted leads but "
                        f"{present[~positives].mean():.0%} of the others: it is probably completed during the sales "
                        "process.",
                        "presence",
                        round(float(gap), 3),
                    )
                )
                continue
        if _POST_OUTCOME_NAME.search(column.name.lower().replace("-", " ")):
            findings.append(
                LeakageFinding(
                    column.name,
                    "Its name marks a sales-team assessment or the lead's final state (tags, quality, profile, "
                    "score, stage, status, last activity…), which is filled in as the lead is worked.",
                    "name",
                    round(auc, 3),
                )
            )
    return findings
