"""Calibrated probabilities that keep the model's ranking.

The rows are split into ``FOLDS`` stratified folds and one copy of the model is fitted without
each fold. Every row thus gets an out-of-fold raw score (log-odds, or a forest's vote share) from a
copy that never saw it, and the copies together are the served model: its raw output is the mean
of theirs (averaging models fitted on different subsets also steadies the ranking on noisy data).
A strictly increasing map learnt on the out-of-fold scores turns that raw output into a
probability: it corrects the over-confidence a model shows on rows it was not fitted on, which
its own training rows would hide.

Because the map is strictly increasing, calibration cannot reorder leads: ROC-AUC and every
"top N" list are those of the averaged model. And because the raw output is a plain mean, the
per-column contributions of the copies, averaged, add up to it exactly (see ``ml.explain``).

Two maps compete:

- ``sigmoid`` (Platt scaling): two parameters, safe with little data;
- ``isotonic``: any increasing shape, learnt by pool-adjacent-violators; its blocks are joined by
  straight lines through their centres so that it increases strictly (a step function would tie
  every lead in a block and cost ranking quality). Only tried from ``ISOTONIC_MIN_ROWS`` rows (and
  ``ISOTONIC_MIN_PER_CLASS`` of each outcome), below which it over-fits.

The map with the lower cross-validated log loss on the out-of-fold scores is kept: the held-out
rows that report the model's quality are never used to choose it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import clone
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

FOLDS = 3
# The competing maps are compared in this many folds of the out-of-fold scores (cheap: 1-D fits).
MAP_FOLDS = 5
ISOTONIC_MIN_ROWS = 1000
ISOTONIC_MIN_PER_CLASS = 50
# Probabilities are kept this far from 0 and 1: no lead is ever "certain", and log loss stays finite.
EDGE = 1e-4


def raw_scores(pipeline: Pipeline, frame: pd.DataFrame) -> np.ndarray:
    """The model's uncalibrated output: log-odds where it has them, else the positive-class share."""
    if hasattr(pipeline, "decision_function"):
        return np.asarray(pipeline.decision_function(frame), dtype=float)
    return np.asarray(pipeline.predict_proba(frame)[:, list(pipeline.classes_).index(1)], dtype=float)


class Sigmoid:
    """Platt scaling: p = 1 / (1 + exp(-(a * score + b))), with Platt's smoothed targets so a
    separable calibration set does not drive the slope to infinity."""

    method = "sigmoid"

    def fit(self, scores: np.ndarray, y: np.ndarray) -> Sigmoid:
        positives = float(y.sum())
        negatives = float(len(y) - positives)
        target = np.where(y == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))

        def loss_and_gradient(params: np.ndarray) -> tuple[float, np.ndarray]:
            p = np.clip(expit(params[0] * scores + params[1]), 1e-12, 1 - 1e-12)
            loss = -np.sum(target * np.log(p) + (1 - target) * np.log(1 - p))
            residual = p - target
            return float(loss), np.array([residual @ scores, residual.sum()])

        prior = np.log((negatives + 1) / (positives + 1))
        result = minimize(loss_and_gradient, np.array([1.0, -prior]), jac=True, method="L-BFGS-B")
        self.slope_, self.intercept_ = float(result.x[0]), float(result.x[1])
        if self.slope_ <= 0:
            # A model whose scores carry no signal: a flat map at the base rate, not a reversed one.
            self.slope_, self.intercept_ = 0.0, float(np.log((positives + 1) / (negatives + 1)))
        return self

    def predict(self, scores: np.ndarray) -> np.ndarray:
        return _inside(expit(self.slope_ * np.asarray(scores, dtype=float) + self.intercept_))


