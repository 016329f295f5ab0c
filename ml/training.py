"""Train a calibrated conversion (or churn) model on one tenant's history.

1. the leakage guard removes columns that encode the outcome (overridable);
2. candidates (logistic regression, random forest, gradient boosting) are fitted on the older
   leads and compared on the most recent ones, the way the model will be used: on leads that come
   after its training data;
3. the winner is calibrated (``ml.calibration``: cross-fitted copies averaged, and a strictly
   increasing map to probabilities, sigmoid or isotonic, chosen on out-of-fold scores) on the older
   rows and its held-out metrics are measured on the recent ones; then the same is done on all rows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline

from ml.calibration import CalibratedModel, calibrated_fit
from ml.explain import contributions, raw_output
from ml.leakage import LeakageFinding, find_leaks
from ml.metrics import evaluate
from ml.pipeline import CANDIDATES, build, prepare, source_column_of
from ml.schema import Column

MIN_ROWS = 50
MIN_PER_CLASS = 10
HOLDOUT_SHARE = 0.2


class NotEnoughData(ValueError):
    """Training is refused, with the reason a person can act on."""


@dataclass
class Factor:
    column: str
    value: object
    contribution: float


@dataclass
class TrainedModel:
    """Everything needed to score and explain new rows; pickled as one object.

    ``calibrated`` scores, and its fold models are what ``explain`` decomposes (``member_sources``:
    for each fold model, the input column of each encoded feature). Models stored before scoring
    averaged fold models hold a scikit-learn ``CalibratedClassifierCV`` in ``calibrated`` and are
    explained by a separate ``explainer`` pipeline (``feature_sources``); both kinds still load."""

    columns: list[Column]
    algorithm: str
    calibrated: CalibratedModel
    explainer: Pipeline | None
    feature_sources: list[str]
    output_unit: str  # "log-odds" or "probability"
    member_sources: tuple[tuple[str, ...], ...] = ()

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return self.predict_proba_prepared(self.prepare(frame))

    def prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The typed model input; bulk scoring builds it ahead, on another thread."""
        return prepare(frame, self.columns)

    def predict_proba_prepared(self, prepared: pd.DataFrame) -> np.ndarray:
        return self.calibrated.predict_proba(prepared)[:, 1]

    def to_probability(self, raw: float) -> float:
        """The probability the model gives a raw output (e.g. the explanations' base value)."""
        if isinstance(self.calibrated, CalibratedModel):
            return float(self.calibrated.calibrate_raw(np.array([raw]))[0])
        return float(raw) if self.output_unit == "probability" else float(1 / (1 + np.exp(-raw)))

    def _explained(self) -> list[tuple[Pipeline, Sequence[str]]]:
        if isinstance(self.calibrated, CalibratedModel):
            return list(zip(self.calibrated.members, self.member_sources, strict=True))
        return [(self.explainer, self.feature_sources)]

    def explain(self, frame: pd.DataFrame) -> tuple[np.ndarray, list[dict[str, float]], np.ndarray]:
        """(base, per-row {column: contribution}, raw output); base + sum == raw output.

        The raw output is the mean of the fold models' outputs (it maps to the served probability
        through an increasing function), so base and contributions are the means of theirs. Each
        fold model encodes on its own (rare categories may differ), hence grouping by column first."""
        prepared = prepare(frame, self.columns)
        names = [column.name for column in self.columns]
        position = {name: index for index, name in enumerate(names)}
        explained = self._explained()
        base = np.zeros(len(prepared))
        raw = np.zeros(len(prepared))
        grouped = np.zeros((len(prepared), len(names)))
        present = np.zeros(len(names), dtype=bool)
        for pipeline, sources in explained:
            encoded = np.asarray(pipeline.named_steps["encode"].transform(prepared), dtype=float)
            member_base, parts, member_raw = contributions(pipeline.named_steps["model"], encoded)
            for source in sources:
                if source not in position:  # a stored model's feature no column claims: kept as is
                    position[source] = len(names)
                    names.append(source)
                    grouped = np.hstack([grouped, np.zeros((len(prepared), 1))])
                    present = np.append(present, False)
            columns_of = np.array([position[source] for source in sources])
            to_columns = sparse.csr_matrix(
                (np.ones(len(sources)), (np.arange(len(sources)), columns_of)), shape=(len(sources), len(names))
            )
            grouped += np.asarray(parts @ to_columns)
            present[columns_of] = True
            base += member_base
            raw += member_raw
        count = len(explained)
        kept = [index for index in range(len(names)) if present[index]]
        per_column = [{names[index]: float(row[index]) / count for index in kept} for row in grouped]
        return base / count, per_column, raw / count


