"""The next-best-action playbook: rules over a customer's churn drivers and event signals.

Each rule looks at the scored customer (risk, band, drivers) and the feature values its risk was
computed from, and may recommend one action with a rationale quoting the actual numbers. The
rules, thresholds and the follow-up each creates are documented in docs/next_best_action.md.
Pure functions: no database, so the playbook is tested with plain values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lifecycle.churn.factors import HIGH_RISK, MEDIUM_RISK

RENEWAL_SOON_DAYS = 45
INACTIVE_DAYS = 21
USAGE_DROP = -0.30
USAGE_UP = 0.15
PLAN_UPGRADE_USAGE_UP = 0.50
LOW_RISK_OPPORTUNITY = 0.10
DETRACTOR_MAX = 6
NPS_RECENT_DAYS = 180
PLANS = ("Starter", "Team", "Business", "Enterprise")


@dataclass(frozen=True)
class Play:
    code: str
    name: str
    follow_up_kind: str  # a leads.FollowUpKind value
    due_in_days: int


@dataclass(frozen=True)
class Recommendation:
    code: str
    title: str
    rationale: str
    strength: float


PLAYS = {
    play.code: play
    for play in (
        Play("escalate_support", "Escalate to a success-manager call", "call", 1),
        Play("recover_payment", "Help fix the failed payment", "call", 1),
        Play("reengage_usage", "Book a re-onboarding session", "meeting", 3),
        Play("nps_detractor", "Close the loop with a detractor", "call", 2),
        Play("inactive_check_in", "Check in with an inactive customer", "email", 2),
        Play("secure_renewal", "Secure the renewal", "meeting", 3),
        Play("annual_upgrade", "Offer an annual upgrade", "call", 5),
        Play("plan_upgrade", "Offer a plan upgrade", "call", 7),
        Play("retention_call", "Retention call", "call", 2),
        Play("at_risk_review", "Review an at-risk account", "call", 2),
    )
}


def _num(values: dict[str, Any], name: str) -> float | None:
    value = values.get(name)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _plural(count: float, one: str, many: str) -> str:
    number = round(count)
    return f"{number} {one if number == 1 else many}"


ANNUAL_CONTRACTS = frozenset({"annual", "yearly", "one year", "two year"})


def days_to_renewal(values: dict[str, Any], *, now: datetime) -> int | None:
    """Days until the next anniversary of an annual contract (latest renewal, else first purchase).

    A contract is annual when the ``contract`` attribute says so or the customer has renewed before."""
    anniversary = values.get("anniversary")
    if anniversary is None or not isinstance(anniversary, datetime) or anniversary != anniversary:  # NaT
        return None
    contract = str(values.get("attr__contract") or "").strip().lower()
    if contract not in ANNUAL_CONTRACTS and not _num(values, "renewals_total"):
        return None
    moment = anniversary.to_pydatetime() if hasattr(anniversary, "to_pydatetime") else anniversary
    upcoming = moment + timedelta(days=365)
    while upcoming < now:
        upcoming += timedelta(days=365)
    return (upcoming - now).days


def _risk_weight(risk: float) -> float:
    return 0.5 + risk  # the same signal matters more on a customer likely to leave


def _escalate_support(ctx: dict[str, Any]) -> Recommendation | None:
    values = ctx["values"]
    urgent = _num(values, "urgent_tickets_30d") or 0
    tickets = _num(values, "tickets_30d") or 0
    if urgent < 1 and tickets < 3:
        return None
    what = _plural(urgent, "urgent ticket", "urgent tickets") if urgent else _plural(tickets, "ticket", "tickets")
    extra = f" ({_plural(tickets, 'ticket', 'tickets')} in all)" if urgent and tickets > urgent else ""
    return Recommendation(
        "escalate_support",
        "Escalate to a success-manager call",
        f"{what} in the last 30 days{extra} -> a senior call before frustration turns into cancellation.",
        min(1.0, (0.35 + 0.2 * urgent + 0.05 * tickets) * _risk_weight(ctx["risk"])),
    )


def _recover_payment(ctx: dict[str, Any]) -> Recommendation | None:
    failures = _num(ctx["values"], "payment_failures_60d") or 0
    if failures < 1:
        return None
    return Recommendation(
        "recover_payment",
        "Help fix the failed payment",
        f"{_plural(failures, 'failed payment', 'failed payments')} in the last 60 days -> call to update the "
        "payment method before the account lapses.",
        min(1.0, (0.4 + 0.15 * failures) * _risk_weight(ctx["risk"])),
    )


def _reengage_usage(ctx: dict[str, Any]) -> Recommendation | None:
    values = ctx["values"]
    trend = _num(values, "usage_trend")
    if trend is None or trend > USAGE_DROP:
        return None
    recent = (_num(values, "usage_28d") or 0) / 4
    before = (_num(values, "usage_prior_56d") or 0) / 8
    return Recommendation(
        "reengage_usage",
        "Book a re-onboarding session",
        f"Usage down {abs(trend):.0%} over the last 4 weeks ({recent:.1f} a week against {before:.1f} the 8 weeks "
        "before) -> show the features they stopped using.",
        min(1.0, (0.3 + 0.4 * abs(trend)) * _risk_weight(ctx["risk"])),
    )


def _nps_detractor(ctx: dict[str, Any]) -> Recommendation | None:
    values = ctx["values"]
    score, age = _num(values, "last_nps"), _num(values, "days_since_nps")
    if score is None or score > DETRACTOR_MAX or (age is not None and age > NPS_RECENT_DAYS):
        return None
    return Recommendation(
        "nps_detractor",
        "Close the loop with a detractor",
        f"NPS answer {score:.0f} out of 10, {_plural(age or 0, 'day', 'days')} ago -> call to hear what went "
        "wrong and agree on a fix.",
        min(1.0, (0.3 + 0.05 * (DETRACTOR_MAX - score)) * _risk_weight(ctx["risk"])),
    )


def _inactive(ctx: dict[str, Any]) -> Recommendation | None:
    days = _num(ctx["values"], "days_since_active")
    if days is None or days < INACTIVE_DAYS:
        return None
    when = "over a year" if days >= 400 else _plural(days, "day", "days")
    return Recommendation(
        "inactive_check_in",
        "Check in with an inactive customer",
        f"No login or usage for {when} -> a short check-in with a useful tip.",
        min(1.0, (0.25 + days / 200) * _risk_weight(ctx["risk"])),
    )


def _renewal(ctx: dict[str, Any]) -> Recommendation | None:
    days = ctx["renewal_in"]
    if days is None or days > RENEWAL_SOON_DAYS:
        return None
    risk, trend = ctx["risk"], _num(ctx["values"], "usage_trend")
    if risk >= MEDIUM_RISK:
        driver = ctx["factors"][0]["label"].lower() if ctx["factors"] else "a high churn risk"
        return Recommendation(
            "secure_renewal",
            "Secure the renewal",
            f"Renewal in {_plural(days, 'day', 'days')} with a {risk:.0%} churn risk (top driver: {driver}) -> "
            "review value and open issues before the date.",
            min(1.0, 0.5 + risk),
        )
    if trend is not None and trend >= USAGE_UP:
        return Recommendation(
            "annual_upgrade",
            "Offer an annual upgrade",
            f"Renewal in {_plural(days, 'day', 'days')}, usage up {trend:.0%} over the last 4 weeks -> offer the "
            "next plan on an annual term at renewal.",
            0.45 + min(0.3, trend / 2),
        )
    return None


def _plan_upgrade(ctx: dict[str, Any]) -> Recommendation | None:
    values = ctx["values"]
    trend = _num(values, "usage_trend")
    plan = str(values.get("plan_at") or values.get("plan") or "")
    if (
        trend is None
        or trend < PLAN_UPGRADE_USAGE_UP
        or ctx["risk"] >= LOW_RISK_OPPORTUNITY
        or ctx["renewal_in"] is not None
    ):
        return None
    if plan not in PLANS[:-1]:
        return None
    following = PLANS[PLANS.index(plan) + 1]
    usage = _num(values, "usage_28d") or 0
    return Recommendation(
        "plan_upgrade",
        f"Offer an upgrade to {following}",
        f"Usage up {trend:.0%} over the last 4 weeks ({usage:g} in 4 weeks) and a low {ctx['risk']:.0%} churn "
        f"risk -> propose {following}.",
        0.3 + min(0.3, trend / 3),
    )


def _retention_call(ctx: dict[str, Any]) -> Recommendation | None:
    if ctx["risk"] < HIGH_RISK:
        return None
    factors = [factor for factor in ctx["factors"] if factor["contribution"] > 0][:2]
    drivers = "; ".join(f"{factor['label']} ({factor['contribution']:+.2f})" for factor in factors)
    return Recommendation(
        "retention_call",
        "Retention call",
        f"{ctx['risk']:.0%} risk of churning in the next 90 days"
        + (f", driven by {drivers}" if drivers else "")
        + " -> call to understand and address it.",
        min(1.0, 0.2 + ctx["risk"]),
    )


RULES: list[Callable[[dict[str, Any]], Recommendation | None]] = [
    _escalate_support,
    _recover_payment,
    _reengage_usage,
    _nps_detractor,
    _inactive,
    _renewal,
    _plan_upgrade,
    _retention_call,
]


def recommend(
    *,
    risk: float,
    factors: list[dict[str, Any]],
    values: dict[str, Any],
    now: datetime,
    stage: str | None = None,
    stage_reason: str = "",
) -> list[Recommendation]:
    """The customer's recommendations, strongest first.

    Only customers at risk (a medium or high churn risk, or the at-risk lifecycle stage, which also
    reads failed payments, urgent tickets and inactivity) get retention plays; the others get only
    the opportunity plays (upgrades), so reps are not flooded with actions for healthy accounts.
    An at-risk customer always gets at least one action: when no play fits, a review of the account
    that quotes why the stage rules flagged it."""
    context = {
        "risk": risk,
        "factors": factors,
        "values": values,
        "renewal_in": days_to_renewal(values, now=now),
    }
    found = [rec for rule in RULES if (rec := rule(context)) is not None]
    at_risk_stage = stage == "at_risk"
    if risk < MEDIUM_RISK and not at_risk_stage:
        found = [rec for rec in found if rec.code in {"annual_upgrade", "plan_upgrade"}]
    if at_risk_stage and not any(rec.code not in {"annual_upgrade", "plan_upgrade"} for rec in found):
        reason = stage_reason.rstrip(".") or f"{risk:.0%} risk of churning"
        found.append(
            Recommendation(
                "at_risk_review",
                "Review an at-risk account",
                f"At risk: {reason} -> call to understand what is going on and agree on next steps.",
                min(1.0, 0.3 + risk),
            )
        )
    return sorted(found, key=lambda rec: -rec.strength)
