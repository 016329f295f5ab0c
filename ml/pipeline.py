"""Feature encoding and the candidate models, as scikit-learn pipelines."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from ml.schema import BOOLEAN, CATEGORY, NUMBER, Column, to_boolean, to_category, to_number

CANDIDATES = ("logistic_regression", "random_forest", "gradient_boosting")


def prepare(frame: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
    """Typed model input: floats for numbers and yes/no, strings (or NaN) for categories."""
    prepared = {}
    for column in columns:
        values = frame[column.name] if column.name in frame else pd.Series([np.nan] * len(frame), index=frame.index)
        if column.type == NUMBER:
            prepared[column.name] = to_number(values)
        elif column.type == BOOLEAN:
            prepared[column.name] = to_boolean(values)
        else:
            prepared[column.name] = to_category(values).astype(object)
    return pd.DataFrame(prepared, index=frame.index)


def _to_object(values: object) -> object:
    return np.asarray(values, dtype=object)


def encoder(columns: list[Column], *, n_rows: int, scale: bool) -> ColumnTransformer:
    numeric = [c.name for c in columns if c.type in {NUMBER, BOOLEAN}]
    categorical = [c.name for c in columns if c.type == CATEGORY]
    numeric_steps: list = [("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True))]
    if scale:
        numeric_steps.append(("scale", StandardScaler()))
    min_frequency = max(5, int(0.002 * n_rows))
    return ColumnTransformer(
        [
            ("num", Pipeline(numeric_steps), numeric),
            (
                "cat",
                Pipeline(
                    [
                        ("as_object", FunctionTransformer(_to_object, feature_names_out="one-to-one")),
                        (
                            "impute",
                            SimpleImputer(strategy="constant", fill_value="<missing>", keep_empty_features=True),
                        ),
                        (
                            "onehot",
                            OneHotEncoder(
                                handle_unknown="infrequent_if_exist", min_frequency=min_frequency, sparse_output=False
                            ),
                        ),
                    ]
                ),
                categorical,
            ),
        ],
        remainder="drop",
        verbose_feature_names_out=True,
    )


def build(name: str, columns: list[Column], *, n_rows: int, seed: int = 0) -> Pipeline:
    if name == "logistic_regression":
        model = LogisticRegression(C=0.5, max_iter=2000)
        return Pipeline([("encode", encoder(columns, n_rows=n_rows, scale=True)), ("model", model)])
    if name == "random_forest":
        model = RandomForestClassifier(
            n_estimators=200, min_samples_leaf=10, max_features="sqrt", n_jobs=2, random_state=seed
        )
    elif name == "gradient_boosting":
        model = GradientBoostingClassifier(
            n_estimators=300,
            learning_rate=0.08,
            max_depth=3,
            min_samples_leaf=20,
            subsample=0.8,
            # Stop adding trees once a held-out tenth stops improving: small tenants get small models.
            n_iter_no_change=15,
            validation_fraction=0.1,
            random_state=seed,
        )
    else:
        raise ValueError(f"Unknown candidate {name!r}")
    return Pipeline([("encode", encoder(columns, n_rows=n_rows, scale=False)), ("model", model)])


def source_column_of(feature_names: list[str], columns: list[Column]) -> list[str]:
    """For each encoded feature, the input column it comes from (one-hot groups and indicators)."""
    names = sorted((c.name for c in columns), key=len, reverse=True)
    result = []
    for feature in feature_names:
        bare = feature.split("__", 1)[1]
        bare = bare.removeprefix("missingindicator_")
        result.append(next((name for name in names if bare == name or bare.startswith(name + "_")), bare))
    return result
