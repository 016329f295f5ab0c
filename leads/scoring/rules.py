"""Point rules: defaults every tenant starts with, and how a lead matches them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


def _value(row: dict, field: str) -> object:
    if field in row:
        return row[field]
    return row.get(f"attr__{field}")


def _missing(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def rule_matches(rule: ScoringRule, row: dict) -> bool:
    if rule.operator == RuleOperator.NO_ACTIVITY_DAYS:
        days = row.get("days_since_activity")
        limit = float(rule.value or 30)
        return _missing(days) or float(days) > limit
    value = _value(row, rule.field)
    if rule.operator == RuleOperator.IS_EMPTY:
        return _missing(value)
    if rule.operator == RuleOperator.NOT_EMPTY:
        return not _missing(value)
    if _missing(value):
        return False
    if rule.operator == RuleOperator.IS_TRUE:
        return value is True or str(value).strip().lower() in {"1", "true", "yes"}
    if rule.operator in {RuleOperator.GREATER, RuleOperator.LESS}:
        try:
            number, limit = float(value), float(rule.value)
        except (TypeError, ValueError):
            return False
        return number > limit if rule.operator == RuleOperator.GREATER else number < limit
    text, expected = str(value).strip().lower(), rule.value.strip().lower()
    if rule.operator == RuleOperator.EQUALS:
        return text == expected
    if rule.operator == RuleOperator.NOT_EQUALS:
        return text != expected
    if rule.operator == RuleOperator.CONTAINS:
        return expected in text
    return False


def rules_apply(rules: list[ScoringRule], row: dict) -> list[RuleHit]:
    return [RuleHit(rule.label, rule.points) for rule in rules if rule.is_active and rule_matches(rule, row)]
