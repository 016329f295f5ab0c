"""Pages fetched as plain rows render exactly what DRF renders from model instances, and anything the
row fetch cannot express falls back to instances."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework import serializers

import crm_saas.api.views as api_views
from crm_saas.api.compiled_output import CompiledOutput
from crm_saas.api.compiled_rows import compiled_rows
from leads.api.serializers import LeadOutput, OwnerOutput
from leads.models import Lead
from leads.services import lead_create
from tests.surface import ADMIN, MANAGER, REP

pytestmark = pytest.mark.django_db


def drf_rendering(monkeypatch, render):
    with monkeypatch.context() as patch:
        patch.setattr(CompiledOutput, "to_representation", serializers.Serializer.to_representation)
        return render()


@pytest.fixture
def leads(alpha) -> list[int]:
    with alpha.active():
        full = lead_create(
            actor=alpha.users[MANAGER],
            data={"name": "Ada Full", "company": "Full Ltd", "referred": True, "attributes": {"plan": "Pro"}},
        )
        Lead.objects.filter(pk=full.pk).update(
            score=91,
            band="A",
            probability=0.9,
            scored_at=timezone.now(),
            priority="high",
            priority_reasons=[
                {"text": "Asks for a quote", "points": 12, "source": "signal", "key": "quote", "message_id": None}
            ],
        )
        sparse = lead_create(actor=alpha.users[REP], data={"company": "Sparse"})
        Lead.objects.filter(pk=sparse.pk).update(owner=None, referred=None)
        return [full.pk, sparse.pk]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
def test_rows_render_what_drf_renders_from_instances(alpha, leads, monkeypatch, zone: str) -> None:
    with alpha.active():
        queryset = Lead.objects.select_related("owner").filter(pk__in=leads).order_by("pk")
        rows = compiled_rows(queryset, LeadOutput)
        assert rows is not None
        with timezone.override(zone):
            compiled = LeadOutput(list(rows), many=True).data
            reference = drf_rendering(monkeypatch, lambda: LeadOutput(list(queryset), many=True).data)
    assert compiled == reference
    assert [list(row) for row in compiled] == [list(row) for row in reference]
    manager = alpha.users[MANAGER]
    assert compiled[0]["owner"] == {"id": manager.pk, "email": manager.email, "full_name": manager.full_name}
    assert compiled[1]["owner"] is None
    assert compiled[0]["priority_reasons"][0]["points"] == 12.0


def test_rows_stay_a_lazy_countable_sliceable_queryset(alpha, leads) -> None:
    with alpha.active():
        rows = compiled_rows(Lead.objects.order_by("pk"), LeadOutput)
        assert rows.count() == 2
        assert [row["id"] for row in rows[1:]] == [leads[1]]
        assert rows.filter(company="Sparse").get()["owner"] is None


def test_an_api_page_is_the_same_either_way(alpha, leads, monkeypatch) -> None:
    client = alpha.api(ADMIN)
    fast = client.get("/api/v1/leads/?ordering=-score").json()
    monkeypatch.setattr(api_views, "compiled_rows", lambda queryset, serializer_class: None)
    slow = client.get("/api/v1/leads/?ordering=-score").json()
    assert fast == slow
    assert fast["count"] == 2


class WithProperty(CompiledOutput, serializers.ModelSerializer):
    """``pk`` is not a column of its own; the row fetch must leave such serializers alone."""

    class Meta:
        model = Lead
        fields = ["pk", "name"]


class OwnerWithLeads(CompiledOutput, serializers.ModelSerializer):
    class Meta:
        model = Lead.owner.field.related_model
        fields = ["id", "owned_leads"]


class LeadWithDeepOwner(CompiledOutput, serializers.ModelSerializer):
    owner = OwnerWithLeads()

    class Meta:
        model = Lead
        fields = ["id", "owner"]


@pytest.mark.parametrize(
    "queryset, serializer_class",
    [
        (lambda: Lead.objects.prefetch_related("activities"), LeadOutput),
        (lambda: Lead.objects.values("id"), LeadOutput),
        (lambda: Lead.objects.all(), WithProperty),
        (lambda: Lead.objects.all(), LeadWithDeepOwner),
        (lambda: Lead.objects.all(), serializers.ModelSerializer),
        (lambda: Lead.objects.all(), OwnerOutput),  # the model has no 'full_name' column
        (lambda: Lead.objects.all(), lambda *args, **kwargs: LeadOutput(*args, **kwargs)),
    ],
    ids=["prefetch", "already-values", "non-column", "nested-relation", "not-compiled", "wrong-model", "factory"],
)
def test_what_rows_cannot_express_falls_back_to_instances(alpha, queryset, serializer_class) -> None:
    with alpha.active():
        assert compiled_rows(queryset(), serializer_class) is None