@dataclass
class TrainingResult:
    model: TrainedModel
    metrics: dict[str, object]
    candidates: list[dict[str, object]]
    excluded: list[LeakageFinding]
    overridden: list[LeakageFinding]
    summary: dict[str, object] = field(default_factory=dict)
    feature_importance: list[dict[str, object]] = field(default_factory=list)


def check_data(y: np.ndarray) -> None:
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if len(y) < MIN_ROWS:
        raise NotEnoughData(f"Training needs at least {MIN_ROWS} closed leads (converted or lost); there are {len(y)}.")
    if positives < MIN_PER_CLASS or negatives < MIN_PER_CLASS:
        raise NotEnoughData(
            f"Training needs at least {MIN_PER_CLASS} converted and {MIN_PER_CLASS} lost leads; "
            f"there are {positives} converted and {negatives} lost."
        )


def _calibrated(pipeline: Pipeline, prepared: pd.DataFrame, y: np.ndarray, *, seed: int) -> CalibratedModel:
    calibrated = calibrated_fit(pipeline, prepared, y, seed=seed)
    for member in calibrated.members:
        model = member.named_steps["model"]
        if hasattr(model, "coef_"):
            # Linear contributions are measured from the average lead of the rows fitted on.
            encoded = member.named_steps["encode"].transform(prepared)
            model.training_mean_ = np.asarray(encoded, dtype=float).mean(axis=0)
    return calibrated


