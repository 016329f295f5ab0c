"""How each CSV column is used: a field of the record, the outcome, the external id, or a typed
custom attribute. Inferred from the header and a sample of rows; a caller's mapping takes precedence."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from crm_saas.attributes import FALSE_WORDS, TRUE_WORDS, AttributeType, attribute_key
from crm_saas.errors import DomainError

# Values that web forms and spreadsheets use for "nothing here".
MISSING_TOKENS = frozenset({"", "select", "na", "n/a", "nan", "null", "none", "-", "--", "?", "undefined"})
CATEGORY_MAX_DISTINCT = 60
CATEGORY_MAX_LENGTH = 60

_NUMBER_RE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def is_missing(value: str | None) -> bool:
    return value is None or value.strip().lower() in MISSING_TOKENS


def looks_numeric(value: str) -> bool:
    text = value.strip()
    return bool(text) and bool(_NUMBER_RE.match(text)) and any(ch.isdigit() for ch in text)


@dataclass
class ColumnPlan:
    source: str  # the CSV header as written
    use: str  # "field", "attribute", "outcome", "external_id" or "ignore"
    target: str = ""  # field name or attribute key
    type: str = ""  # attribute type (AttributeType) when use == "attribute"
    missing_share: float = 0.0
    examples: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    columns: list[ColumnPlan]

    def to_dict(self) -> dict[str, Any]:
        return {"columns": [asdict(column) for column in self.columns]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportPlan:
        return cls(columns=[ColumnPlan(**column) for column in data["columns"]])


def infer_attribute_type(values: Iterable[str]) -> str:
    present = [value.strip() for value in values if not is_missing(value)]
    if not present:
        return AttributeType.TEXT
    lowered = {value.lower() for value in present}
    if lowered <= TRUE_WORDS | FALSE_WORDS:
        return AttributeType.BOOLEAN
    if all(looks_numeric(value) for value in present):
        return AttributeType.NUMBER
    distinct = set(present)
    if len(distinct) <= CATEGORY_MAX_DISTINCT and max(len(value) for value in distinct) <= CATEGORY_MAX_LENGTH:
        return AttributeType.CATEGORY
    return AttributeType.TEXT


def plan_build(
    *,
    header: list[str],
    sample: list[list[str]],
    fields: Mapping[str, tuple[str, ...]],
    entity: str = "record",
    mapping: dict[str, str] | None = None,
    outcome_column: str | None = None,
    external_id_column: str | None = None,
    existing_types: dict[str, str] | None = None,
) -> ImportPlan:
    """Decide how each column is used. ``fields`` maps each field of the record to the normalised
    column names that mean it. Raises DomainError for options naming unknown columns or fields."""
    mapping = dict(mapping or {})
    existing_types = existing_types or {}
    synonym_to_field = {synonym: name for name, synonyms in fields.items() for synonym in synonyms}
    known = set(header)
    for option, column in (("outcome_column", outcome_column), ("external_id_column", external_id_column)):
        if column and column not in known:
            raise DomainError(f"The file has no column '{column}'.", field=option)
    for column, target in mapping.items():
        if column not in known:
            raise DomainError(f"The mapping names a column the file does not have: '{column}'.", field="mapping")
        if target not in fields and target != "ignore":
            raise DomainError(
                f"'{target}' is not a {entity} field (use one of {', '.join(sorted(fields))} or 'ignore').",
                field="mapping",
            )

    columns: list[ColumnPlan] = []
    taken: set[str] = set()
    attribute_keys: set[str] = set()
    for index, source in enumerate(header):
        values = [row[index] if index < len(row) else "" for row in sample]
        missing = sum(1 for value in values if is_missing(value))
        plan = ColumnPlan(
            source=source,
            use="ignore",
            missing_share=round(missing / len(values), 3) if values else 0.0,
            examples=_examples(values),
        )
        if not source.strip() and missing >= 0.95 * len(values):
            plan.use = "ignore"  # a nameless, (nearly) empty column, e.g. a trailing comma on every line
        elif source == outcome_column:
            plan.use = "outcome"
        elif source == external_id_column:
            plan.use, plan.target = "external_id", "external_id"
        elif source in mapping:
            target = mapping[source]
            plan.use, plan.target = ("ignore", "") if target == "ignore" else ("field", target)
        elif (field_name := synonym_to_field.get(normalise(source))) and field_name not in taken:
            plan.use, plan.target = "field", field_name
        else:
            key = attribute_key(source or f"column_{index + 1}")
            if key in attribute_keys:
                key = f"{key}_{index + 1}"
            attribute_keys.add(key)
            plan.use, plan.target = "attribute", key
            plan.type = existing_types.get(key) or infer_attribute_type(values)
        if plan.use == "field" and plan.target == "external_id":
            plan.use = "external_id"
        if plan.use in {"field", "external_id"}:
            if plan.target in taken:
                raise DomainError(f"Two columns map to the {entity} field '{plan.target}'.", field="mapping")
            taken.add(plan.target)
        columns.append(plan)
    return ImportPlan(columns=columns)


def _examples(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if not is_missing(value) and value not in seen:
            seen.append(value[:60])
        if len(seen) == 3:
            break
    return seen
