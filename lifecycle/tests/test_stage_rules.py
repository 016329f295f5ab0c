"""The stage rules on plain facts: every stage, the order they apply in, and the edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lifecycle.models import Stage, StageRules
from lifecycle.stages.rules import StageFacts, stage_evaluate, tenure_text

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
RULES = StageRules()  # the defaults, unsaved: new < 30 d, loyal >= 365 d and 1 renewal, risk >= 0.5 ...


def facts(*, tenure: float, **values) -> StageFacts:
    """A customer signed up ``tenure`` days before NOW, active yesterday unless told otherwise."""
    values.setdefault("last_activity_at", NOW - timedelta(days=1))
    return StageFacts(at=NOW, signed_up_at=NOW - timedelta(days=tenure), **values)


def stage(**values) -> str:
    return stage_evaluate(facts(**values), RULES).stage


def test_new_until_the_end_of_the_new_period() -> None:
    assert stage(tenure=0) == Stage.NEW
    assert stage(tenure=29.99) == Stage.NEW
    assert stage(tenure=30) == Stage.ACTIVE  # exactly 30 days: no longer new
    verdict = stage_evaluate(facts(tenure=12.5), RULES)
    assert verdict.reason == "Signed up 12 days ago (new for the first 30 days)"
    assert stage_evaluate(facts(tenure=0.2), RULES).reason == "Signed up today (new for the first 30 days)"


def test_loyal_needs_both_tenure_and_renewals() -> None:
    assert stage(tenure=365, renewals=1) == Stage.LOYAL
    assert stage(tenure=364.9, renewals=3) == Stage.ACTIVE
    unrenewed = stage_evaluate(facts(tenure=800, renewals=0), RULES)
    assert unrenewed.stage == Stage.ACTIVE
    assert (
        unrenewed.reason
        == "Customer for 2 years 2 months with 0 renewals, no risk signals; loyal from 365 days and 1 renewal"
    )
    loyal = stage_evaluate(facts(tenure=400, renewals=2), RULES)
    assert loyal.reason == "Customer for 13 months with 2 renewals, no risk signals"
    no_renewals_needed = StageRules(loyal_renewals=0)
    assert stage_evaluate(facts(tenure=365, renewals=0), no_renewals_needed).stage == Stage.LOYAL


def test_churned_wins_over_everything() -> None:
    verdict = stage_evaluate(
        facts(tenure=500, renewals=2, risk=0.9, churned_at=NOW - timedelta(days=3), churn_note="Moved to a competitor"),
        RULES,
    )
    assert verdict.stage == Stage.CHURNED
    assert verdict.reason == "Cancelled on 27 Jun 2026: Moved to a competitor"
    assert stage(tenure=2, churned_at=NOW) == Stage.CHURNED


def test_churn_risk_threshold_is_inclusive() -> None:
    assert stage(tenure=200, risk=0.5) == Stage.AT_RISK
    assert stage(tenure=200, risk=0.4999) == Stage.ACTIVE
    assert stage(tenure=200, risk=None) == Stage.ACTIVE  # not scored yet: no signal
    verdict = stage_evaluate(facts(tenure=200, risk=0.62), RULES)
    assert verdict.reason == "Predicted churn risk 62% (at risk from 50%)"


def test_payment_failures_and_urgent_tickets_count_within_their_windows() -> None:
    assert stage(tenure=200, payment_failures=1) == Stage.AT_RISK
    assert stage(tenure=200, urgent_tickets=1) == Stage.AT_RISK
    stricter = StageRules(payment_failures=2, urgent_tickets=0)
    assert stage_evaluate(facts(tenure=200, payment_failures=1), stricter).stage == Stage.ACTIVE
    assert stage_evaluate(facts(tenure=200, payment_failures=2), stricter).stage == Stage.AT_RISK
    assert stage_evaluate(facts(tenure=200, urgent_tickets=5), stricter).stage == Stage.ACTIVE  # 0 ignores tickets
    both = stage_evaluate(facts(tenure=200, payment_failures=2, urgent_tickets=1), RULES)
    assert both.reason == "2 failed payments in the last 60 days; 1 urgent ticket in the last 30 days"


def test_inactivity_counts_whole_days_since_the_last_login_or_usage() -> None:
    assert stage(tenure=200, last_activity_at=NOW - timedelta(days=30)) == Stage.AT_RISK
    assert stage(tenure=200, last_activity_at=NOW - timedelta(days=29, hours=23)) == Stage.ACTIVE
    verdict = stage_evaluate(facts(tenure=200, last_activity_at=NOW - timedelta(days=41)), RULES)
    assert verdict.reason == "No login or usage for 41 days (at risk from 30)"
    never = stage_evaluate(StageFacts(at=NOW, signed_up_at=NOW - timedelta(days=45)), RULES)
    assert (never.stage, never.reason) == (
        Stage.AT_RISK,
        "No login or usage since signing up, for 45 days (at risk from 30)",
    )
    ignoring = StageRules(inactive_days=0)
    assert stage_evaluate(StageFacts(at=NOW, signed_up_at=NOW - timedelta(days=45)), ignoring).stage == Stage.ACTIVE


def test_risk_signals_come_before_new_and_loyal() -> None:
    assert stage(tenure=10, payment_failures=1) == Stage.AT_RISK
    assert stage(tenure=700, renewals=2, risk=0.7) == Stage.AT_RISK


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "0 days"),
        (1, "1 day"),
        (59, "59 days"),
        (61, "2 months"),
        (365, "12 months"),
        (731, "2 years"),
        (800, "2 years 2 months"),
    ],
)
def test_tenure_reads_naturally(days: float, text: str) -> None:
    assert tenure_text(days) == text