def split_recent(order_key: np.ndarray, y: np.ndarray, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the older rows and of the most recent HOLDOUT_SHARE, falling back to a
    stratified random split if the recent slice lacks one of the outcomes."""
    order = np.argsort(order_key, kind="stable")
    cut = int(len(order) * (1 - HOLDOUT_SHARE))
    train, holdout = order[:cut], order[cut:]
    if len(np.unique(y[holdout])) < 2 or len(np.unique(y[train])) < 2:
        train, holdout = train_test_split(np.arange(len(y)), test_size=HOLDOUT_SHARE, stratify=y, random_state=seed)
    return np.sort(train), np.sort(holdout)


def train(
    frame: pd.DataFrame,
    columns: list[Column],
    y: np.ndarray,
    *,
    order_key: np.ndarray,
    keep_columns: frozenset[str] = frozenset(),
    candidates: tuple[str, ...] = CANDIDATES,
    seed: int = 0,
) -> TrainingResult:
    """Fit and select a calibrated model. ``order_key`` orders rows in time (e.g. creation time)."""
    y = np.asarray(y, dtype=int)
    check_data(y)
    started = time.perf_counter()
    findings = find_leaks(frame, columns, y)
    excluded = [finding for finding in findings if finding.column not in keep_columns]
    overridden = [finding for finding in findings if finding.column in keep_columns]
    excluded_names = {finding.column for finding in excluded}
    used = [column for column in columns if column.name not in excluded_names]
    if not used:
        raise NotEnoughData("Every column was excluded by the leakage guard; nothing is left to learn from.")
    prepared = prepare(frame, used)

    train_idx, holdout_idx = split_recent(order_key, y, seed=seed)
    scored = []
    for name in candidates:
        pipeline = build(name, used, n_rows=len(train_idx), seed=seed)
        fitted = clone(pipeline).fit(prepared.iloc[train_idx], y[train_idx])
        auc = roc_auc_score(y[holdout_idx], fitted.predict_proba(prepared.iloc[holdout_idx])[:, 1])
        scored.append({"algorithm": name, "holdout_auc": round(float(auc), 4)})
    best = max(scored, key=lambda entry: entry["holdout_auc"])["algorithm"]
    for entry in scored:
        entry["selected"] = entry["algorithm"] == best

    holdout_model = calibrated_fit(
        build(best, used, n_rows=len(train_idx), seed=seed), prepared.iloc[train_idx], y[train_idx], seed=seed
    )
    metrics = evaluate(y[holdout_idx], holdout_model.predict_proba(prepared.iloc[holdout_idx])[:, 1])
    metrics["validation"] = "most recent leads" if _is_time_split(order_key, train_idx, holdout_idx) else "random"
    metrics["calibration"] = {
        "method": holdout_model.method,
        "fold_models": len(holdout_model.members),
        "log_loss_by_method": holdout_model.log_loss_by_method,
    }

    calibrated = _calibrated(build(best, used, n_rows=len(y), seed=seed), prepared, y, seed=seed)
    model = TrainedModel(
        columns=used,
        algorithm=best,
        calibrated=calibrated,
        explainer=None,
        feature_sources=[],
        output_unit="probability" if best == "random_forest" else "log-odds",
        member_sources=tuple(
            tuple(source_column_of(list(member.named_steps["encode"].get_feature_names_out()), used))
            for member in calibrated.members
        ),
    )
    summary = {
        "rows": len(y),
        "converted": int(y.sum()),
        "not_converted": int(len(y) - y.sum()),
        "training_rows": len(train_idx),
        "holdout_rows": len(holdout_idx),
        "columns_used": len(used),
        "columns_excluded": len(excluded),
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    return TrainingResult(
        model=model,
        metrics=metrics,
        candidates=scored,
        excluded=excluded,
        overridden=overridden,
        summary=summary,
        feature_importance=importance(model, frame),
    )


def _is_time_split(order_key: np.ndarray, train_idx: np.ndarray, holdout_idx: np.ndarray) -> bool:
    return bool(order_key[holdout_idx].min() >= order_key[train_idx].max())


def importance(model: TrainedModel, frame: pd.DataFrame, *, sample: int = 2000) -> list[dict[str, object]]:
    """Mean absolute contribution per column on (a sample of) the training rows, largest first."""
    rows = frame.sample(n=min(sample, len(frame)), random_state=0) if len(frame) > sample else frame
    _, per_column, _ = model.explain(rows)
    totals: dict[str, float] = {}
    for contributions_of_row in per_column:
        for column, value in contributions_of_row.items():
            totals[column] = totals.get(column, 0.0) + abs(value)
    titles = {column.name: column.title for column in model.columns}
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    return [
        {"column": name, "label": titles.get(name, name), "importance": round(total / len(per_column), 5)}
        for name, total in ranked
    ]


def cross_validated_auc(
    frame: pd.DataFrame, columns: list[Column], y: np.ndarray, *, algorithm: str, folds: int = 5, seed: int = 0
) -> list[float]:
    """ROC-AUC of a calibrated ``algorithm`` in stratified k-fold cross-validation (for reports)."""
    prepared = prepare(frame, columns)
    scores = []
    for train_idx, test_idx in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(prepared, y):
        model = calibrated_fit(
            build(algorithm, columns, n_rows=len(train_idx), seed=seed),
            prepared.iloc[train_idx],
            y[train_idx],
            seed=seed,
        )
        scores.append(float(roc_auc_score(y[test_idx], model.predict_proba(prepared.iloc[test_idx])[:, 1])))
    return scores


__all__ = ["Factor", "NotEnoughData", "TrainedModel", "TrainingResult", "cross_validated_auc", "raw_output", "train"]
