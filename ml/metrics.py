"""Quality figures for a probabilistic classifier on held-out data."""

from __future__ import annotations

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import accuracy_score, brier_score_loss, f1_score, roc_auc_score


def evaluate(y: np.ndarray, probability: np.ndarray) -> dict[str, object]:
    predicted = (probability >= 0.5).astype(int)
    both = len(np.unique(y)) == 2
    prob_true, prob_pred = calibration_curve(y, probability, n_bins=10, strategy="quantile") if both else ([], [])
    return {
        "auc": round(float(roc_auc_score(y, probability)), 4) if both else None,
        "accuracy": round(float(accuracy_score(y, predicted)), 4),
        "f1": round(float(f1_score(y, predicted, zero_division=0)), 4),
        "brier": round(float(brier_score_loss(y, probability)), 4),
        "base_rate": round(float(y.mean()), 4),
        "calibration_curve": [
            {"predicted": round(float(p), 4), "observed": round(float(o), 4)}
            for p, o in zip(prob_pred, prob_true, strict=True)
        ],
        "lift_by_decile": lift_by_decile(y, probability),
        "conversion_by_score_range": conversion_by_range(y, probability),
        "rows": len(y),
    }


def lift_by_decile(y: np.ndarray, probability: np.ndarray) -> list[dict[str, float]]:
    """Deciles from the highest scores down: conversion rate and lift over the base rate."""
    order = np.argsort(-probability, kind="stable")
    base = y.mean() or 1.0
    rows = []
    for decile, chunk in enumerate(np.array_split(order, 10), start=1):
        if len(chunk) == 0:
            continue
        rate = float(y[chunk].mean())
        rows.append(
            {"decile": decile, "conversion_rate": round(rate, 4), "lift": round(rate / base, 3), "leads": len(chunk)}
        )
    return rows


def conversion_by_range(y: np.ndarray, probability: np.ndarray) -> list[dict[str, float]]:
    """Observed conversion for predicted-score ranges 0-10, 10-20, ... 90-100."""
    rows = []
    scores = probability * 100
    for low in range(0, 100, 10):
        mask = (scores >= low) & ((scores < low + 10) if low < 90 else (scores <= 100))
        if mask.any():
            rows.append(
                {
                    "range": f"{low}-{low + 10}",
                    "leads": int(mask.sum()),
                    "conversion_rate": round(float(y[mask].mean()), 4),
                }
            )
    return rows
