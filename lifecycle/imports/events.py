"""Lifecycle event CSV import: one event per row, for a customer named by its external id.

Columns: the customer's external id, kind, occurred_at, amount, severity, score (NPS), quantity,
note; other columns are kept in the event's metadata. Rows are checked like events added one by
one (unknown kind, future date, severity only on tickets, NPS 0-10); a row naming no known
customer is reported. Importing the same file again adds nothing twice.
"""

from __future__ import annotations

from typing import Any

from celery import Task

from crm_saas.errors import DomainError
from crm_saas.imports.columns import ImportPlan, normalise
from crm_saas.imports.engine import BATCH_ROWS, BatchResult, ImportSpec
from crm_saas.imports.rows import ParsedRow, RowError, past_moment, row_parse_with
from lifecycle.models import STATUS_KINDS, Customer, LifecycleEvent
from lifecycle.services import customers_after_events, event_values_clean
from tenants.accounts.models import User

JOB_KIND = "lifecycle.event_import"
UPLOADS = ("uploads", "customer-event-imports")

FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": (
        "external_id",
        "customer",
        "customer_id",
        "customerid",
        "customer_external_id",
        "account_id",
    ),
    "kind": ("kind", "event", "event_type", "event_kind", "type"),
    "occurred_at": ("occurred_at", "date", "timestamp", "time", "event_date", "event_time", "occurred", "at"),
    "amount": ("amount", "value", "revenue", "price"),
    "severity": ("severity", "priority"),
    "score": ("score", "nps", "nps_score", "rating"),
    "quantity": ("quantity", "qty", "count", "usage", "sessions"),
    "note": ("note", "notes", "comment", "description"),
}
_EVENT_FIELDS = ("kind", "occurred_at", "amount", "severity", "score", "quantity", "note")


def _field_value(name: str, text: str) -> Any:
    if name == "kind":
        return normalise(text)  # "Ticket opened" -> "ticket_opened"
    if name == "occurred_at":
        return past_moment(text, what="event date")
    if name == "severity":
        return text.lower()
    if name == "external_id" and len(text) > 100:
        raise DomainError("Longer than 100 characters.")
    return text


def _no_outcome(text: str) -> dict[str, Any]:
    raise DomainError("Event imports have no outcome column.")


def row_parse(plan: ImportPlan, cells: list[str], line: int) -> ParsedRow:
    parsed = row_parse_with(plan, cells, line=line, field_value=_field_value, outcome=_no_outcome)
    if parsed.errors:
        return parsed
    columns = {column.target: column.source for column in plan.columns if column.use in {"field", "external_id"}}
    values = parsed.values
    for required, what in (
        ("external_id", "the customer's external id"),
        ("kind", "a kind"),
        ("occurred_at", "a date"),
    ):
        if not values.get(required):
            parsed.errors.append(RowError(line, columns.get(required), f"The row has no {what}."))
    if parsed.errors:
        return parsed
    try:
        cleaned = event_values_clean(
            **{name: values.get(name) for name in _EVENT_FIELDS}, metadata=dict(parsed.attributes)
        )
    except DomainError as error:
        parsed.errors.append(RowError(line, columns.get(error.field or ""), error.message))
        return parsed
    parsed.values = {**cleaned, "external_id": values["external_id"], "customer_column": columns.get("external_id")}
    return parsed


def _key(customer_id: int, values: dict[str, Any]) -> tuple:
    return (
        customer_id,
        values["kind"],
        values["occurred_at"],
        values["amount"],
        values["severity"],
        values["score"],
        values["quantity"],
        values["note"],
    )


def _write_batch(rows: list[ParsedRow], actor: User | None) -> BatchResult:
    external_ids = {row.values["external_id"] for row in rows}
    customers = dict(Customer.objects.filter(external_id__in=external_ids).values_list("external_id", "id"))
    result = BatchResult()
    known = [row for row in rows if row.values["external_id"] in customers]
    for row in rows:
        if row.values["external_id"] not in customers:
            message = f"No customer has external id '{row.values['external_id']}'."
            result.errors.append(RowError(row.line, row.values.get("customer_column"), message))
    seen = {
        _key(event.customer_id, vars(event))
        for event in LifecycleEvent.objects.filter(
            customer_id__in=set(customers.values()),
            occurred_at__in={row.values["occurred_at"] for row in known},
        )
    }
    events = []
    for row in known:
        values = {name: row.values[name] for name in (*_EVENT_FIELDS, "metadata")}
        customer_id = customers[row.values["external_id"]]
        event = LifecycleEvent(customer_id=customer_id, **values)
        key = _key(customer_id, vars(event))
        if key in seen:
            result.skipped += 1
            continue
        seen.add(key)
        events.append(event)
    LifecycleEvent.objects.bulk_create(events, batch_size=BATCH_ROWS)
    result.created = len(events)
    customers_after_events(
        customer_ids={event.customer_id for event in events},
        status_changed=any(event.kind in STATUS_KINDS for event in events),
    )
    return result


def _task() -> Task:
    from lifecycle.tasks import event_import_task

    return event_import_task


SPEC = ImportSpec(
    job_kind=JOB_KIND,
    uploads=UPLOADS,
    entity="event",
    fields=FIELD_SYNONYMS,
    row_parse=row_parse,
    write_batch=_write_batch,
    task=_task,
)
