"""Input serializers with shallow-copied fields validate exactly as with DRF's deep copies."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from rest_framework import serializers

from crm_saas.api.input_fields import CopiedFieldsInput
from leads.api.serializers import LeadInput
from leads.api.views import LeadFilterInput

pytestmark = pytest.mark.django_db

LEAD_BODIES = [
    {"name": "Ada", "company": "Analytical", "referred": "yes", "status": "contacted", "attributes": {"budget": 5}},
    {"name": "x" * 201, "status": "nonsense", "referred": "perhaps", "attributes": "not an object"},
    {"owner": 999999, "email": None},
    {},
]
FILTERS = ["band=A&ordering=-score", "status=new&page=2", "ordering=sideways&owner=abc", "created_after=yesterday", ""]


def validate(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    valid = serializer.is_valid()
    return valid, (dict(serializer.validated_data) if valid else serializer.errors)


def with_deep_copies(monkeypatch, run):
    with monkeypatch.context() as patch:
        patch.setattr(CopiedFieldsInput, "get_fields", serializers.Serializer.get_fields)
        return run()


@pytest.mark.parametrize("body", LEAD_BODIES)
@pytest.mark.parametrize("partial", [False, True])
def test_lead_input_validates_as_drf_does(alpha, monkeypatch, body: dict, partial: bool) -> None:
    with alpha.active():
        ours = validate(LeadInput, body, partial=partial)
        reference = with_deep_copies(monkeypatch, lambda: validate(LeadInput, body, partial=partial))
    assert ours == reference


@pytest.mark.parametrize("query", FILTERS)
def test_filter_input_validates_as_drf_does(monkeypatch, query: str) -> None:
    ours = validate(LeadFilterInput, QueryDict(query))
    assert ours == with_deep_copies(monkeypatch, lambda: validate(LeadFilterInput, QueryDict(query)))


class Mixed(CopiedFieldsInput, serializers.Serializer):
    name = serializers.CharField(max_length=5)
    tags = serializers.ListField(child=serializers.CharField(), default=list)
    options = serializers.DictField(required=False)
    limits = serializers.JSONField(default={"max": 1})  # a mutable default: must not be shared
    nested = LeadFilterInput(required=False)


def test_each_instance_has_its_own_bound_fields() -> None:
    first, second = Mixed(data={"name": "a"}), Mixed(data={"name": "b"})
    for name in Mixed._declared_fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name] is not Mixed._declared_fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    # Fields holding other fields, and a mutable default, are deep copies as in DRF.
    assert first.fields["tags"].child is not second.fields["tags"].child
    assert first.fields["tags"].child.parent is first.fields["tags"]
    assert first.fields["limits"].default is not second.fields["limits"].default
    assert first.is_valid() and second.is_valid()
    first.validated_data["limits"]["max"] = 99
    assert second.validated_data["limits"] == {"max": 1}
