"""Column types for modelling, decided from the data when the caller does not know them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

NUMBER, CATEGORY, BOOLEAN, TEXT = "number", "category", "boolean", "text"
MISSING_TOKENS = frozenset({"", "select", "na", "n/a", "nan", "null", "none", "-", "--", "?", "undefined"})
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


def clean_missing(series: pd.Series) -> pd.Series:
    """Placeholder strings ('Select', 'N/A', '') become NaN."""
    if pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype):
        lowered = series.astype(str).str.strip().str.lower()
        return series.mask(series.isna() | lowered.isin(MISSING_TOKENS))
    return series


def infer_type(series: pd.Series) -> str:
    values = clean_missing(series).dropna()
    if values.empty:
        return TEXT
    if values.map(lambda v: isinstance(v, bool | np.bool_)).all():
        return BOOLEAN
    as_text = values.astype(str).str.strip().str.lower()
    if as_text.isin(_TRUE | _FALSE).all():
        return BOOLEAN
    if pd.to_numeric(values, errors="coerce").notna().all():
        return NUMBER
    if values.nunique() <= 60:
        return CATEGORY
    return TEXT


def to_number(series: pd.Series) -> pd.Series:
    return pd.to_numeric(clean_missing(series), errors="coerce").astype(float)


def to_boolean(series: pd.Series) -> pd.Series:
    """1.0 / 0.0 / NaN."""

    def convert(value: object) -> float:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return np.nan
        if isinstance(value, bool | np.bool_):
            return float(value)
        text = str(value).strip().lower()
        return 1.0 if text in _TRUE else 0.0 if text in _FALSE else np.nan

    return clean_missing(series).map(convert).astype(float)


def to_category(series: pd.Series) -> pd.Series:
    cleaned = clean_missing(series)
    return cleaned.where(cleaned.isna(), cleaned.astype(str).str.strip())
