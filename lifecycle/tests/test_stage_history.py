"""Stage histories replayed from events: each change at the exact moment it happens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lifecycle.models import Stage, StageRules
from lifecycle.stages.history import CustomerStageInput, StageEvent, stage_at, stage_history

START = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
RULES = StageRules()


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def weekly_logins(first: int, last: int) -> list[StageEvent]:
    return [StageEvent("login", day(n)) for n in range(first, last + 1, 7)]


def changes(data: CustomerStageInput, *, now: datetime, rules: StageRules = RULES) -> list[tuple[str, datetime]]:
    return [(entry.stage, entry.changed_at) for entry in stage_history(data, rules, now=now).entries]


def test_a_whole_story_new_active_at_risk_loyal_churned_and_back() -> None:
    events = [
        *weekly_logins(1, 120),  # logins until day 120 ...
        StageEvent("payment_failed", day(200)),  # ... silence from day 120: at risk on day 150
        *weekly_logins(210, 500),
        StageEvent("renewal", day(366)),
        StageEvent("cancellation", day(520), note="Moved to a competitor"),
        StageEvent("reactivation", day(600)),
        StageEvent("login", day(601)),
    ]
    data = CustomerStageInput(signed_up_at=START, events=sorted(events, key=lambda e: e.at))
    history = stage_history(data, RULES, now=day(610))
    assert [(e.stage, e.previous_stage, e.changed_at) for e in history.entries] == [
        (Stage.NEW, None, day(0)),
        (Stage.ACTIVE, Stage.NEW, day(30)),
        (Stage.AT_RISK, Stage.ACTIVE, weekly_logins(1, 120)[-1].at + timedelta(days=30)),
        # still inactive when the payment fails on day 200; active again only once the window
        # of the failure closes (day 260), although the logins resumed on day 210
        (Stage.ACTIVE, Stage.AT_RISK, day(260)),
        (Stage.LOYAL, Stage.ACTIVE, day(366)),
        (Stage.CHURNED, Stage.LOYAL, day(520)),
        # A comeback counts as activity (not 80 idle days), and tenure and renewals still count.
        (Stage.LOYAL, Stage.CHURNED, day(600)),
    ]
    assert history.entries[5].reason == "Cancelled on 04 Jun 2025: Moved to a competitor"
    assert history.current.stage == Stage.LOYAL and history.since == day(600)


def test_predictions_move_the_stage_when_they_are_made() -> None:
    data = CustomerStageInput(
        signed_up_at=START,
        events=weekly_logins(0, 300),
        predictions=[(day(60), 0.2), (day(90), 0.55), (day(120), 0.3)],
    )
    assert changes(data, now=day(300)) == [
        (Stage.NEW, day(0)),
        (Stage.ACTIVE, day(30)),
        (Stage.AT_RISK, day(90)),
        (Stage.ACTIVE, day(120)),
    ]
    assert stage_at(data, RULES, at=day(100)).reason == "Predicted churn risk 55% (at risk from 50%)"
    # Predictions made after the moment asked about are not known then.
    assert stage_at(data, RULES, at=day(89)).stage == Stage.ACTIVE


def test_tuned_rules_give_another_history() -> None:
    data = CustomerStageInput(signed_up_at=START, events=weekly_logins(0, 200))
    assert changes(data, now=day(200)) == [(Stage.NEW, day(0)), (Stage.ACTIVE, day(30))]
    longer_new = StageRules(new_days=90, loyal_days=180, loyal_renewals=0)
    assert changes(data, now=day(200), rules=longer_new) == [
        (Stage.NEW, day(0)),
        (Stage.ACTIVE, day(90)),
        (Stage.LOYAL, day(180)),
    ]


def test_urgent_tickets_only_and_only_within_the_window() -> None:
    events = [
        *weekly_logins(0, 200),
        StageEvent("ticket_opened", day(100), severity="high"),
        StageEvent("ticket_opened", day(150), severity="urgent"),
    ]
    data = CustomerStageInput(signed_up_at=START, events=sorted(events, key=lambda e: e.at))
    assert changes(data, now=day(200)) == [
        (Stage.NEW, day(0)),
        (Stage.ACTIVE, day(30)),
        (Stage.AT_RISK, day(150)),
        (Stage.ACTIVE, day(180)),
    ]


def test_events_after_now_and_a_customer_without_events() -> None:
    data = CustomerStageInput(signed_up_at=START, events=[StageEvent("cancellation", day(50))])
    assert changes(data, now=day(40)) == [(Stage.NEW, day(0)), (Stage.AT_RISK, day(30))]
    history = stage_history(CustomerStageInput(signed_up_at=START), RULES, now=day(5))
    assert [(e.stage, e.changed_at) for e in history.entries] == [(Stage.NEW, day(0))]
