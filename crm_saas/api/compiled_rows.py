"""Rows for a compiled serializer fetched with ``values()`` instead of as model instances.

A page of leads spends more CPU building model instances (and the owner's, with every column of
the user table) than the compiled renderer spends turning them into JSON. When every field of a
compiled serializer is a plain column of the queryset's model, or a nested compiled serializer over
a forward foreign key whose fields are plain columns of the related model, the page is fetched as
dictionaries of exactly those columns and rendered from them. The result is the same queryset
shape (lazy, countable, sliceable), so pagination does not change. Anything else returns None and
the caller keeps its queryset of instances.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable
from rest_framework import serializers

from crm_saas.api.compiled_output import CompiledOutput


@dataclass(frozen=True)
class _Nested:
    source: str  # the foreign key, e.g. "owner"
    pk_column: str  # e.g. "owner__id": None when the key is null
    columns: tuple[tuple[str, str], ...]  # (attribute on the nested row, values() column)


@dataclass(frozen=True)
class _Shape:
    columns: tuple[str, ...]
    nested: tuple[_Nested, ...]
    iterable: type[ValuesIterable]


_shapes: dict[tuple[type, type[Model]], _Shape | None] = {}


def _column(model: type[Model], source: str) -> Field | None:
    """The model's own stored column named ``source`` (not a relation), or None."""
    try:
        field = model._meta.get_field(source)
    except FieldDoesNotExist:
        return None
    if not getattr(field, "concrete", False) or field.is_relation:
        return None
    return field


def _nested(model: type[Model], source: str, serializer: CompiledOutput) -> _Nested | None:
    try:
        key = model._meta.get_field(source)
    except FieldDoesNotExist:
        return None
    if not (key.concrete and (key.many_to_one or key.one_to_one)):
        return None
    related = key.related_model
    columns = []
    for field in serializer.fields.values():
        if field.write_only:
            continue
        if isinstance(field, serializers.BaseSerializer) or _column(related, field.source) is None:
            return None
        columns.append((field.source, f"{source}__{field.source}"))
    return _Nested(source=source, pk_column=f"{source}__{related._meta.pk.attname}", columns=tuple(columns))


def _reshaping_iterable(nested: tuple[_Nested, ...]) -> type[ValuesIterable]:
    class NestedValuesIterable(ValuesIterable):
        def __iter__(self) -> Any:
            for row in super().__iter__():
                for relation in nested:
                    present = row[relation.pk_column] is not None
                    values = {name: row.pop(column) for name, column in relation.columns}
                    row.pop(relation.pk_column, None)  # when the nested output does not show the key
                    row[relation.source] = values if present else None
                yield row

    return NestedValuesIterable


def _shape(serializer_class: type[serializers.Serializer], model: type[Model]) -> _Shape | None:
    columns: list[str] = []
    nested: list[_Nested] = []
    for field in serializer_class().fields.values():
        if field.write_only:
            continue
        if isinstance(field, CompiledOutput):
            relation = _nested(model, field.source, field)
            if relation is None:
                return None
            nested.append(relation)
            columns += [column for _, column in relation.columns if column not in columns]
            if relation.pk_column not in columns:
                columns.append(relation.pk_column)
        elif _column(model, field.source) is not None:
            # Includes a JSON column rendered by a nested list serializer (its items are mappings).
            columns.append(field.source)
        else:
            return None
    return _Shape(columns=tuple(columns), nested=tuple(nested), iterable=_reshaping_iterable(tuple(nested)))


def compiled_rows(queryset: QuerySet, serializer_class: Any) -> QuerySet | None:
    """``queryset`` as the plain rows ``serializer_class`` renders, or None when it cannot be
    (``serializer_class`` may also be any callable making a serializer)."""
    if not isinstance(serializer_class, type) or not issubclass(serializer_class, CompiledOutput):
        return None
    if queryset._prefetch_related_lookups:
        return None
    if queryset._iterable_class is not ModelIterable:
        return None  # already values() or values_list(): leave it as the caller made it
    key = (serializer_class, queryset.model)
    if key not in _shapes:
        _shapes[key] = _shape(serializer_class, queryset.model)
    shape = _shapes[key]
    if shape is None:
        return None
    rows = queryset.values(*shape.columns)
    rows._iterable_class = shape.iterable
    return rows
