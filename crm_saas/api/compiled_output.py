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
from datetime import datetime, tzinfo
from operator import attrgetter, itemgetter
from typing import Any

from django.conf import settings
from django.db.models.manager import BaseManager
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

# (name, source, convert, is_datetime): an ISO datetime is converted in the current time zone,
# looked up once per row rather than once per value (it lives in a context-local).
Plan = list[tuple[str, str, Callable[..., Any], bool]]
_plans: dict[type, Plan] = {}
_renderers: dict[type, Callable[[Any], dict[str, Any]]] = {}


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


def _datetime_renderer(field: serializers.DateTimeField) -> Callable[[Any, tzinfo], Any]:
    """DRF's ISO 8601 output (in the current time zone, UTC as 'Z') for the usual case, an aware
    datetime; anything else goes through the field itself."""

    def render(value: Any, zone: tzinfo) -> Any:
        if not isinstance(value, datetime) or value.tzinfo is None or not settings.USE_TZ:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render


def _converter(field: serializers.Field) -> tuple[Callable[..., Any], bool]:
    # Exact types: a subclass may change the output, so it is not assumed to behave the same.
    kind = type(field)
    if kind is serializers.IntegerField:
        return int, False
    if kind is serializers.FloatField:
        return float, False
    if kind in (serializers.CharField, serializers.EmailField):
        return str, False
    if kind is serializers.BooleanField:
        return _boolean, False
    if kind is serializers.DateTimeField and _iso_format(field) and not hasattr(field, "timezone"):
        return _datetime_renderer(field), True
    if kind in (
        serializers.DateTimeField,
        serializers.ChoiceField,
        serializers.JSONField,
        getattr(serializers, "BigIntegerField", serializers.IntegerField),
    ):
        # Output depends on the field's own options (format, current time zone, choices, big
        # integers as strings) and the value only: the field instance is safe to share.
        return field.to_representation, False
    if isinstance(field, serializers.ListSerializer) and isinstance(field.child, CompiledOutput):
        render = compiled_renderer(type(field.child))

        def render_many(value: Any) -> list[Any]:
            rows = value.all() if isinstance(value, BaseManager) else value
            return [render(row) for row in rows]

        return render_many, False
    if isinstance(field, CompiledOutput):
        return compiled_renderer(type(field)), False
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
            plan.append((name, field.source, *_converter(field)))
        _plans[serializer_class] = plan
    return plan


def compiled_renderer(serializer_class: type[serializers.Serializer]) -> Callable[[Any], dict[str, Any]]:
    """A function rendering one instance exactly as ``serializer_class`` would (one per class).

    The plan is worked out at the first render, not here: nested serializers are looked up while
    their parent's plan is built."""
    renderer = _renderers.get(serializer_class)
    if renderer is not None:
        return renderer
    readers: dict[str, Callable[[Any], Any]] = {}

    def renderer(instance: Any) -> dict[str, Any]:
        plan = _plan(serializer_class)
        if not readers:
            sources = [source for _, source, _, _ in plan]
            # One getter reads every field of a row; tuples come back even for a single field.
            readers["attribute"] = attrgetter(*sources) if len(sources) > 1 else lambda row: (getattr(row, sources[0]),)
            readers["item"] = itemgetter(*sources) if len(sources) > 1 else lambda row: (row[sources[0]],)
        read = readers["item"] if isinstance(instance, Mapping) else readers["attribute"]
        output = {}
        zone = None
        for (name, _, convert, is_datetime), value in zip(plan, read(instance), strict=True):
            if value is None:
                output[name] = None
            elif is_datetime:
                if zone is None:
                    zone = timezone.get_current_timezone()
                output[name] = convert(value, zone)
            else:
                output[name] = convert(value)
        return output

    _renderers[serializer_class] = renderer
    return renderer


class CompiledOutput(serializers.Serializer):
    """Mix into an output-only serializer (before the DRF base) to render it from a plan."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return compiled_renderer(type(self))(instance)
