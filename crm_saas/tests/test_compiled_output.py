"""Compiled output serializers render exactly what DRF renders from the same declaration."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework import serializers

from crm_saas.api.compiled_output import CompiledOutput
from leads.api.serializers import LeadOutput
from leads.models import Lead
from leads.services import lead_create
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.django_db


def drf_rendering(monkeypatch, render):
    """``render()`` with every compiled serializer falling back to DRF's generic rendering."""
    with monkeypatch.context() as patch:
        patch.setattr(CompiledOutput, "to_representation", serializers.Serializer.to_representation)
        return render()


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Los_Angeles"])
def test_lead_output_matches_drf_for_every_kind_of_value(alpha, monkeypatch, zone: str) -> None:
    with alpha.active():
        full = lead_create(
            actor=alpha.users[MANAGER],
            data={
                "name": "Ada Full",
                "company": "Full Ltd",
                "email": "ada@full.test",
                "referred": True,
                "status": "converted",
                "attributes": {"budget": 12.5, "plan": "Pro", "trial": False, "notes": None},
            },
        )
        Lead.objects.filter(pk=full.pk).update(
            score=87,
            band="A",
            probability=0.8125,
            scored_at=timezone.now(),
            priority="high",
            priority_value=0.9,
            priority_reasons=[
                {"text": "Asks for a quote", "points": 12.0, "source": "signal", "key": "quote", "message_id": 4},
                {"text": "Score 87", "points": 8, "source": "score", "key": "score", "message_id": None},
            ],
        )
        sparse = lead_create(actor=alpha.users[REP], data={"company": "Sparse"})
        Lead.objects.filter(pk=sparse.pk).update(owner=None, referred=None)
        leads = list(Lead.objects.select_related("owner").filter(pk__in=[full.pk, sparse.pk]).order_by("pk"))

    with timezone.override(zone):
        compiled = LeadOutput(leads, many=True).data
        single = LeadOutput(leads[0]).data
        reference = drf_rendering(monkeypatch, lambda: LeadOutput(leads, many=True).data)

    assert compiled == reference
    assert single == reference[0]
    assert list(compiled[0]) == list(reference[0])  # same keys, same order
    assert compiled[0]["owner"]["email"] == alpha.email(MANAGER) and compiled[1]["owner"] is None
    assert compiled[0]["priority_reasons"][1] == {
        "text": "Score 87",
        "points": 8.0,
        "source": "score",
        "key": "score",
        "message_id": None,
    }


def test_a_field_the_plan_cannot_render_is_refused_loudly() -> None:
    class Money(CompiledOutput, serializers.Serializer):
        amount = serializers.DecimalField(max_digits=6, decimal_places=2)

    class Computed(CompiledOutput, serializers.Serializer):
        link = serializers.SerializerMethodField()

        def get_link(self, obj) -> str:
            return "x"

    with pytest.raises(TypeError, match="DecimalField 'amount' cannot be rendered"):
        Money().to_representation({"amount": 1})
    with pytest.raises(TypeError, match="'link' reads '\\*'"):
        Computed().to_representation({})


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland"])
def test_score_output_matches_drf(alpha, monkeypatch, zone: str) -> None:
    from leads.scoring import service
    from leads.services import activity_record

    with alpha.active():
        lead = lead_create(actor=alpha.users[REP], data={"company": "Scored", "referred": True, "email": "s@x.test"})
        activity_record(lead=lead, kind="meeting")
        service.leads_score([lead])
    client = alpha.api(REP)
    with timezone.override(zone):
        compiled = client.get(f"/api/v1/leads/{lead.pk}/score/").json()
        reference = drf_rendering(monkeypatch, lambda: client.get(f"/api/v1/leads/{lead.pk}/score/").json())
    assert compiled == reference
    assert compiled["history"] and compiled["history"][0]["scored_at"] == compiled["scored_at"]
    assert {factor["label"] for factor in compiled["factors_for"]} >= {"Referred lead", "Had a meeting"}
