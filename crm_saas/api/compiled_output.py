"""Output serializers rendered from a plan worked out once per class.

A DRF ``ModelSerializer`` builds its fields (model introspection, field construction) every time
it is instantiated, and walks them generically for every row: for a lead that costs more than the
database query behind it. ``CompiledOutput`` keeps the declared serializer (the OpenAPI schema and
the documented output come from it) and renders with a plan of ``(name, read, convert)`` built once
from those same fields. Only field types whose DRF output is a plain function of the value are
accepted; declaring any other field on a compiled serializer fails at the first render, loudly.
Tests compare the compiled output with DRF's own for every compiled serializer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models.manager import BaseManager
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

Plan = list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]]
_plans: dict[type, Plan] = {}
_renderers: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _reader(source: str) -> Callable[[Any], Any]:
    def read(instance: Any) -> Any:
        return instance[source] if isinstance(instance, Mapping) else getattr(instance, source)

    return read


def _boolean(value: Any) -> Any:
    field = serializers.BooleanField
    if value in field.TRUE_VALUES:
        return True
    if value in field.FALSE_VALUES:
        return False
    return bool(value)


def _iso_format(field: serializers.DateTimeField) -> bool:
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return isinstance(output_format, str) and output_format.lower() == ISO_8601


def _datetime_renderer(field: serializers.DateTimeField) -> Callable[[Any], Any]:
    """DRF's ISO 8601 output (in the current time zone, UTC as 'Z') for the usual case, an aware
    datetime; anything else goes through the field itself."""

    def render(value: Any) -> Any:
        if not isinstance(value, datetime) or value.tzinfo is None or not settings.USE_TZ:
            return field.to_representation(value)
        text = value.astimezone(timezone.get_current_timezone()).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render


def _converter(field: serializers.Field) -> Callable[[Any], Any]:
    # Exact types: a subclass may change the output, so it is not assumed to behave the same.
    kind = type(field)
    if kind is serializers.IntegerField:
        return int
    if kind is serializers.FloatField:
        return float
    if kind in (serializers.CharField, serializers.EmailField):
        return str
    if kind is serializers.BooleanField:
        return _boolean
    if kind is serializers.DateTimeField and _iso_format(field) and not hasattr(field, "timezone"):
        return _datetime_renderer(field)
    if kind in (
        serializers.DateTimeField,
        serializers.ChoiceField,
        serializers.JSONField,
        getattr(serializers, "BigIntegerField", serializers.IntegerField),
    ):
        # Output depends on the field's own options (format, current time zone, choices, big
        # integers as strings) and the value only: the field instance is safe to share.
        return field.to_representation
    if isinstance(field, serializers.ListSerializer) and isinstance(field.child, CompiledOutput):
        render = compiled_renderer(type(field.child))

        def render_many(value: Any) -> list[Any]:
            rows = value.all() if isinstance(value, BaseManager) else value
            return [render(row) for row in rows]

        return render_many
    if isinstance(field, CompiledOutput):
        return compiled_renderer(type(field))
    raise TypeError(
        f"{type(field).__name__} '{field.field_name}' cannot be rendered by a compiled serializer; "
        "use a plain field type or drop CompiledOutput from the serializer."
    )


def _plan(serializer_class: type[serializers.Serializer]) -> Plan:
    plan = _plans.get(serializer_class)
    if plan is None:
        plan = []
        for name, field in serializer_class().fields.items():
            if field.write_only:
                continue
            if "." in field.source or field.source == "*":
                raise TypeError(f"'{name}' reads '{field.source}': compiled serializers read plain attributes.")
            plan.append((name, _reader(field.source), _converter(field)))
        _plans[serializer_class] = plan
    return plan


def compiled_renderer(serializer_class: type[serializers.Serializer]) -> Callable[[Any], dict[str, Any]]:
    """A function rendering one instance exactly as ``serializer_class`` would (one per class)."""
    renderer = _renderers.get(serializer_class)
    if renderer is None:

        def renderer(instance: Any) -> dict[str, Any]:
            output = {}
            for name, read, convert in _plan(serializer_class):
                value = read(instance)
                output[name] = None if value is None else convert(value)
            return output

        _renderers[serializer_class] = renderer
    return renderer


class CompiledOutput(serializers.Serializer):
    """Mix into an output-only serializer (before the DRF base) to render it from a plan."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return compiled_renderer(type(self))(instance)
