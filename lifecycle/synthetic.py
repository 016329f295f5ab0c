"""Synthetic customer journeys: realistic lifecycle events whose churn depends on the history.

Used by ``manage.py generate_lifecycle`` and the demo workspace; documented in
docs/lifecycle_generator.md. Everything is drawn from one ``random.Random(seed)`` in a fixed order,
so the same seed and the same ``now`` give identical rows.

Each customer has two hidden traits: *fit* (how well the product suits them; constant) and
*engagement* (a weekly random walk that drifts with fit). Week by week the simulation emits usage
(sessions, Poisson in engagement), logins (gamma gaps), invoices (purchases; some fail), support
tickets (rate and severity rise with poor fit and low engagement), NPS answers (every ~quarter,
from engagement and fit), feedback, plan upgrades and downgrades, renewals of annual contracts,
and decides churn from a hazard that rises with recent urgent/high tickets, payment failures,
falling usage and a low NPS, and falls with recent renewals, upgrades and a high NPS. A churned
customer may come back (reactivation).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm_saas.attributes import AttributeType
from lifecycle.models import Customer, CustomerField, CustomerStatus, EventKind, LifecycleEvent, Severity
from tenants.accounts.models import User

FIRST = ["Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kara", "Liam", "Maya"]
FIRST += ["Noah", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Yara", "Zoe"]
LAST = ["Adams", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Khan"]
LAST += ["Lopez", "Moreau", "Novak", "Okafor", "Patel", "Rossi", "Schmidt", "Tanaka", "Varga", "Weber", "Young"]
COMPANY_A = ["Nimbus", "Atlas", "Copper", "Harbor", "Lumen", "Orbit", "Pioneer", "Quartz", "Summit", "Vertex", "Birch"]
COMPANY_B = ["Logistics", "Health", "Retail", "Labs", "Finance", "Foods", "Energy", "Media", "Systems", "Travel"]
FEEDBACK = [
    "Loves the reporting",
    "Asked for an API for invoices",
    "Finds the setup confusing",
    "Wants single sign-on",
    "Export is too slow",
    "Great onboarding call",
]
CHURN_REASONS = {
    "support": "Too many unresolved problems",
    "payment": "Payment could not be collected",
    "usage": "Not using it enough",
    "nps": "Unhappy with the product",
    "other": "Moved to a competitor",
}


@dataclass(frozen=True)
class Plan:
    name: str
    price: int  # per month
    weight: float  # share of new customers
    tickets: float  # support load factor (bigger plans, more users, more tickets)


@dataclass(frozen=True)
class GeneratorParams:
    """The process's knobs; see docs/lifecycle_generator.md."""

    days: int = 730  # history length
    plans: tuple[Plan, ...] = (
        Plan("Starter", 29, 0.45, 0.7),
        Plan("Team", 99, 0.33, 1.0),
        Plan("Business", 299, 0.16, 1.4),
        Plan("Enterprise", 999, 0.06, 2.0),
    )
    # Sign-ups per calendar month, relative (January and September busy, August and December quiet).
    signup_season: tuple[float, ...] = (1.35, 1.15, 1.05, 1.0, 0.95, 0.85, 0.75, 0.6, 1.3, 1.15, 1.0, 0.7)
    annual_share: float = 0.35  # contracts paid yearly (renewal each year, 15% discount)
    engagement_step: float = 0.12  # weekly random-walk step of engagement
    fit_drift: float = 0.02  # weekly engagement drift per unit of fit
    sessions_base: float = 1.7  # log mean weekly sessions at zero engagement
    sessions_slope: float = 0.55
    login_gap_days: float = 7.0  # mean gap between logins at zero engagement (gamma, shape 1.5)
    ticket_rate: float = 0.09  # tickets per week at zero engagement and fit, before the plan factor
    severity_weights: tuple[float, ...] = (0.45, 0.33, 0.15, 0.07)  # low, medium, high, urgent
    payment_failure: float = 0.03  # per invoice, more for low engagement and on Starter
    nps_gap_days: float = 90.0
    nps_response: float = 0.6
    upgrade_rate: float = 0.006  # per week, times exp(0.8 engagement)
    downgrade_rate: float = 0.004  # per week, times exp(-0.8 engagement)
    # Weekly churn hazard = base * exp(sum of effects); effects are per event in the window.
    churn_base: float = 0.0022
    effect_urgent_60d: float = 0.9
    effect_high_60d: float = 0.35
    effect_payment_failure_60d: float = 0.75
    effect_usage_drop: float = 1.6  # times the relative drop of the last 4 weeks' usage vs the 8 before
    effect_low_nps: float = 0.9  # last NPS 0-6
    effect_high_nps: float = -0.5  # last NPS 9-10
    effect_renewal_90d: float = -0.7
    effect_upgrade_120d: float = -0.5
    effect_downgrade_120d: float = 0.5
    annual_lock_in: float = 0.5  # hazard multiplier while on an annual contract
    reactivation_rate: float = 0.004  # per week after churn


