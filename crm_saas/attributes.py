"""Typed custom attributes shared by every app that keeps them (leads, customers).

An app stores values in a JSON ``attributes`` column and their types in its own field model (any
model with ``key``, ``label`` and ``type``); the values are checked and coerced here.
"""

from __future__ import annotations

import math
import re
from typing import Any

from django.db import models

from crm_saas.errors import DomainError

_KEY_RE = re.compile(r"[^a-z0-9]+")
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "f"})
MAX_TEXT = 2000


class AttributeType(models.TextChoices):
    NUMBER = "number", "Number"
    CATEGORY = "category", "Category"
    BOOLEAN = "boolean", "Yes/no"
    TEXT = "text", "Text"


def attribute_key(label: str) -> str:
    """A stable key for a column label: 'Total Time Spent (min)' -> 'total_time_spent_min'."""
    key = _KEY_RE.sub("_", label.strip().lower()).strip("_")[:100]
    return key or "column"


def infer_type(value: Any) -> str:
    if isinstance(value, bool):
        return AttributeType.BOOLEAN
    if isinstance(value, int | float):
        return AttributeType.NUMBER
    return AttributeType.TEXT


def coerce(value: Any, field_type: str, *, key: str) -> Any:
    """The value as the field's type, None for blank; DomainError naming the attribute otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if field_type == AttributeType.NUMBER:
        try:
            number = float(str(value).strip().replace(",", "")) if not isinstance(value, int | float) else float(value)
        except ValueError as exc:
            raise DomainError(f"'{value}' is not a number.", field=f"attributes.{key}") from exc
        if not math.isfinite(number) or isinstance(value, bool):
            raise DomainError(f"'{value}' is not a number.", field=f"attributes.{key}")
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if field_type == AttributeType.BOOLEAN:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise DomainError(f"'{value}' is not yes/no.", field=f"attributes.{key}")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise DomainError(f"Longer than {MAX_TEXT} characters.", field=f"attributes.{key}")
    return text


def attributes_clean_for(raw: Any, *, field_model: type[models.Model], create_missing: bool = True) -> dict[str, Any]:
    """Check a mapping of attribute key -> value against ``field_model``'s rows (key, label, type).

    Keys not seen before become new fields typed from their values.
    """
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise DomainError("Attributes must be an object of name -> value.", field="attributes")
    fields = {field.key: field for field in field_model.objects.filter(key__in=[attribute_key(k) for k in raw])}
    cleaned: dict[str, Any] = {}
    for label, value in raw.items():
        key = attribute_key(str(label))
        field = fields.get(key)
        if field is None:
            if not create_missing:
                raise DomainError(f"Unknown attribute '{label}'.", field=f"attributes.{key}")
            field = field_model.objects.create(key=key, label=str(label)[:200], type=infer_type(value))
            fields[key] = field
        coerced = coerce(value, field.type, key=key)
        if coerced is not None:
            cleaned[key] = coerced
    return cleaned
