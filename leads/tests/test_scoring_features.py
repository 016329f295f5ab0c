"""The scoring inputs: engagement as of a cut-off, rule matching per operator, and bulk rescoring
that gives every lead exactly the score it gets when scored alone."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone

from leads.models import CustomField, Lead, LeadActivity, LeadScore, RuleOperator, ScoringRule
from leads.scoring import service
from leads.scoring.features import lead_frame
from leads.scoring.rules import rule_mask, rules_match
from leads.services import lead_create
from leads.tests.test_scoring import make_history
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.django_db


def test_engagement_counts_only_what_happened_before_each_cutoff(alpha) -> None:
    now = timezone.now()
    with alpha.active():
        busy = lead_create(actor=alpha.users[REP], data={"company": "Busy"})
        quiet = lead_create(actor=alpha.users[REP], data={"company": "Quiet"})
        Lead.objects.filter(pk__in=[busy.pk, quiet.pk]).update(created_at=now - timedelta(days=100))
        events = [
            ("visit", 60, 1),
            ("email_open", 40, 1),
            ("email_open", 20, 1),
            ("email_click", 20, 1),
            ("time_on_site", 10, 300),
            ("time_on_site", 45, 999),  # outside the 30-day window of the first cut-off
            ("meeting", 5, 1),
            ("meeting", 1, 1),  # after the first cut-off (2 days ago): must not count there
        ]
        LeadActivity.objects.bulk_create(
            LeadActivity(lead=busy, kind=kind, occurred_at=now - timedelta(days=age), quantity=quantity)
            for kind, age, quantity in events
        )
        busy.refresh_from_db()
        quiet.refresh_from_db()
        cutoffs = [now - timedelta(days=2), now]
        frame = lead_frame([busy, quiet], as_of=cutoffs)

    first = frame.loc[busy.pk]
    assert first["activity_total"] == 7
    assert first["activity_30d"] == 4  # opens/click at 20 days, time on site at 10, meeting at 5
    assert first["days_since_activity"] == pytest.approx(3.0, abs=1e-6)
    assert first["time_on_site_30d"] == 300
    assert first["email_click_ratio"] == pytest.approx(0.5)
    assert first["meetings_total"] == 1
    assert first["lead_age_days"] == pytest.approx(98.0, abs=1e-6)
    second = frame.loc[quiet.pk]
    assert (second["activity_total"], second["activity_30d"], second["meetings_total"]) == (0, 0, 0)
    assert np.isnan(second["days_since_activity"]) and np.isnan(second["email_click_ratio"])


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        # values:            "Referral", "  ", None, "web", True, "12", 3.5, "abc"
        (RuleOperator.IS_EMPTY, "", [False, True, True, False, False, False, False, False]),
        (RuleOperator.NOT_EMPTY, "", [True, False, False, True, True, True, True, True]),
        (RuleOperator.EQUALS, " referral ", [True, False, False, False, False, False, False, False]),
        (RuleOperator.NOT_EQUALS, "web", [True, False, False, False, True, True, True, True]),
        (RuleOperator.CONTAINS, "ER", [True, False, False, False, False, False, False, False]),
        (RuleOperator.IS_TRUE, "", [False, False, False, False, True, False, False, False]),
        (RuleOperator.GREATER, "3", [False, False, False, False, False, True, True, False]),
        (RuleOperator.LESS, "4", [False, False, False, False, True, False, True, False]),
        (RuleOperator.GREATER, "not a number", [False] * 8),
    ],
)
def test_rule_operators_match_mixed_values(operator: str, value: str, expected: list[bool]) -> None:
    frame = pd.DataFrame({"attr__tier": ["Referral", "  ", None, "web", True, "12", 3.5, "abc"]})
    rule = ScoringRule(field="tier", operator=operator, value=value, points=5, label="x")
    assert rule_mask(rule, frame).tolist() == expected


def test_no_activity_rule_and_unknown_fields() -> None:
    frame = pd.DataFrame({"days_since_activity": [np.nan, 3.0, 31.0]})
    stale = ScoringRule(field="activity", operator=RuleOperator.NO_ACTIVITY_DAYS, value="30", points=-10, label="s")
    assert rule_mask(stale, frame).tolist() == [True, False, True]
    unknown = ScoringRule(field="nowhere", operator=RuleOperator.IS_EMPTY, value="", points=1, label="u")
    assert rule_mask(unknown, frame).tolist() == [True, True, True]
    inactive = ScoringRule(field="nowhere", operator=RuleOperator.IS_EMPTY, value="", points=9, label="i")
    inactive.is_active = False
    matches = rules_match([stale, unknown, inactive], frame)
    assert matches.points.tolist() == [-9, 1, -9]
    assert [hit.label for hit in matches.hits(0)] == ["s", "u"]


def test_bulk_rescoring_gives_each_lead_its_single_lead_score(alpha) -> None:
    with alpha.active():
        make_history(alpha, n=200)
        CustomField.objects.get_or_create(key="segment", defaults={"label": "Segment", "type": "category"})
        ScoringRule.objects.create(field="segment", operator=RuleOperator.EQUALS, value="vip", points=20, label="VIP")
        rng = np.random.default_rng(5)
        leads = [
            lead_create(
                actor=alpha.users[REP],
                data={
                    "company": f"Open {index}",
                    "source": str(rng.choice(["web", "referral", "event", ""])),
                    "referred": bool(rng.random() < 0.3),
                    "email": "x@y.test" if index % 2 else "",
                    "attributes": {"budget": float(rng.integers(0, 100)), "segment": "vip" if index % 3 else "std"},
                },
            )
            for index in range(30)
        ]
        version = service.lead_model_train(actor=alpha.users[MANAGER])  # bulk: leads_rescore_open
        bulk = {
            lead.pk: (lead.score, lead.band, lead.probability)
            for lead in Lead.objects.filter(pk__in=[x.pk for x in leads])
        }
        single = {
            lead.pk: (r.score, r.band, r.probability) for lead, r in zip(leads, service.leads_score(leads), strict=True)
        }
        history = LeadScore.objects.filter(lead__in=leads, model_version=version).count()

    assert bulk == single
    assert len({score for score, _, _ in bulk.values()}) > 5  # the leads really differ
    assert history == 2 * len(leads)  # one row from the bulk run, one from the single-lead run
