"""Calibration: probabilities match observed rates on new rows, and calibrating never costs ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ml.calibration import Isotonic, Sigmoid, calibrated_fit, choose_calibrator
from ml.pipeline import build, prepare, source_column_of
from ml.schema import CATEGORY, NUMBER, Column
from ml.training import TrainedModel, train

COLUMNS = [Column("engagement", NUMBER), Column("fit", NUMBER), Column("channel", CATEGORY), Column("noise", NUMBER)]


def rare_outcome(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """About one row in eight converts; returns the rows, outcomes and true probabilities."""
    rng = np.random.default_rng(seed)
    engagement = rng.gamma(2.0, 1.0, n)
    fit = rng.normal(size=n)
    channel = rng.choice(["web", "partner", "event"], n, p=[0.6, 0.25, 0.15])
    logit = -4.2 + 0.9 * engagement + 0.8 * fit + 0.9 * (channel == "partner")
    truth = expit(logit)
    y = (rng.random(n) < truth).astype(int)
    frame = pd.DataFrame({"engagement": engagement, "fit": fit, "channel": channel, "noise": rng.normal(size=n)})
    return frame, y, truth


def calibration_error(y: np.ndarray, probability: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over equal-count bins of the predicted probability."""
    order = np.argsort(probability, kind="stable")
    return float(
        sum(abs(probability[chunk].mean() - y[chunk].mean()) * len(chunk) for chunk in np.array_split(order, bins))
        / len(y)
    )


@pytest.fixture(scope="module")
def rare_split() -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray, np.ndarray]:
    frame, y, truth = rare_outcome(8000, seed=11)
    return frame.iloc[:5000], y[:5000], frame.iloc[5000:], y[5000:], truth[5000:]


@pytest.mark.parametrize("algorithm", ["logistic_regression", "random_forest", "gradient_boosting"])
def test_probabilities_match_observed_rates_on_new_rows(algorithm: str, rare_split: tuple) -> None:
    fit_frame, fit_y, new_frame, new_y, truth = rare_split
    model = train(fit_frame, COLUMNS, fit_y, order_key=np.arange(len(fit_y)), candidates=(algorithm,)).model
    probability = model.predict_proba(new_frame)
    # The average risk is the observed rate, and each tenth of the rows, ranked by risk, converts
    # about as often as predicted (the ideal model, scored the same way, is the yardstick).
    assert abs(probability.mean() - new_y.mean()) < 0.015
    assert calibration_error(new_y, probability) < calibration_error(new_y, truth) + 0.02
    assert brier_score_loss(new_y, probability) < brier_score_loss(new_y, truth) + 0.006


def test_a_squashed_model_is_stretched_back_to_calibrated_probabilities() -> None:
    """Heavy regularisation shrinks log-odds towards zero: every risk drifts to the middle.
    The map learnt on out-of-fold scores undoes it, and the order of rows is untouched."""
    frame, y, truth = rare_outcome(6000, seed=3)
    numbers = frame[["engagement", "fit"]]
    squashed = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(C=0.0005))])
    calibrated = calibrated_fit(squashed, numbers.iloc[:4000], y[:4000])
    raw = calibrated.raw_output(numbers.iloc[4000:])
    probability = calibrated.predict_proba(numbers.iloc[4000:])[:, 1]
    new_y, ideal = y[4000:], calibration_error(y[4000:], truth[4000:])
    assert calibration_error(new_y, expit(raw)) > ideal + 0.04  # the raw model is badly off
    assert abs(probability.mean() - new_y.mean()) < 0.015
    assert calibration_error(new_y, probability) < ideal + 0.015
    assert roc_auc_score(new_y, probability) == pytest.approx(roc_auc_score(new_y, raw), abs=1e-9)


@pytest.mark.parametrize("algorithm", ["logistic_regression", "random_forest", "gradient_boosting"])
def test_calibration_keeps_the_ranking_of_the_model(algorithm: str, rare_split: tuple) -> None:
    fit_frame, fit_y, new_frame, new_y, _ = rare_split
    model = train(fit_frame, COLUMNS, fit_y, order_key=np.arange(len(fit_y)), candidates=(algorithm,)).model
    prepared = model.prepare(new_frame)
    calibrated_auc = roc_auc_score(new_y, model.predict_proba_prepared(prepared))
    # The map to probabilities is strictly increasing: same order as the raw output, no ties added.
    raw = model.calibrated.raw_output(prepared)
    assert calibrated_auc == pytest.approx(roc_auc_score(new_y, raw), abs=5e-4)
    assert len(np.unique(model.predict_proba_prepared(prepared))) >= 0.98 * len(np.unique(raw))
    # And it ranks new rows at least about as well as one uncalibrated model fitted on every row.
    single = build(algorithm, model.columns, n_rows=len(fit_y)).fit(prepare(fit_frame, model.columns), fit_y)
    single_auc = roc_auc_score(new_y, single.predict_proba(prepared)[:, 1])
    assert calibrated_auc > single_auc - 0.005


