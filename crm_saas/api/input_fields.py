"""Input serializers that copy their plain fields instead of rebuilding them for every request.

DRF gives each serializer instance its own fields by deep-copying the declared ones, and a field's
deep copy runs its constructor again (validators, choice maps): for a twenty-field input that is
most of the cost of validating a request. A field holds no per-request state of its own: binding
sets its name and parent on the copy, and validation keeps nothing on the field. So a shallow copy
is enough for leaf fields whose default is immutable. Fields that contain other fields (nested
serializers, list and dict fields, whose child points back at its parent) and fields with a mutable
default still get DRF's deep copy.
"""

from __future__ import annotations

import copy

from rest_framework import serializers
from rest_framework.fields import empty

_IMMUTABLE = (str, bytes, int, float, bool, tuple, frozenset, type(None))


def _shallow_copy_is_safe(field: serializers.Field) -> bool:
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(field, "child_relation"):
        return False
    default = field.default
    return default is empty or callable(default) or isinstance(default, _IMMUTABLE)


class CopiedFieldsInput(serializers.Serializer):
    """Mix into an input serializer (before the DRF base); validation is unchanged."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: copy.copy(field) if _shallow_copy_is_safe(field) else copy.deepcopy(field)
            for name, field in self._declared_fields.items()
        }
