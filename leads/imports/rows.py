"""One CSV row -> the values of one lead, or the reasons it cannot be imported."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from crm_saas.attributes import FALSE_WORDS, TRUE_WORDS
from crm_saas.errors import DomainError
from crm_saas.imports.rows import ParsedRow as ParsedRow
from crm_saas.imports.rows import RowError as RowError
from crm_saas.imports.rows import past_moment, row_parse_with
from leads.imports.columns import OUTCOME_LOST, OUTCOME_WON, ImportPlan
from leads.models import Lead, LeadStatus
from leads.services import TEXT_FIELDS

_MAX_LENGTHS = {name: Lead._meta.get_field(name).max_length for name in (*TEXT_FIELDS, "email", "external_id")}


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
        return past_moment(text, what="creation date")
    limit = _MAX_LENGTHS.get(name)
    if limit and len(text) > limit:
        raise DomainError(f"Longer than {limit} characters.")
    return text


def _outcome(text: str) -> dict[str, Any]:
    word = text.lower()
    if word in OUTCOME_WON:
        return {"status": LeadStatus.CONVERTED}
    if word in OUTCOME_LOST:
        return {"status": LeadStatus.LOST}
    raise DomainError(f"'{text}' is not an outcome (use 1/0, yes/no, true/false or converted/lost).")


def row_parse(plan: ImportPlan, cells: list[str], *, line: int) -> ParsedRow:
    parsed = row_parse_with(plan, cells, line=line, field_value=_field_value, outcome=_outcome)
    if not parsed.errors and not any(parsed.values.get(name) for name in ("name", "company", "email", "external_id")):
        parsed.errors.append(RowError(line, None, "The row has no name, company, e-mail or external id."))
    return parsed