@dataclass
class _Journey:
    customer: Customer
    start: float  # day of sign-up (days since the history began)
    plan: int
    annual: bool
    fit: float
    engagement: float
    events: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)
    churned_at: float | None = None


def _signup_day(rng: random.Random, params: GeneratorParams, origin: datetime) -> float:
    top = max(params.signup_season)
    while True:
        day = rng.uniform(0, params.days - 3)
        month = (origin + timedelta(days=day)).month
        if rng.random() < params.signup_season[month - 1] / top:
            return day


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _simulate(rng: random.Random, params: GeneratorParams, journey: _Journey, *, end: float, new: bool) -> None:
    plans = params.plans
    add = journey.events.append
    day = journey.start
    if new:
        add((day, EventKind.SIGNUP, {"plan": plans[journey.plan].name}))
    first_purchase = day + rng.expovariate(1 / 4.0)  # a trial of a few days
    next_invoice = first_purchase
    next_renewal = first_purchase + 365 if journey.annual else None
    next_login = day + rng.gammavariate(1.5, params.login_gap_days / 1.5)
    next_nps = day + rng.gammavariate(4.0, params.nps_gap_days / 4.0)
    usage: list[float] = []
    history: dict[str, list[float]] = {"urgent": [], "high": [], "payment": [], "renewal": [], "up": [], "down": []}
    last_nps: int | None = None
    purchased = False
    churned = False
    week = day
    while week < end:
        week_end = min(week + 7, end)
        e = journey.engagement
        if not churned:
            # invoices and renewals
            while next_invoice < week_end:
                price = plans[journey.plan].price
                amount = Decimal(price * 12 * 0.85 if journey.annual else price).quantize(Decimal("0.01"))
                fail = params.payment_failure * (1.8 if journey.plan == 0 else 1.0) * math.exp(-0.6 * e)
                if rng.random() < fail:
                    add((next_invoice, EventKind.PAYMENT_FAILED, {"amount": amount}))
                    history["payment"].append(next_invoice)
                    if rng.random() < 0.75:  # collected on a retry
                        add((next_invoice + rng.uniform(1, 5), EventKind.PURCHASE, {"amount": amount}))
                else:
                    kind = EventKind.PURCHASE if purchased else EventKind.FIRST_PURCHASE
                    add((next_invoice, kind, {"amount": amount}))
                    purchased = True
                next_invoice += 365 if journey.annual else 30.4
            if next_renewal is not None and next_renewal < week_end:
                add((next_renewal, EventKind.RENEWAL, {"plan": plans[journey.plan].name}))
                history["renewal"].append(next_renewal)
                next_renewal += 365
            # usage and logins
            sessions = _poisson(rng, math.exp(params.sessions_base + params.sessions_slope * e))
            usage.append(sessions)
            if sessions:
                add((week + rng.uniform(5, 7) if week + 7 <= end else week, EventKind.USAGE, {"quantity": sessions}))
            gap_mean = params.login_gap_days * math.exp(-0.5 * e)
            while next_login < week_end:
                add((next_login, EventKind.LOGIN, {}))
                next_login += rng.gammavariate(1.5, gap_mean / 1.5)
            # support tickets
            rate = params.ticket_rate * plans[journey.plan].tickets * math.exp(-0.45 * journey.fit - 0.25 * e)
            for _ in range(_poisson(rng, rate)):
                opened = week + rng.uniform(0, week_end - week)
                shift = max(0.0, -journey.fit) * 0.6
                weights = [w * math.exp(shift * i) for i, w in enumerate(params.severity_weights)]
                severity = rng.choices(list(Severity.values), weights=weights)[0]
                add((opened, EventKind.TICKET_OPENED, {"severity": severity}))
                hours = rng.gammavariate(2.0, {"urgent": 4, "high": 10, "medium": 20, "low": 36}[severity])
                add((opened + hours / 24, EventKind.TICKET_CLOSED, {"severity": severity}))
                if severity in ("urgent", "high"):
                    history["urgent" if severity == "urgent" else "high"].append(opened)
            # NPS and feedback
            if next_nps < week_end:
                if rng.random() < params.nps_response:
                    raw = 7.2 + 1.4 * e + 1.0 * journey.fit + rng.gauss(0, 1.3)
                    last_nps = max(0, min(10, round(raw)))
                    add((next_nps, EventKind.NPS, {"score": last_nps}))
                next_nps += rng.gammavariate(4.0, params.nps_gap_days / 4.0)
            if rng.random() < 0.012:
                add((week + rng.uniform(0, 7), EventKind.FEEDBACK, {"note": rng.choice(FEEDBACK)}))
            # plan changes
            if journey.plan < len(plans) - 1 and rng.random() < params.upgrade_rate * math.exp(0.8 * e):
                add((week + rng.uniform(0, 7), EventKind.PLAN_UPGRADE, _plan_change(plans, journey, +1)))
                history["up"].append(week)
            elif journey.plan > 0 and rng.random() < params.downgrade_rate * math.exp(-0.8 * e):
                add((week + rng.uniform(0, 7), EventKind.PLAN_DOWNGRADE, _plan_change(plans, journey, -1)))
                history["down"].append(week)
            # churn
            effects, reason = _churn_effects(params, history, usage, last_nps, now=week_end)
            hazard = params.churn_base * math.exp(effects) * (params.annual_lock_in if journey.annual else 1.0)
            if week > journey.start + 14 and rng.random() < 1 - math.exp(-hazard):
                at = week + rng.uniform(0, week_end - week)
                add((at, EventKind.CANCELLATION, {"note": CHURN_REASONS[reason], "metadata": {"reason": reason}}))
                churned, journey.churned_at = True, at
        elif rng.random() < params.reactivation_rate:
            at = week + rng.uniform(0, week_end - week)
            add((at, EventKind.REACTIVATION, {}))
            churned, journey.churned_at = False, None
            journey.engagement = max(journey.engagement, 0.0) + 0.5
            next_invoice, next_login, next_nps = at + 1, at + 1, at + 30
            next_renewal = at + 365 if journey.annual else None
            usage.clear()
        journey.engagement += params.fit_drift * journey.fit + rng.gauss(0, params.engagement_step)
        week = week_end


