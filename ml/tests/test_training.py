"""ml/ on synthetic data with known structure: selection, calibration, leakage, explanations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.leakage import find_leaks
from ml.schema import BOOLEAN, CATEGORY, NUMBER, TEXT, Column, infer_type
from ml.training import NotEnoughData, split_recent, train

COLUMNS = [
    Column("visits", NUMBER),
    Column("source", CATEGORY),
    Column("referred", BOOLEAN),
    Column("noise", NUMBER),
]


def synthetic(n: int = 1200, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    visits = rng.poisson(4, n).astype(float)
    source = rng.choice(["web", "referral", "event", "Select"], n)
    referred = rng.choice(["yes", "no"], n)
    logit = -3 + 0.6 * visits + 1.2 * (source == "referral") + 0.8 * (referred == "yes")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    visits[rng.random(n) < 0.1] = np.nan
    frame = pd.DataFrame({"visits": visits, "source": source, "referred": referred, "noise": rng.normal(size=n)})
    return frame, y


@pytest.mark.parametrize("algorithm", ["logistic_regression", "random_forest", "gradient_boosting"])
def test_contributions_add_up_to_the_model_output(algorithm: str) -> None:
    # 2000 rows: with fewer, boosted trees fitted on two thirds of them chase the noise column.
    frame, y = synthetic(2000)
    result = train(frame, COLUMNS, y, order_key=np.arange(len(y)), candidates=(algorithm,))
    base, per_column, raw = result.model.explain(frame.iloc[:50])
    totals = base + np.array([sum(row.values()) for row in per_column])
    np.testing.assert_allclose(totals, raw, atol=1e-6)
    # The raw output explained is the one the served probability is an increasing function of.
    prepared = result.model.prepare(frame.iloc[:50])
    np.testing.assert_allclose(raw, result.model.calibrated.raw_output(prepared), atol=1e-9)
    probability = result.model.predict_proba(frame.iloc[:50])
    order = np.argsort(raw)
    assert (np.diff(probability[order]) >= 0).all()
    assert set(per_column[0]) <= {column.name for column in COLUMNS}
    # The strongest real driver outranks pure noise.
    ranking = [entry["column"] for entry in result.feature_importance]
    assert ranking.index("visits") < ranking.index("noise")


def test_selection_calibration_and_metrics() -> None:
    frame, y = synthetic(2000)
    result = train(frame, COLUMNS, y, order_key=np.arange(len(y)))
    assert sum(entry["selected"] for entry in result.candidates) == 1
    assert result.model.algorithm == next(e["algorithm"] for e in result.candidates if e["selected"])
    assert result.metrics["auc"] > 0.7
    assert result.metrics["validation"] == "most recent leads"
    assert 0 < result.metrics["brier"] < 0.25
    assert len(result.metrics["lift_by_decile"]) == 10
    assert result.metrics["lift_by_decile"][0]["lift"] > 1.3
    probabilities = result.model.predict_proba(frame)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    # Calibrated: the mean prediction tracks the observed rate.
    assert abs(probabilities.mean() - y.mean()) < 0.03


def test_leakage_guard_flags_outcome_copies_identifiers_sales_fields_and_names() -> None:
    frame, y = synthetic()
    rng = np.random.default_rng(3)
    frame["deal_outcome_note"] = np.where(y == 1, "Will enrol", "Not interested")  # copy of the target
    frame["crm_ref"] = [f"R{i}" for i in range(len(y))]  # identifier
    # Filled for most won leads and few others, with the same value: the gap, not the value, tells.
    filled = np.where(y == 1, rng.random(len(y)) < 0.6, rng.random(len(y)) < 0.1)
    frame["rep_rating"] = np.where(filled, "Checked", None)
    frame["lead_quality"] = rng.choice(["A", "B", "C"], len(y))  # a sales assessment, by name
    columns = [
        *COLUMNS,
        *(
            Column(name, infer_type(frame[name]))
            for name in ("deal_outcome_note", "crm_ref", "rep_rating", "lead_quality")
        ),
    ]
    findings = {finding.column: finding.kind for finding in find_leaks(frame, columns, y)}
    assert findings == {
        "deal_outcome_note": "predictive",
        "crm_ref": "identifier",
        "rep_rating": "presence",
        "lead_quality": "name",
    }

    kept = train(frame, columns, y, order_key=np.arange(len(y)), keep_columns=frozenset({"lead_quality"}))
    assert {f.column for f in kept.excluded} == {"deal_outcome_note", "crm_ref", "rep_rating"}
    assert [f.column for f in kept.overridden] == ["lead_quality"]
    assert "lead_quality" in {column.name for column in kept.model.columns}


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (np.array([0, 1] * 20), "at least 50 closed leads"),
        (np.array([1] * 5 + [0] * 60), "at least 10 converted and 10 lost"),
    ],
)
def test_too_little_history_is_refused_with_a_reason(y: np.ndarray, message: str) -> None:
    frame = pd.DataFrame({"visits": np.arange(len(y), dtype=float)})
    with pytest.raises(NotEnoughData, match=message):
        train(frame, [Column("visits", NUMBER)], y, order_key=np.arange(len(y)))


def test_validation_uses_the_most_recent_rows() -> None:
    y = np.array([0, 1] * 50)
    order_key = np.arange(100)[::-1]  # row 0 is the newest
    train_idx, holdout_idx = split_recent(order_key, y, seed=0)
    assert set(holdout_idx) == set(range(20))
    assert len(train_idx) == 80


def test_type_inference() -> None:
    assert infer_type(pd.Series(["1", "2.5", "Select", ""])) == NUMBER
    assert infer_type(pd.Series(["Yes", "no", "NA"])) == BOOLEAN
    assert infer_type(pd.Series(["web", "event", "web"])) == CATEGORY
    assert infer_type(pd.Series([f"free text {i}" for i in range(100)])) == TEXT
