"""One CSV row -> the values of one lead, or the reasons it cannot be imported."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from crm_saas.errors import DomainError
from leads.attributes import FALSE_WORDS, TRUE_WORDS, coerce
from leads.imports.columns import OUTCOME_LOST, OUTCOME_WON, ImportPlan, is_missing
from leads.models import Lead, LeadStatus
from leads.services import TEXT_FIELDS

_MAX_LENGTHS = {name: Lead._meta.get_field(name).max_length for name in (*TEXT_FIELDS, "email", "external_id")}


@dataclass
class RowError:
    row: int
    column: str | None
    message: str


@dataclass
class ParsedRow:
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def _parse_created_at(text: str) -> datetime:
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise ValueError
        moment = datetime(day.year, day.month, day.day)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def _field_value(name: str, text: str) -> Any:
    if name == "email":
        email = text.lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError(f"'{text}' is not a valid e-mail address.") from exc
        return email
    if name == "referred":
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise DomainError(f"'{text}' is not yes/no.")
    if name == "status":
        status = text.lower()
        if status not in LeadStatus.values:
            raise DomainError(f"Unknown status '{text}' (use {', '.join(LeadStatus.values)}).")
        return status
    if name == "created_at":
        try:
            moment = _parse_created_at(text)
        except (ValueError, OverflowError) as exc:
            raise DomainError(f"'{text}' is not a date (use ISO 8601, e.g. 2025-03-31 or 2025-03-31T14:00).") from exc
        if moment > timezone.now():
            raise DomainError("The creation date is in the future.")
        return moment
    limit = _MAX_LENGTHS.get(name)
    if limit and len(text) > limit:
        raise DomainError(f"Longer than {limit} characters.")
    return text


def _outcome(text: str) -> str:
    word = text.lower()
    if word in OUTCOME_WON:
        return LeadStatus.CONVERTED
    if word in OUTCOME_LOST:
        return LeadStatus.LOST
    raise DomainError(f"'{text}' is not an outcome (use 1/0, yes/no, true/false or converted/lost).")


def row_parse(plan: ImportPlan, cells: list[str], *, line: int) -> ParsedRow:
    parsed = ParsedRow(line=line)
    if len(cells) > len(plan.columns) and any(cell.strip() for cell in cells[len(plan.columns) :]):
        parsed.errors.append(RowError(line, None, f"{len(cells)} values for {len(plan.columns)} columns."))
        return parsed
    for index, column in enumerate(plan.columns):
        text = cells[index].strip() if index < len(cells) else ""
        if column.use == "ignore" or is_missing(text):
            continue
        try:
            if column.use == "attribute":
                parsed.attributes[column.target] = coerce(text, column.type, key=column.target)
            elif column.use == "outcome":
                parsed.values["status"] = _outcome(text)
            else:
                parsed.values[column.target] = _field_value(column.target, text)
        except DomainError as error:
            parsed.errors.append(RowError(line, column.source, error.message))
    if not parsed.errors and not any(parsed.values.get(name) for name in ("name", "company", "email", "external_id")):
        parsed.errors.append(RowError(line, None, "The row has no name, company, e-mail or external id."))
    return parsed
