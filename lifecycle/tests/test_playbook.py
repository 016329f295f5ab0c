"""The next-best-action playbook: which plays a customer's numbers call for, and their wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from lifecycle.next_actions.playbook import PLAYS, days_to_renewal, recommend

NOW = datetime(2025, 6, 30, 12, tzinfo=UTC)
DRIVER = {"label": "3 urgent tickets in the last 60 days", "contribution": 0.12, "column": "urgent_tickets_60d"}


def test_an_at_risk_customer_gets_support_payment_and_retention_plays_with_numbers() -> None:
    values = {"urgent_tickets_30d": 3, "tickets_30d": 4, "payment_failures_60d": 1, "days_since_active": 3}
    found = recommend(risk=0.55, factors=[DRIVER], values=values, now=NOW)
    codes = [rec.code for rec in found]
    assert codes[0] == "escalate_support"
    assert set(codes) == {"escalate_support", "recover_payment", "retention_call"}
    escalate = found[0]
    assert escalate.rationale.startswith("3 urgent tickets in the last 30 days (4 tickets in all) -> ")
    retention = next(rec for rec in found if rec.code == "retention_call")
    assert "55% risk" in retention.rationale and "3 urgent tickets in the last 60 days (+0.12)" in retention.rationale
    assert [rec.strength for rec in found] == sorted((rec.strength for rec in found), reverse=True)


def test_renewal_soon_with_usage_up_is_an_upgrade_offer_for_a_healthy_customer() -> None:
    anniversary = pd.Timestamp(NOW - timedelta(days=365 - 21))
    values = {"anniversary": anniversary, "attr__contract": "annual", "usage_trend": 0.3, "days_since_active": 1}
    assert days_to_renewal(values, now=NOW) == 21
    found = recommend(risk=0.05, factors=[], values=values, now=NOW)
    assert [rec.code for rec in found] == ["annual_upgrade"]
    assert found[0].rationale.startswith("Renewal in 21 days, usage up 30% over the last 4 weeks -> ")
    # The same renewal on a risky customer is about securing it, naming the top driver.
    risky = recommend(risk=0.3, factors=[DRIVER], values=values, now=NOW)
    assert risky[0].code == "secure_renewal" and "3 urgent tickets in the last 60 days" in risky[0].rationale


def test_usage_drop_detractor_and_inactivity_need_a_risky_customer() -> None:
    values = {
        "usage_trend": -0.6,
        "usage_28d": 8,
        "usage_prior_56d": 40,
        "last_nps": 3,
        "days_since_nps": 12,
        "days_since_active": 34,
    }
    risky = {rec.code: rec for rec in recommend(risk=0.25, factors=[], values=values, now=NOW)}
    assert set(risky) == {"reengage_usage", "nps_detractor", "inactive_check_in"}
    assert "Usage down 60% over the last 4 weeks (2.0 a week against 5.0" in risky["reengage_usage"].rationale
    assert risky["nps_detractor"].rationale.startswith("NPS answer 3 out of 10, 12 days ago")
    assert risky["inactive_check_in"].rationale.startswith("No login or usage for 34 days")
    assert recommend(risk=0.05, factors=[], values=values, now=NOW) == []  # healthy: no retention plays


def test_every_play_names_a_follow_up_kind() -> None:
    from leads.models import FollowUpKind

    assert all(play.follow_up_kind in FollowUpKind.values and play.due_in_days >= 1 for play in PLAYS.values())


def test_the_at_risk_stage_brings_retention_plays_even_when_the_model_sees_low_risk() -> None:
    values = {"payment_failures_60d": 1, "days_since_active": 3}
    assert recommend(risk=0.08, factors=[], values=values, now=NOW) == []  # healthy by the model alone
    flagged = recommend(risk=0.08, factors=[], values=values, now=NOW, stage="at_risk", stage_reason="1 failed payment")
    assert [rec.code for rec in flagged] == ["recover_payment"]


def test_an_at_risk_customer_no_play_fits_gets_a_review_quoting_the_stage_reason() -> None:
    values = {"days_since_active": 2}
    found = recommend(
        risk=0.1, factors=[], values=values, now=NOW, stage="at_risk", stage_reason="2 urgent tickets in 30 days."
    )
    assert [rec.code for rec in found] == ["at_risk_review"]
    assert found[0].rationale.startswith("At risk: 2 urgent tickets in 30 days -> ")
    assert "at_risk_review" in PLAYS
