"""Risk bands and the drivers of a customer's risk in plain words.

Bands (documented in docs/churn.md): high from 40 % risk of churning within the horizon, medium
from 20 %, low below. The model's additive contributions (log-odds or probability, see
ml/explain.py) are turned into shares of the risk in probability points, so a driver reads
"3 urgent tickets in the last 60 days: +0.12" and the drivers of a customer add up to the
distance between its risk and the average customer's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

HIGH_RISK = 0.40
MEDIUM_RISK = 0.20
BANDS = ("high", "medium", "low")
TOP_FACTORS = 5
MIN_FACTOR = 0.005  # drivers below half a point are noise on the page


def band_for(risk: float) -> str:
    return "high" if risk >= HIGH_RISK else "medium" if risk >= MEDIUM_RISK else "low"


def bands_for(risks: np.ndarray) -> np.ndarray:
    return np.select([risks >= HIGH_RISK, risks >= MEDIUM_RISK], ["high", "medium"], "low")


def _count(value: float, one: str, many: str) -> str:
    number = round(value)
    return f"{number} {one if number == 1 else many}"


def _days(value: float) -> str:
    return _count(value, "day", "days")


# How each event feature reads for a value: a function of the value, or None for the generic form.
_PHRASES: dict[str, Any] = {
    "tenure_days": lambda v: f"Customer for {_days(v)}",
    "plan_at": lambda v: f"On the {v} plan",
    "days_since_active": lambda v: "No login or usage in over a year" if v >= 400 else f"Last active {_days(v)} ago",
    "logins_30d": lambda v: f"{_count(v, 'login', 'logins')} in the last 30 days",
    "usage_28d": lambda v: f"Usage of {v:g} in the last 4 weeks",
    "usage_trend": lambda v: f"Usage {'up' if v >= 0 else 'down'} {abs(v):.0%} over the last 4 weeks",
    "purchases_90d": lambda v: f"{_count(v, 'purchase', 'purchases')} in the last 90 days",
    "spend_365d": lambda v: f"Spent {v:,.0f} in the last year",
    "payment_failures_60d": lambda v: f"{_count(v, 'failed payment', 'failed payments')} in the last 60 days",
    "payment_failures_365d": lambda v: f"{_count(v, 'failed payment', 'failed payments')} in the last year",
    "tickets_30d": lambda v: f"{_count(v, 'support ticket', 'support tickets')} in the last 30 days",
    "tickets_90d": lambda v: f"{_count(v, 'support ticket', 'support tickets')} in the last 90 days",
    "urgent_tickets_60d": lambda v: f"{_count(v, 'urgent ticket', 'urgent tickets')} in the last 60 days",
    "high_tickets_60d": lambda v: f"{_count(v, 'high-severity ticket', 'high-severity tickets')} in the last 60 days",
    "last_nps": lambda v: f"Latest NPS answer {v:.0f}",
    "days_since_nps": lambda v: f"Latest NPS answer {_days(v)} ago",
    "renewals_90d": lambda v: "Renewed in the last 90 days" if v >= 1 else "No renewal in the last 90 days",
    "upgrades_120d": lambda v: f"{_count(v, 'upgrade', 'upgrades')} in the last 120 days",
    "downgrades_120d": lambda v: f"{_count(v, 'downgrade', 'downgrades')} in the last 120 days",
    "reactivations": lambda v: "Came back after cancelling before" if v >= 1 else "Never cancelled before",
}
_MISSING = {
    "last_nps": "No NPS answer yet",
    "days_since_nps": "No NPS answer yet",
    "usage_trend": "No earlier usage to compare with",
}


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def describe(column: str, value: Any, label: str) -> str:
    """The driver in plain words: '3 urgent tickets in the last 60 days', 'Contract: Month-to-month'."""
    if _is_missing(value):
        return _MISSING.get(column, f"{label}: not given")
    phrase = _PHRASES.get(column)
    if phrase is not None:
        try:
            return phrase(value)
        except (TypeError, ValueError):
            pass
    if isinstance(value, bool | np.bool_):
        return f"{label}: {'yes' if value else 'no'}"
    if isinstance(value, float | np.floating):
        number = float(value)
        return f"{label}: {number:.0f}" if abs(number) >= 10 or number.is_integer() else f"{label}: {number:.2f}"
    return f"{label}: {value}"


def drivers(
    *,
    risk: float,
    base_probability: float,
    contributions: dict[str, float],
    values: dict[str, Any],
    labels: dict[str, str],
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The drivers of one customer's risk, strongest first, in probability points.

    The distance between the risk and the average customer's is split in proportion to the
    model's contributions; when they nearly cancel out, the local slope p(1-p) converts log-odds.
    """
    total = sum(contributions.values())
    scale = (risk - base_probability) / total if abs(total) >= 0.05 else risk * (1 - risk)
    result = []
    for column, contribution in contributions.items():
        share = scale * contribution
        if abs(share) < MIN_FACTOR:
            continue
        label = labels.get(column, column)
        text = describe(column, values.get(column), label)
        result.append(
            {
                "column": column,
                "label": text,
                "value": _plain(values.get(column)),
                "contribution": round(float(share), 3),
                "text": f"{text}: {share:+.2f}",
            }
        )
    result.sort(key=lambda factor: -abs(factor["contribution"]))
    return result[:limit] if limit else result


def _plain(value: Any) -> Any:
    """A JSON-ready value."""
    if _is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float | int | str | bool):
        return value
    return str(value)