class Isotonic:
    """Isotonic regression, joined through the centres of its constant blocks, so it increases
    strictly between the outermost centres. Beyond them it keeps the end blocks' rates, with a
    vanishing slope so that even there no two different scores are tied."""

    method = "isotonic"
    # Relative change of the end rates per standard deviation of the scores beyond the end centres.
    TAIL_SLOPE = 1e-3

    def fit(self, scores: np.ndarray, y: np.ndarray) -> Isotonic:
        fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, y).predict(scores)
        levels, block = np.unique(fitted, return_inverse=True)
        self.knots_x_ = np.bincount(block, weights=scores) / np.bincount(block)
        self.knots_y_ = _inside(levels)
        self.tail_rate_ = self.TAIL_SLOPE / (float(np.std(scores)) or 1.0)
        return self

    def predict(self, scores: np.ndarray) -> np.ndarray:
        scores = np.asarray(scores, dtype=float)
        x, values = self.knots_x_, self.knots_y_
        result = np.interp(scores, x, values)
        low, high = scores < x[0], scores > x[-1]
        result[low] = values[0] * np.exp(self.tail_rate_ * (scores[low] - x[0]))
        result[high] = 1 - (1 - values[-1]) * np.exp(-self.tail_rate_ * (scores[high] - x[-1]))
        return result


def _inside(probability: np.ndarray) -> np.ndarray:
    """[0, 1] squeezed into [EDGE, 1 - EDGE]: strictly increasing, so no ties at the extremes."""
    return EDGE + (1 - 2 * EDGE) * probability


Calibrator = Sigmoid | Isotonic


def choose_calibrator(scores: np.ndarray, y: np.ndarray, *, seed: int = 0) -> tuple[Calibrator, dict[str, float]]:
    """Fit the competing maps on the out-of-fold scores; keep the one with the lower
    cross-validated log loss. Returns it (refitted on all the scores) and each map's loss."""
    makers: list[type[Sigmoid] | type[Isotonic]] = [Sigmoid]
    minority = min(int(y.sum()), int(len(y) - y.sum()))
    if len(y) >= ISOTONIC_MIN_ROWS and minority >= ISOTONIC_MIN_PER_CLASS:
        makers.append(Isotonic)
    losses: dict[str, float] = {}
    if len(makers) > 1:
        splitter = StratifiedKFold(n_splits=MAP_FOLDS, shuffle=True, random_state=seed)
        for maker in makers:
            predicted = np.empty(len(y))
            for fit_idx, test_idx in splitter.split(scores.reshape(-1, 1), y):
                predicted[test_idx] = maker().fit(scores[fit_idx], y[fit_idx]).predict(scores[test_idx])
            losses[maker.method] = round(float(log_loss(y, predicted, labels=[0, 1])), 5)
    best = min(makers, key=lambda maker: losses.get(maker.method, 0.0))
    return best().fit(scores, y), losses


@dataclass
class CalibratedModel:
    """The fold models (raw output averaged) and the increasing map from it to a probability."""

    members: list[Pipeline]
    calibrator: Calibrator
    log_loss_by_method: dict[str, float] = field(default_factory=dict)

    @property
    def method(self) -> str:
        return self.calibrator.method

    @property
    def classes_(self) -> np.ndarray:
        return np.array([0, 1])

    def raw_output(self, frame: pd.DataFrame) -> np.ndarray:
        return np.mean([raw_scores(member, frame) for member in self.members], axis=0)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        probability = self.calibrator.predict(self.raw_output(frame))
        return np.column_stack([1 - probability, probability])

    def calibrate_raw(self, raw: np.ndarray) -> np.ndarray:
        """The probability for raw outputs already computed (e.g. an explanation's base value)."""
        return self.calibrator.predict(np.asarray(raw, dtype=float))


def calibrated_fit(
    pipeline: Pipeline, frame: pd.DataFrame, y: np.ndarray, *, folds: int = FOLDS, seed: int = 0
) -> CalibratedModel:
    """Fit one copy of ``pipeline`` per fold left out, and the map on their out-of-fold scores."""
    y = np.asarray(y, dtype=int)
    # Every fold needs both outcomes to fit on: a tiny history gets fewer, larger folds.
    folds = max(2, min(folds, int(y.sum()), int(len(y) - y.sum())))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = np.empty(len(y))
    members = []
    for fit_idx, score_idx in splitter.split(frame, y):
        member = clone(pipeline).fit(frame.iloc[fit_idx], y[fit_idx])
        scores[score_idx] = raw_scores(member, frame.iloc[score_idx])
        members.append(member)
    calibrator, losses = choose_calibrator(scores, y, seed=seed)
    return CalibratedModel(members=members, calibrator=calibrator, log_loss_by_method=losses)
