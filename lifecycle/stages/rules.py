"""Which lifecycle stage a customer is in, from plain facts about it at one moment.

The rules (docs/lifecycle_stages.md), first match wins:

1. churned: the customer's status is churned (its latest cancellation is not followed by a
   reactivation);
2. at risk: any risk signal - predicted churn risk at or above the threshold, failed payments or
   urgent tickets within their windows, or no login or usage for ``inactive_days``;
3. new: tenure below ``new_days``;
4. loyal: tenure of at least ``loyal_days`` and at least ``loyal_renewals`` renewals;
5. active: everyone else.

Risk signals come before "new" on purpose: a two-week-old customer whose payment failed needs the
attention an at-risk customer gets. Nothing here reads the database, so every edge is tested with
plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lifecycle.models import Stage

REASON_MAX = 300
DAY_SECONDS = 86400.0


class Rules(Protocol):
    """What the evaluation needs from ``StageRules`` (the model row satisfies it)."""

    new_days: int
    loyal_days: int
    loyal_renewals: int
    risk_threshold: float
    payment_failures: int
    payment_window_days: int
    urgent_tickets: int
    ticket_window_days: int
    inactive_days: int


@dataclass(frozen=True)
class StageFacts:
    """A customer as of ``at``: only what the rules look at."""

    at: datetime
    signed_up_at: datetime
    churned_at: datetime | None = None  # set when the status is churned at ``at``
    churn_note: str = ""
    renewals: int = 0  # up to ``at``
    last_activity_at: datetime | None = None  # latest login or usage up to ``at``
    payment_failures: int = 0  # within the payment window ending at ``at``
    urgent_tickets: int = 0  # within the ticket window ending at ``at``
    risk: float | None = None  # the latest churn prediction made as of ``at``

    @property
    def tenure_days(self) -> float:
        return max(0.0, (self.at - self.signed_up_at).total_seconds() / DAY_SECONDS)


@dataclass(frozen=True)
class StageVerdict:
    stage: str
    reason: str


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def tenure_text(days: float) -> str:
    """'12 days', '5 months', '2 years 1 month': how long someone has been a customer."""
    whole = int(days)
    if whole < 60:
        return _plural(whole, "day")
    months = round(days / 30.44)
    if months < 24:
        return _plural(months, "month")
    years, rest = divmod(months, 12)
    return _plural(years, "year") + (f" {_plural(rest, 'month')}" if rest else "")


def risk_signals(facts: StageFacts, rules: Rules) -> list[str]:
    """Each risk signal that holds, as a short sentence (empty when the customer is not at risk)."""
    signals = []
    if facts.risk is not None and facts.risk >= rules.risk_threshold:
        signals.append(f"Predicted churn risk {facts.risk:.0%} (at risk from {rules.risk_threshold:.0%})")
    if rules.payment_failures and facts.payment_failures >= rules.payment_failures:
        signals.append(
            f"{_plural(facts.payment_failures, 'failed payment')} in the last {rules.payment_window_days} days"
        )
    if rules.urgent_tickets and facts.urgent_tickets >= rules.urgent_tickets:
        signals.append(f"{_plural(facts.urgent_tickets, 'urgent ticket')} in the last {rules.ticket_window_days} days")
    if rules.inactive_days:
        # Never having logged in counts from the sign-up.
        since = facts.last_activity_at or facts.signed_up_at
        idle = int((facts.at - since).total_seconds() // DAY_SECONDS)
        if idle >= rules.inactive_days:
            what = "No login or usage" if facts.last_activity_at else "No login or usage since signing up,"
            signals.append(f"{what} for {idle} days (at risk from {rules.inactive_days})")
    return signals


def stage_evaluate(facts: StageFacts, rules: Rules) -> StageVerdict:
    """The customer's stage at ``facts.at`` and the reason, in words a manager reads."""
    if facts.churned_at is not None:
        reason = f"Cancelled on {facts.churned_at:%d %b %Y}"
        if facts.churn_note:
            reason += f": {facts.churn_note}"
        return StageVerdict(Stage.CHURNED, reason[:REASON_MAX])
    signals = risk_signals(facts, rules)
    if signals:
        return StageVerdict(Stage.AT_RISK, "; ".join(signals)[:REASON_MAX])
    tenure = facts.tenure_days
    if tenure < rules.new_days:
        when = "today" if tenure < 1 else f"{tenure_text(tenure)} ago"
        return StageVerdict(Stage.NEW, f"Signed up {when} (new for the first {rules.new_days} days)")
    renewals = _plural(facts.renewals, "renewal")
    if tenure >= rules.loyal_days and facts.renewals >= rules.loyal_renewals:
        return StageVerdict(Stage.LOYAL, f"Customer for {tenure_text(tenure)} with {renewals}, no risk signals")
    needed = f"loyal from {rules.loyal_days} days"
    if rules.loyal_renewals:
        needed += f" and {_plural(rules.loyal_renewals, 'renewal')}"
    return StageVerdict(Stage.ACTIVE, f"Customer for {tenure_text(tenure)} with {renewals}, no risk signals; {needed}")
