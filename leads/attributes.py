"""Typed custom attributes: values are checked (and coerced) against the tenant's CustomFields."""

from __future__ import annotations

from typing import Any

from crm_saas.attributes import FALSE_WORDS as FALSE_WORDS
from crm_saas.attributes import MAX_TEXT as MAX_TEXT
from crm_saas.attributes import TRUE_WORDS as TRUE_WORDS
from crm_saas.attributes import attribute_key as attribute_key
from crm_saas.attributes import attributes_clean_for
from crm_saas.attributes import coerce as coerce
from crm_saas.attributes import infer_type as infer_type
from leads.models import CustomField


def attributes_clean(raw: Any, *, create_missing: bool = True) -> dict[str, Any]:
    """Check a mapping of attribute key -> value against the tenant's lead custom fields.

    Keys the tenant has not seen before become new custom fields typed from their values.
    """
    return attributes_clean_for(raw, field_model=CustomField, create_missing=create_missing)
