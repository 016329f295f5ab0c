"""How each CSV column is used: a lead field, the outcome, the external id, or a typed custom
attribute. Inferred from the header and a sample of rows; a caller's mapping takes precedence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from crm_saas.errors import DomainError
from leads.attributes import FALSE_WORDS, TRUE_WORDS, attribute_key
from leads.models import CustomFieldType

# Values that web forms and spreadsheets use for "nothing here".
MISSING_TOKENS = frozenset({"", "select", "na", "n/a", "nan", "null", "none", "-", "--", "?", "undefined"})
CATEGORY_MAX_DISTINCT = 60
CATEGORY_MAX_LENGTH = 60

# Lead fields and the column names (normalised) that mean them.
FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full_name", "contact", "contact_name", "lead_name", "person"),
    "company": ("company", "company_name", "organization", "organisation", "account", "account_name"),
    "email": ("email", "e_mail", "email_address", "mail"),
    "phone": ("phone", "phone_number", "mobile", "telephone", "tel"),
    "title": ("title", "job_title", "position"),
    "industry": ("industry", "sector"),
    "company_size": ("company_size", "employees", "headcount", "number_of_employees"),
    "country": ("country",),
    "city": ("city", "town"),
    "source": ("source", "lead_source"),
    "utm_source": ("utm_source",),
    "utm_medium": ("utm_medium",),
    "utm_campaign": ("utm_campaign", "campaign"),
    "platform": ("platform", "origin", "lead_origin", "channel"),
    "referred": ("referred", "referral", "is_referral", "referred_by_customer"),
    "status": ("status", "lead_status", "stage"),
    "created_at": ("created_at", "created", "created_date", "creation_date", "date_created"),
    "external_id": ("external_id",),
}
LEAD_FIELDS = frozenset(FIELD_SYNONYMS)
_SYNONYM_TO_FIELD = {synonym: name for name, synonyms in FIELD_SYNONYMS.items() for synonym in synonyms}

OUTCOME_WON = frozenset({"1", "yes", "y", "true", "t", "converted", "won", "win"})
OUTCOME_LOST = frozenset({"0", "no", "n", "false", "f", "lost", "loss"})

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
    target: str = ""  # lead field name or attribute key
    type: str = ""  # attribute type (CustomFieldType) when use == "attribute"
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
        return CustomFieldType.TEXT
    lowered = {value.lower() for value in present}
    if lowered <= TRUE_WORDS | FALSE_WORDS:
        return CustomFieldType.BOOLEAN
    if all(looks_numeric(value) for value in present):
        return CustomFieldType.NUMBER
    distinct = set(present)
    if len(distinct) <= CATEGORY_MAX_DISTINCT and max(len(value) for value in distinct) <= CATEGORY_MAX_LENGTH:
        return CustomFieldType.CATEGORY
    return CustomFieldType.TEXT


def plan_build(
    *,
    header: list[str],
    sample: list[list[str]],
    mapping: dict[str, str] | None = None,
    outcome_column: str | None = None,
    external_id_column: str | None = None,
    existing_types: dict[str, str] | None = None,
) -> ImportPlan:
    """Decide how each column is used. Raises DomainError for options naming unknown columns."""
    mapping = dict(mapping or {})
    existing_types = existing_types or {}
    known = set(header)
    for option, column in (("outcome_column", outcome_column), ("external_id_column", external_id_column)):
        if column and column not in known:
            raise DomainError(f"The file has no column '{column}'.", field=option)
    for column, target in mapping.items():
        if column not in known:
            raise DomainError(f"The mapping names a column the file does not have: '{column}'.", field="mapping")
        if target not in LEAD_FIELDS and target != "ignore":
            raise DomainError(
                f"'{target}' is not a lead field (use one of {', '.join(sorted(LEAD_FIELDS))} or 'ignore').",
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
        elif (field_name := _SYNONYM_TO_FIELD.get(normalise(source))) and field_name not in taken:
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
                raise DomainError(f"Two columns map to the lead field '{plan.target}'.", field="mapping")
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