def test_isotonic_map_wins_on_a_shape_no_sigmoid_fits_and_keeps_order() -> None:
    rng = np.random.default_rng(0)
    scores = rng.uniform(-3, 3, 6000)
    # Risk flat at 5% then jumping to 60% and staying there: not a logistic curve.
    truth = np.where(scores < 0.5, 0.05, 0.6) + 0.02 * scores
    y = (rng.random(len(scores)) < truth).astype(int)
    calibrator, losses = choose_calibrator(scores, y)
    assert isinstance(calibrator, Isotonic)
    assert losses["isotonic"] < losses["sigmoid"]
    grid = np.linspace(-6, 6, 1000)
    mapped = calibrator.predict(grid)
    assert (np.diff(mapped) > 0).all()  # strictly increasing, beyond the data too
    assert ((mapped > 0) & (mapped < 1)).all()
    # Where the risk is flat the map is flat too: calibrated, not just ordered.
    assert calibrator.predict(np.array([-2.0]))[0] == pytest.approx(0.05 + 0.02 * -2, abs=0.02)
    assert calibrator.predict(np.array([2.0]))[0] == pytest.approx(0.6 + 0.02 * 2, abs=0.04)


def test_sigmoid_map_for_a_logistic_shape_and_for_small_histories() -> None:
    rng = np.random.default_rng(1)
    scores = rng.normal(size=5000)
    y = (rng.random(len(scores)) < expit(1.7 * scores - 1.0)).astype(int)
    calibrator, losses = choose_calibrator(scores, y)
    assert isinstance(calibrator, Sigmoid)
    assert calibrator.slope_ == pytest.approx(1.7, abs=0.15)
    assert set(losses) == {"sigmoid", "isotonic"}
    small, small_losses = choose_calibrator(scores[:300], y[:300])
    assert isinstance(small, Sigmoid) and small_losses == {}  # too few rows to trust isotonic


def test_the_smallest_history_trains_with_fewer_folds() -> None:
    frame, y, _ = rare_outcome(400, seed=4)
    keep = np.concatenate([np.nonzero(y == 1)[0][:10], np.nonzero(y == 0)[0][:40]])
    result = train(frame.iloc[keep], COLUMNS, y[keep], order_key=np.arange(len(keep)))
    probability = result.model.predict_proba(frame.iloc[keep])
    assert ((probability > 0) & (probability < 1)).all()
    assert result.metrics["calibration"]["method"] == "sigmoid"


def test_models_stored_before_fold_averaging_still_score_and_explain() -> None:
    """Stored versions hold a scikit-learn CalibratedClassifierCV and a separate explainer."""
    frame, y, _ = rare_outcome(1500, seed=6)
    prepared = prepare(frame, COLUMNS)
    pipeline = build("gradient_boosting", COLUMNS, n_rows=len(y))
    explainer = clone(pipeline).fit(prepared, y)
    legacy = TrainedModel(
        columns=COLUMNS,
        algorithm="gradient_boosting",
        calibrated=CalibratedClassifierCV(clone(pipeline), method="isotonic", cv=3).fit(prepared, y),
        explainer=explainer,
        feature_sources=source_column_of(list(explainer.named_steps["encode"].get_feature_names_out()), COLUMNS),
        output_unit="log-odds",
    )
    del legacy.__dict__["member_sources"]  # as unpickled from a version stored before the field existed
    probability = legacy.predict_proba(frame.iloc[:20])
    assert ((probability >= 0) & (probability <= 1)).all()
    base, per_column, raw = legacy.explain(frame.iloc[:20])
    np.testing.assert_allclose(base + np.array([sum(row.values()) for row in per_column]), raw, atol=1e-6)
    np.testing.assert_allclose(raw, explainer.decision_function(prepared.iloc[:20]), atol=1e-9)
    assert legacy.to_probability(0.0) == pytest.approx(0.5)
