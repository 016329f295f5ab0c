"""One CSV row -> the values of one record, or the reasons it cannot be imported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from crm_saas.attributes import coerce
from crm_saas.errors import DomainError
from crm_saas.imports.columns import ImportPlan, is_missing


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


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date or date-time (naive ones in the current time zone); ValueError otherwise."""
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise ValueError
        moment = datetime(day.year, day.month, day.day)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def past_moment(text: str, *, what: str) -> datetime:
    """A date cell that must not lie in the future; DomainError with a message the user can act on."""
    try:
        moment = parse_moment(text)
    except (ValueError, OverflowError) as exc:
        raise DomainError(f"'{text}' is not a date (use ISO 8601, e.g. 2025-03-31 or 2025-03-31T14:00).") from exc
    if moment > timezone.now():
        raise DomainError(f"The {what} is in the future.")
    return moment


def row_parse_with(
    plan: ImportPlan,
    cells: list[str],
    *,
    line: int,
    field_value: Callable[[str, str], Any],
    outcome: Callable[[str], dict[str, Any]],
) -> ParsedRow:
    """Parse ``cells`` through ``plan``: ``field_value(name, text)`` gives a field's value and
    ``outcome(text)`` the values the outcome column sets; both raise DomainError for bad cells."""
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
                parsed.values.update(outcome(text))
            else:
                parsed.values[column.target] = field_value(column.target, text)
        except DomainError as error:
            parsed.errors.append(RowError(line, column.source, error.message))
    return parsed
