"""A customer's stage history, replayed from its events and churn predictions.

The stage can only change at a moment when one of its facts changes: an event (status change,
renewal, login or usage, failed payment, urgent ticket), a prediction, a window closing behind a
failed payment or an urgent ticket, the inactivity limit passing after the latest activity, or the
tenure crossing ``new_days`` or ``loyal_days``. Evaluating the rules at exactly those moments gives
the exact history (not a monthly approximation) at a cost linear in the number of events; the
stage bands on the timeline are drawn from it.

Plain values in, plain values out: lifecycle/stages/service.py loads the rows and stores the result.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lifecycle.models import STATUS_KINDS, EventKind, Severity
from lifecycle.stages.rules import Rules, StageFacts, StageVerdict, stage_evaluate

# A reactivation counts as activity: a customer coming back is not idle since before it left.
ACTIVITY_KINDS = frozenset({EventKind.LOGIN, EventKind.USAGE, EventKind.REACTIVATION})
# The kinds whose events can move a customer between stages; the rest never need loading.
STAGE_KINDS = frozenset(
    {
        *ACTIVITY_KINDS,
        EventKind.CANCELLATION,
        EventKind.REACTIVATION,
        EventKind.RENEWAL,
        EventKind.PAYMENT_FAILED,
        EventKind.TICKET_OPENED,
    }
)


@dataclass(frozen=True)
class StageEvent:
    kind: str
    at: datetime
    severity: str | None = None
    note: str = ""


@dataclass
class CustomerStageInput:
    """One customer's facts over time. ``events`` and ``predictions`` (as_of, risk) in time order."""

    signed_up_at: datetime
    events: Sequence[StageEvent] = ()
    predictions: Sequence[tuple[datetime, float]] = ()


@dataclass(frozen=True)
class StageEntry:
    stage: str
    previous_stage: str | None
    reason: str
    changed_at: datetime


@dataclass
class StageHistory:
    entries: list[StageEntry] = field(default_factory=list)
    current: StageVerdict | None = None

    @property
    def since(self) -> datetime | None:
        return self.entries[-1].changed_at if self.entries else None


@dataclass
class _Timeline:
    """The customer's facts as sorted lists, so any moment is answered by binary search."""

    statuses: list[StageEvent]
    status_times: list[datetime]
    renewals: list[datetime]
    activity: list[datetime]
    failures: list[datetime]
    urgent: list[datetime]
    prediction_times: list[datetime]
    risks: list[float]

    @classmethod
    def build(cls, data: CustomerStageInput, *, now: datetime) -> _Timeline:
        def times(kinds: frozenset[str] | set[str], *, urgent_only: bool = False) -> list[datetime]:
            return [
                event.at
                for event in data.events
                if event.kind in kinds and event.at <= now and (not urgent_only or event.severity == Severity.URGENT)
            ]

        statuses = [e for e in data.events if e.kind in STATUS_KINDS and e.at <= now]
        predictions = [(at, risk) for at, risk in data.predictions if at <= now]
        return cls(
            statuses=statuses,
            status_times=[event.at for event in statuses],
            renewals=times({EventKind.RENEWAL}),
            activity=times(ACTIVITY_KINDS),
            failures=times({EventKind.PAYMENT_FAILED}),
            urgent=times({EventKind.TICKET_OPENED}, urgent_only=True),
            prediction_times=[at for at, _ in predictions],
            risks=[risk for _, risk in predictions],
        )

    def facts(self, data: CustomerStageInput, at: datetime, rules: Rules) -> StageFacts:
        status_index = bisect_right(self.status_times, at)
        latest_status = self.statuses[status_index - 1] if status_index else None
        churned = latest_status is not None and latest_status.kind == EventKind.CANCELLATION
        activity_index = bisect_right(self.activity, at)
        prediction_index = bisect_right(self.prediction_times, at)
        return StageFacts(
            at=at,
            signed_up_at=data.signed_up_at,
            churned_at=latest_status.at if churned else None,
            churn_note=latest_status.note if churned else "",
            renewals=bisect_right(self.renewals, at),
            last_activity_at=self.activity[activity_index - 1] if activity_index else None,
            payment_failures=_in_window(self.failures, at, rules.payment_window_days),
            urgent_tickets=_in_window(self.urgent, at, rules.ticket_window_days),
            risk=self.risks[prediction_index - 1] if prediction_index else None,
        )

    def turning_points(self, data: CustomerStageInput, rules: Rules, *, now: datetime) -> list[datetime]:
        start = data.signed_up_at
        points = {start, start + timedelta(days=rules.new_days), start + timedelta(days=rules.loyal_days)}
        points.update(self.status_times, self.renewals, self.prediction_times)
        payment_window = timedelta(days=rules.payment_window_days)
        ticket_window = timedelta(days=rules.ticket_window_days)
        for moment in self.failures:
            points.update((moment, moment + payment_window))
        for moment in self.urgent:
            points.update((moment, moment + ticket_window))
        if rules.inactive_days and self.activity:
            # An inactive spell starts ``inactive_days`` after an activity followed by a long enough
            # gap and ends at the next activity; nothing else about activity can change the stage.
            idle = timedelta(days=rules.inactive_days)
            points.update((start + idle, self.activity[0], self.activity[-1] + idle))
            for earlier, later in zip(self.activity, self.activity[1:], strict=False):
                if later - earlier >= idle:
                    points.update((earlier + idle, later))
        elif rules.inactive_days:
            points.add(start + timedelta(days=rules.inactive_days))
        return sorted(point for point in points if start <= point <= now)


def _in_window(times: list[datetime], at: datetime, days: int) -> int:
    """How many of ``times`` fall in (at - days, at]."""
    return bisect_right(times, at) - bisect_right(times, at - timedelta(days=days))


def stage_history(data: CustomerStageInput, rules: Rules, *, now: datetime) -> StageHistory:
    """Every change of stage from the sign-up to ``now`` (oldest first) and the stage at ``now``."""
    timeline = _Timeline.build(data, now=now)
    history = StageHistory()
    previous: str | None = None
    for moment in timeline.turning_points(data, rules, now=now):
        verdict = stage_evaluate(timeline.facts(data, moment, rules), rules)
        if verdict.stage != previous:
            history.entries.append(StageEntry(verdict.stage, previous, verdict.reason, moment))
            previous = verdict.stage
    # The reason now (e.g. the days of inactivity so far), not as it read on entering the stage.
    moment = max(now, data.signed_up_at)
    history.current = stage_evaluate(timeline.facts(data, moment, rules), rules)
    if history.current.stage != previous:  # only when the sign-up lies in the future
        history.entries.append(StageEntry(history.current.stage, previous, history.current.reason, moment))
    return history


def stage_at(data: CustomerStageInput, rules: Rules, *, at: datetime) -> StageVerdict:
    """The stage and reason at one moment (facts after ``at`` are ignored)."""
    timeline = _Timeline.build(data, now=at)
    return stage_evaluate(timeline.facts(data, max(at, data.signed_up_at), rules), rules)