def _plan_change(plans: Sequence[Plan], journey: _Journey, step: int) -> dict[str, Any]:
    before = plans[journey.plan]
    journey.plan += step
    after = plans[journey.plan]
    return {"amount": Decimal(after.price), "metadata": {"from": before.name, "to": after.name, "plan": after.name}}


def _churn_effects(
    params: GeneratorParams, history: dict[str, list[float]], usage: list[float], last_nps: int | None, *, now: float
) -> tuple[float, str]:
    def recent(name: str, days: int) -> int:
        return sum(1 for at in history[name] if now - days <= at <= now)

    parts = {
        "support": params.effect_urgent_60d * recent("urgent", 60) + params.effect_high_60d * recent("high", 60),
        "payment": params.effect_payment_failure_60d * recent("payment", 60),
        "usage": 0.0,
        "nps": 0.0,
        "other": 0.0,
    }
    if len(usage) >= 12:
        before = sum(usage[-12:-4]) / 8
        last = sum(usage[-4:]) / 4
        if before > 0:
            parts["usage"] = params.effect_usage_drop * max(0.0, 1 - last / before)
    if last_nps is not None:
        parts["nps"] = params.effect_low_nps if last_nps <= 6 else (params.effect_high_nps if last_nps >= 9 else 0.0)
    parts["other"] = (
        params.effect_renewal_90d * recent("renewal", 90)
        + params.effect_upgrade_120d * recent("up", 120)
        + params.effect_downgrade_120d * recent("down", 120)
    )
    reason = max(("support", "payment", "usage", "nps"), key=lambda name: parts[name])
    return sum(parts.values()), reason if parts[reason] > 0.3 else "other"


