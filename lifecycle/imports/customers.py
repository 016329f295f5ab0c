"""Customer CSV import: columns matching customer fields fill them, every other column becomes a
typed custom attribute, the outcome column (churned yes/no) sets the status, and re-imports update
by external id. New customers get a sign-up event; a change of status is recorded as a
cancellation or reactivation event, so the status keeps following the events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import Task
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from crm_saas.errors import DomainError
from crm_saas.imports.columns import ImportPlan
from crm_saas.imports.engine import BATCH_ROWS, BatchResult, ImportSpec
from crm_saas.imports.rows import ParsedRow, RowError, past_moment, row_parse_with
from lifecycle.models import Customer, CustomerField, CustomerStatus, EventKind, LifecycleEvent
from lifecycle.services import clean_money, customers_after_events
from tenants.accounts.models import User

JOB_KIND = "lifecycle.customer_import"
UPLOADS = ("uploads", "customer-imports")

FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full_name", "contact", "contact_name", "customer_name", "person"),
    "company": ("company", "company_name", "organization", "organisation", "account", "account_name"),
    "email": ("email", "e_mail", "email_address", "mail"),
    "phone": ("phone", "phone_number", "mobile", "telephone", "tel"),
    "plan": ("plan", "plan_name", "subscription", "tier", "package"),
    "mrr": ("mrr", "monthly_revenue", "monthly_recurring_revenue", "monthly_charges", "monthlycharges", "monthly_fee"),
    "status": ("status", "customer_status"),
    "signed_up_at": ("signed_up_at", "signup_date", "sign_up_date", "signed_up", "customer_since", "start_date"),
    "churned_at": ("churned_at", "churn_date", "cancelled_at", "canceled_at", "cancellation_date"),
    "external_id": ("external_id", "customer_id", "customerid", "account_id"),
}
CUSTOMER_FIELDS = frozenset(FIELD_SYNONYMS)

OUTCOME_CHURNED = frozenset({"1", "yes", "y", "true", "t", "churned", "churn", "cancelled", "canceled", "lost"})
OUTCOME_RETAINED = frozenset({"0", "no", "n", "false", "f", "active", "retained", "stayed", "renewed"})
_MAX_LENGTHS = {
    name: Customer._meta.get_field(name).max_length for name in ("name", "company", "phone", "plan", "external_id")
}


def _field_value(name: str, text: str) -> Any:
    if name == "email":
        email = text.lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError(f"'{text}' is not a valid e-mail address.") from exc
        return email
    if name == "mrr":
        return clean_money(text.lstrip("$€£ "), field="mrr")
    if name == "status":
        status = text.lower()
        if status not in CustomerStatus.values:
            raise DomainError(f"Unknown status '{text}' (use {', '.join(CustomerStatus.values)}).")
        return status
    if name == "signed_up_at":
        return past_moment(text, what="sign-up date")
    if name == "churned_at":
        return past_moment(text, what="churn date")
    limit = _MAX_LENGTHS.get(name)
    if limit and len(text) > limit:
        raise DomainError(f"Longer than {limit} characters.")
    return text


def _outcome(text: str) -> dict[str, Any]:
    word = text.lower()
    if word in OUTCOME_CHURNED:
        return {"status": CustomerStatus.CHURNED}
    if word in OUTCOME_RETAINED:
        return {"status": CustomerStatus.ACTIVE}
    raise DomainError(f"'{text}' is not an outcome (use yes/no, 1/0, true/false or churned/active).")


def row_parse(plan: ImportPlan, cells: list[str], line: int) -> ParsedRow:
    parsed = row_parse_with(plan, cells, line=line, field_value=_field_value, outcome=_outcome)
    values = parsed.values
    if not parsed.errors and not any(values.get(name) for name in ("name", "company", "email", "external_id")):
        parsed.errors.append(RowError(line, None, "The row has no name, company, e-mail or external id."))
    if values.get("churned_at") and values.get("status") == CustomerStatus.ACTIVE:
        parsed.errors.append(RowError(line, None, "The row has a churn date but says the customer did not churn."))
    if values.get("churned_at") and values.get("signed_up_at") and values["churned_at"] < values["signed_up_at"]:
        parsed.errors.append(RowError(line, None, "The churn date is before the sign-up date."))
    return parsed


def _ensure_custom_fields(plan: ImportPlan) -> None:
    existing = set(CustomerField.objects.values_list("key", flat=True))
    CustomerField.objects.bulk_create(
        [
            CustomerField(key=column.target, label=column.source[:200] or column.target, type=column.type)
            for column in plan.columns
            if column.use == "attribute" and column.target not in existing
        ],
        ignore_conflicts=True,
    )


def _status_event(
    customer: Customer, status: str, churned_at: datetime | None, *, now: datetime
) -> LifecycleEvent | None:
    """Set the status and return the event that records the change (None if nothing changed)."""
    if status == CustomerStatus.CHURNED:
        at = churned_at or customer.churned_at or now
        if customer.status == CustomerStatus.CHURNED and customer.churned_at == at:
            return None
        customer.status, customer.churned_at = CustomerStatus.CHURNED, at
        return LifecycleEvent(customer=customer, kind=EventKind.CANCELLATION, occurred_at=at, metadata={"import": True})
    if customer.status == CustomerStatus.ACTIVE:
        return None
    customer.status, customer.churned_at = CustomerStatus.ACTIVE, None
    return LifecycleEvent(customer=customer, kind=EventKind.REACTIVATION, occurred_at=now, metadata={"import": True})


def _write_batch(rows: list[ParsedRow], actor: User | None) -> BatchResult:
    now = timezone.now()
    by_external_id: dict[str, ParsedRow] = {}
    anonymous: list[ParsedRow] = []
    for row in rows:
        external_id = row.values.get("external_id")
        if external_id:
            by_external_id[external_id] = row  # the last row for an id wins
        else:
            anonymous.append(row)
    existing = {
        customer.external_id: customer for customer in Customer.objects.filter(external_id__in=list(by_external_id))
    }
    created: list[Customer] = []
    changed: list[Customer] = []
    events: list[LifecycleEvent] = []
    for row in [*by_external_id.values(), *anonymous]:
        values = dict(row.values)
        status = values.pop("status", None)
        churned_at = values.pop("churned_at", None)
        if churned_at and not status:
            status = CustomerStatus.CHURNED
        customer = existing.get(values.get("external_id")) if values.get("external_id") else None
        if customer is None:
            customer = Customer(owner=actor, created_at=now, signed_up_at=values.pop("signed_up_at", now))
            created.append(customer)
            events.append(LifecycleEvent(customer=customer, kind=EventKind.SIGNUP, occurred_at=customer.signed_up_at))
        else:
            changed.append(customer)
        for name, value in values.items():
            setattr(customer, name, value)
        customer.attributes = {**customer.attributes, **row.attributes}
        if status and (event := _status_event(customer, status, churned_at, now=now)):
            events.append(event)
    Customer.objects.bulk_create(created, batch_size=BATCH_ROWS)
    if changed:
        fields = sorted(
            {name for row in rows for name in row.values if name not in {"status", "churned_at"}}
            | {"attributes", "status", "churned_at", "updated_at"}
        )
        for customer in changed:
            customer.updated_at = now
        Customer.objects.bulk_update(changed, fields, batch_size=BATCH_ROWS)
    for event in events:
        event.customer_id = event.customer.pk  # assigned by bulk_create after the event was built
    LifecycleEvent.objects.bulk_create(events, batch_size=BATCH_ROWS)
    customers_after_events(customer_ids={event.customer_id for event in events})
    return BatchResult(created=len(created), updated=len(changed))


def _task() -> Task:
    from lifecycle.tasks import customer_import_task

    return customer_import_task


SPEC = ImportSpec(
    job_kind=JOB_KIND,
    uploads=UPLOADS,
    entity="customer",
    fields=FIELD_SYNONYMS,
    row_parse=row_parse,
    write_batch=_write_batch,
    task=_task,
    existing_types=lambda: dict(CustomerField.objects.values_list("key", "type")),
    prepare=_ensure_custom_fields,
)
