"""Point rules: defaults every tenant starts with, and how a lead matches them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leads.models import RuleOperator, ScoringRule

DEFAULT_RULES = [
    {"field": "referred", "operator": RuleOperator.IS_TRUE, "value": "", "points": 15, "label": "Referred lead"},
    {
        "field": "source",
        "operator": RuleOperator.EQUALS,
        "value": "referral",
        "points": 10,
        "label": "Came from a referral",
    },
    {"field": "email", "operator": RuleOperator.NOT_EMPTY, "value": "", "points": 5, "label": "E-mail known"},
    {"field": "phone", "operator": RuleOperator.NOT_EMPTY, "value": "", "points": 5, "label": "Phone known"},
    {"field": "meetings_total", "operator": RuleOperator.GREATER, "value": "0", "points": 15, "label": "Had a meeting"},
    {
        "field": "activity",
        "operator": RuleOperator.NO_ACTIVITY_DAYS,
        "value": "30",
        "points": -10,
        "label": "No activity in 30 days",
    },
]


def rules_ensure_defaults() -> None:
    if not ScoringRule.objects.exists():
        ScoringRule.objects.bulk_create(
            [ScoringRule(position=index, **rule) for index, rule in enumerate(DEFAULT_RULES)]
        )


@dataclass(frozen=True)
class RuleHit:
    label: str
    points: int


_TRUE_WORDS = ["1", "true", "yes"]


def _column(frame: pd.DataFrame, field: str) -> pd.Series:
    """The values a rule reads: a lead field, an engagement figure, or a custom attribute."""
    for name in (field, f"attr__{field}"):
        if name in frame.columns:
            return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _missing(values: pd.Series) -> np.ndarray:
    """None, NaN, or text that is only blanks."""
    missing = values.isna().to_numpy(copy=True)
    if values.dtype == object:
        blank = values.map(lambda value: isinstance(value, str) and not value.strip(), na_action="ignore")
        missing |= blank.fillna(False).to_numpy(dtype=bool)
    return missing


def _text(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().str.lower()


def rule_mask(rule: ScoringRule, frame: pd.DataFrame) -> np.ndarray:
    """Which rows of ``frame`` (one per lead) the rule matches, as a boolean array."""
    if rule.operator == RuleOperator.NO_ACTIVITY_DAYS:
        days = pd.to_numeric(_column(frame, "days_since_activity"), errors="coerce").to_numpy(dtype=float)
        limit = float(rule.value or 30)
        return np.isnan(days) | (np.nan_to_num(days, nan=0.0) > limit)
    values = _column(frame, rule.field)
    missing = _missing(values)
    if rule.operator == RuleOperator.IS_EMPTY:
        return missing
    if rule.operator == RuleOperator.NOT_EMPTY:
        return ~missing
    present = ~missing
    if not present.any():
        return present
    if rule.operator == RuleOperator.IS_TRUE:
        return present & _text(values).isin(_TRUE_WORDS).to_numpy()
    if rule.operator in {RuleOperator.GREATER, RuleOperator.LESS}:
        try:
            limit = float(rule.value)
        except (TypeError, ValueError):
            return np.zeros(len(frame), dtype=bool)
        numbers = pd.to_numeric(values.map(_as_number, na_action="ignore"), errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            compared = numbers > limit if rule.operator == RuleOperator.GREATER else numbers < limit
        return present & compared
    text, expected = _text(values), rule.value.strip().lower()
    if rule.operator == RuleOperator.EQUALS:
        return present & (text == expected).to_numpy()
    if rule.operator == RuleOperator.NOT_EQUALS:
        return present & (text != expected).to_numpy()
    if rule.operator == RuleOperator.CONTAINS:
        return present & text.str.contains(expected, regex=False).to_numpy(dtype=bool)
    return np.zeros(len(frame), dtype=bool)


def _as_number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return np.nan


@dataclass
class RuleMatches:
    """Every active rule's matches over a frame: points per lead, and each lead's hits on demand."""

    rules: list[ScoringRule]
    masks: np.ndarray  # rules x leads

    @property
    def points(self) -> np.ndarray:
        weights = np.array([rule.points for rule in self.rules], dtype=int)
        return weights @ self.masks.astype(int) if self.rules else np.zeros(self.masks.shape[1], dtype=int)

    def hits(self, row: int) -> list[RuleHit]:
        pairs = zip(self.rules, self.masks, strict=True)
        return [RuleHit(rule.label, rule.points) for rule, mask in pairs if mask[row]]


def rules_match(rules: list[ScoringRule], frame: pd.DataFrame) -> RuleMatches:
    active = [rule for rule in rules if rule.is_active]
    masks = np.array([rule_mask(rule, frame) for rule in active], dtype=bool).reshape(len(active), len(frame))
    return RuleMatches(rules=active, masks=masks)