def _event(journey: _Journey, origin: datetime, at: float, kind: str, values: dict[str, Any]) -> LifecycleEvent:
    return LifecycleEvent(
        customer=journey.customer,
        kind=kind,
        occurred_at=origin + timedelta(days=at),
        amount=values.get("amount"),
        severity=values.get("severity"),
        score=values.get("score"),
        quantity=values.get("quantity"),
        note=values.get("note", ""),
        metadata={
            **values.get("metadata", {}),
            **({"plan": values["plan"]} if "plan" in values else {}),
        },
    )


@transaction.atomic
def lifecycle_generate(
    *,
    customers: int,
    seed: int,
    owners: Sequence[User],
    existing: Sequence[Customer] = (),
    now: datetime | None = None,
    params: GeneratorParams | None = None,
) -> dict[str, Any]:
    """Create ``customers`` new customers with journeys, and journeys for ``existing`` customers
    (e.g. converted leads, which already have their sign-up event) from their sign-up date.

    Returns counts and timings. Same seed, owners, existing customers and ``now`` -> identical rows.
    """
    started = time.perf_counter()
    params = params or GeneratorParams()
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    now = now or timezone.now()
    origin = now - timedelta(days=params.days)
    plan_weights = [plan.weight for plan in params.plans]
    owners = list(owners)
    journeys: list[_Journey] = []
    for customer in sorted(existing, key=lambda c: c.pk):
        start = max(0.0, (customer.signed_up_at - origin).total_seconds() / 86400)
        journeys.append(_new_journey(rng, params, customer, start, plan_weights))
    created: list[Customer] = []
    for index in range(customers):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}"
        customer = Customer(
            external_id=f"SYN-{seed}-{index + 1:05d}",
            name=f"{first} {last}",
            company=company,
            email=f"{first}.{last}.{index + 1}@{company.split()[0].lower()}.example".lower(),
            owner=rng.choice(owners) if owners else None,
            created_at=now,
        )
        start = _signup_day(rng, params, origin)
        customer.signed_up_at = origin + timedelta(days=start)
        created.append(customer)
        journeys.append(_new_journey(rng, params, customer, start, plan_weights))
    end = float(params.days)
    for journey in journeys:
        _simulate(rng, params, journey, end=end, new=journey.customer.pk is None)
    simulated = time.perf_counter()

    for journey in journeys:
        customer = journey.customer
        plan = params.plans[journey.plan]
        customer.plan = plan.name
        customer.mrr = Decimal(plan.price * (0.85 if journey.annual else 1)).quantize(Decimal("0.01"))
        customer.attributes = {**customer.attributes, "contract": "annual" if journey.annual else "monthly"}
        churned = journey.churned_at is not None
        customer.status = CustomerStatus.CHURNED if churned else CustomerStatus.ACTIVE
        customer.churned_at = origin + timedelta(days=journey.churned_at) if churned else None
        times = [at for at, _, _ in journey.events]
        last = max(times) if times else None
        customer.last_event_at = origin + timedelta(days=min(last, end)) if last is not None else customer.signed_up_at
    CustomerField.objects.get_or_create(key="contract", defaults={"label": "Contract", "type": AttributeType.CATEGORY})
    Customer.objects.bulk_create(created, batch_size=1000)
    if existing:
        Customer.objects.bulk_update(
            list(existing), ["plan", "mrr", "attributes", "status", "churned_at", "last_event_at"], batch_size=1000
        )
    events = [
        _event(journey, origin, min(at, end), kind, values)
        for journey in journeys
        for at, kind, values in sorted(journey.events, key=lambda item: item[0])
    ]
    LifecycleEvent.objects.bulk_create(events, batch_size=5000)
    return {
        "customers": len(journeys),
        "created": len(created),
        "events": len(events),
        "churned": sum(1 for journey in journeys if journey.churned_at is not None),
        "simulate_seconds": round(simulated - started, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _new_journey(
    rng: random.Random, params: GeneratorParams, customer: Customer, start: float, weights: list[float]
) -> _Journey:
    fit = rng.gauss(0, 1)
    return _Journey(
        customer=customer,
        start=start,
        plan=rng.choices(range(len(params.plans)), weights=weights)[0],
        annual=rng.random() < params.annual_share,
        fit=fit,
        engagement=rng.gauss(0.3 * fit, 0.6),
    )
