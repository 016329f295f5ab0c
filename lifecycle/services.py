"""Writes for customers and their lifecycle events, with the acting user's permissions applied.

A customer's status follows its events: the latest cancellation or reactivation (by the time it
occurred, not the time it was recorded, so imports may bring events in any order) decides whether
it is churned (with ``churned_at``) or active.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from crm_saas.attributes import attributes_clean_for
from crm_saas.errors import ConflictError, DomainError, PermissionDeniedError
from crm_saas.roles import Capability
from lifecycle.churn.refresh import customer_rescore_soon
from lifecycle.models import (
    STATUS_KINDS,
    TICKET_KINDS,
    Customer,
    CustomerField,
    CustomerStatus,
    EventKind,
    LifecycleEvent,
    Severity,
)
from lifecycle.stages.service import customer_stages_refresh_soon
from tenants.accounts.models import User

TEXT_FIELDS = ("name", "company", "phone", "plan")
EDITABLE_FIELDS = (*TEXT_FIELDS, "email", "mrr", "owner", "attributes", "external_id", "signed_up_at")
FUTURE_TOLERANCE = timedelta(minutes=5)
NOTE_MAX_LENGTH = 2000


# --- customers ---------------------------------------------------------------------------------


def clean_email(email: str | None) -> str:
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError(f"'{email}' is not a valid e-mail address.", field="email") from exc
    return email


def clean_money(value: Any, *, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(f"'{value}' is not an amount.", field=field) from exc
    if not amount.is_finite() or amount < 0:
        raise DomainError("The amount cannot be negative.", field=field)
    if amount >= Decimal("1e10"):
        raise DomainError("The amount is too large.", field=field)
    return amount.quantize(Decimal("0.01"))


def _owner_for(*, actor: User, owner: User | None, current: User | None) -> User | None:
    """Reps may only keep customers for themselves; managers and admins assign anyone active."""
    if owner is not None and not owner.is_active:
        raise DomainError("The owner must be an active user.", field="owner")
    if owner != current and not actor.has_capability(Capability.RECORDS_WRITE_ALL) and owner != actor:
        raise PermissionDeniedError("Only managers and admins can assign customers to someone else.", field="owner")
    return owner


def _external_id(value: Any, *, customer: Customer) -> str | None:
    value = (str(value).strip() if value is not None else "") or None
    if value and Customer.objects.filter(external_id=value).exclude(pk=customer.pk).exists():
        raise ConflictError(f"Another customer already has external id '{value}'.", field="external_id")
    return value


def _not_future(moment: datetime, *, field: str, what: str) -> datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + FUTURE_TOLERANCE:
        raise DomainError(f"The {what} cannot be in the future.", field=field)
    return moment


def _apply(customer: Customer, *, actor: User, data: dict[str, Any]) -> None:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        hint = " Record a cancellation or reactivation event instead." if "status" in unknown else ""
        raise DomainError(f"Unknown or read-only customer field(s): {', '.join(sorted(unknown))}.{hint}")
    for name in TEXT_FIELDS:
        if name in data:
            setattr(customer, name, (data[name] or "").strip()[: Customer._meta.get_field(name).max_length])
    if "email" in data:
        customer.email = clean_email(data["email"])
    if "mrr" in data:
        customer.mrr = clean_money(data["mrr"] if data["mrr"] is not None else 0, field="mrr")
    if "external_id" in data:
        customer.external_id = _external_id(data["external_id"], customer=customer)
    if "attributes" in data:
        customer.attributes = {
            **customer.attributes,
            **attributes_clean_for(data["attributes"], field_model=CustomerField),
        }
    if "owner" in data:
        customer.owner = _owner_for(actor=actor, owner=data["owner"], current=customer.owner)
    if data.get("signed_up_at"):
        customer.signed_up_at = _not_future(data["signed_up_at"], field="signed_up_at", what="sign-up date")


def _require_identity(customer: Customer) -> None:
    if not (customer.name or customer.company or customer.email or customer.external_id):
        raise DomainError("Give the customer at least a name, a company, an e-mail or an external id.", field="name")


@transaction.atomic
def customer_create(*, actor: User, data: dict[str, Any]) -> Customer:
    """A new active customer owned by ``actor`` (or the owner given), with its sign-up event."""
    customer = Customer(owner=actor, created_at=timezone.now())
    _apply(customer, actor=actor, data=data)
    _require_identity(customer)
    customer.last_event_at = customer.signed_up_at
    customer.save()
    LifecycleEvent.objects.create(customer=customer, kind=EventKind.SIGNUP, occurred_at=customer.signed_up_at)
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, actor: User, data: dict[str, Any]) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _apply(customer, actor=actor, data=data)
    _require_identity(customer)
    customer.save()
    return customer


# --- events ------------------------------------------------------------------------------------


def event_values_clean(
    *,
    kind: str,
    occurred_at: datetime | None = None,
    amount: Any = None,
    severity: str | None = None,
    score: Any = None,
    quantity: Any = None,
    note: str | None = "",
    metadata: dict | None = None,
) -> dict[str, Any]:
    """The checked values of one event (for ``LifecycleEvent(**values)``); DomainError naming the field."""
    if kind not in EventKind.values:
        raise DomainError(f"Unknown event '{kind}'. Choose one of: {', '.join(EventKind.values)}.", field="kind")
    occurred_at = _not_future(occurred_at or timezone.now(), field="occurred_at", what="event")
    if severity in ("", None):
        severity = None
    elif kind not in TICKET_KINDS:
        raise DomainError("Only support tickets have a severity.", field="severity")
    elif severity not in Severity.values:
        raise DomainError(f"Unknown severity '{severity}' (use {', '.join(Severity.values)}).", field="severity")
    if score not in (None, ""):
        if kind != EventKind.NPS:
            raise DomainError("Only NPS responses have a score.", field="score")
        try:
            score = int(score)
        except (TypeError, ValueError) as exc:
            raise DomainError(f"'{score}' is not a whole number.", field="score") from exc
        if not 0 <= score <= 10:
            raise DomainError("An NPS score is between 0 and 10.", field="score")
    else:
        score = None
    if kind == EventKind.NPS and score is None:
        raise DomainError("An NPS response needs a score from 0 to 10.", field="score")
    amount = None if amount in (None, "") else clean_money(amount, field="amount")
    if quantity not in (None, ""):
        try:
            quantity = float(quantity)
        except (TypeError, ValueError) as exc:
            raise DomainError(f"'{quantity}' is not a number.", field="quantity") from exc
        if not quantity >= 0 or quantity == float("inf"):
            raise DomainError("The quantity cannot be negative.", field="quantity")
    else:
        quantity = None
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise DomainError(f"The note is longer than {NOTE_MAX_LENGTH} characters.", field="note")
    if metadata is not None and not isinstance(metadata, dict):
        raise DomainError("Metadata must be an object.", field="metadata")
    return {
        "kind": kind,
        "occurred_at": occurred_at,
        "amount": amount,
        "severity": severity,
        "score": score,
        "quantity": quantity,
        "note": note,
        "metadata": metadata or {},
    }


@transaction.atomic
def lifecycle_event_add(
    *,
    customer: Customer,
    kind: str,
    occurred_at: datetime | None = None,
    amount: Any = None,
    severity: str | None = None,
    score: Any = None,
    quantity: Any = None,
    note: str = "",
    metadata: dict | None = None,
) -> LifecycleEvent:
    """Record an event; a cancellation or reactivation updates the customer's status."""
    values = event_values_clean(
        kind=kind,
        occurred_at=occurred_at,
        amount=amount,
        severity=severity,
        score=score,
        quantity=quantity,
        note=note,
        metadata=metadata,
    )
    event = LifecycleEvent.objects.create(customer=customer, **values)
    customers_after_events(customer_ids=[customer.pk], status_changed=kind in STATUS_KINDS)
    customer_rescore_soon(customer_id=customer.pk)  # churn risk and next actions, after commit, debounced
    customer.refresh_from_db(fields=["status", "churned_at", "last_event_at"])
    return event


def customers_after_events(*, customer_ids: Iterable[int], status_changed: bool = True) -> None:
    """Bring customers in line with their events, in bulk: ``last_event_at`` and (when status
    events were added) the status from the latest cancellation or reactivation."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    latest = dict(
        LifecycleEvent.objects.filter(customer_id__in=ids)
        .values("customer_id")
        .annotate(at=Max("occurred_at"))
        .values_list("customer_id", "at")
    )
    turns: dict[int, tuple[str, datetime]] = {}
    if status_changed:
        rows = (
            LifecycleEvent.objects.filter(customer_id__in=ids, kind__in=sorted(STATUS_KINDS))
            .order_by("customer_id", "-occurred_at", "-id")
            .distinct("customer_id")
            .values_list("customer_id", "kind", "occurred_at")
        )
        turns = {customer_id: (kind, at) for customer_id, kind, at in rows}
    changed = []
    for customer in Customer.objects.filter(pk__in=ids).only("id", "status", "churned_at", "last_event_at"):
        before = (customer.status, customer.churned_at, customer.last_event_at)
        customer.last_event_at = latest.get(customer.pk)
        if customer.pk in turns:
            kind, at = turns[customer.pk]
            churned = kind == EventKind.CANCELLATION
            customer.status = CustomerStatus.CHURNED if churned else CustomerStatus.ACTIVE
            customer.churned_at = at if churned else None
        if (customer.status, customer.churned_at, customer.last_event_at) != before:
            changed.append(customer)
    Customer.objects.bulk_update(changed, ["status", "churned_at", "last_event_at"], batch_size=1000)
    customer_stages_refresh_soon(customer_ids=ids)  # debounced, after the commit


# --- lead conversion ---------------------------------------------------------------------------


def customers_from_leads(*, leads: Sequence[Any], actor: User | None) -> list[Customer]:
    """The customer account of each converted lead (same order), created or linked in bulk.

    Idempotent: a lead already linked returns its customer. Otherwise an existing customer with the
    lead's external id or e-mail is linked to it; failing that a customer is created from the lead
    (owned by the lead's owner) with a sign-up event at the lead's conversion time. Registered as a
    lead conversion hook (lifecycle/apps.py), so it runs wherever a lead becomes converted.
    """
    leads = [lead for lead in leads if lead.pk is not None]
    if not leads:
        return []
    now = timezone.now()
    result: dict[int, Customer] = {
        customer.lead_id: customer for customer in Customer.objects.filter(lead_id__in=[lead.pk for lead in leads])
    }
    pending = [lead for lead in leads if lead.pk not in result]
    by_external_id: dict[str, Customer] = {}
    by_email: dict[str, Customer] = {}
    if pending:
        external_ids = {lead.external_id for lead in pending if lead.external_id}
        emails = {lead.email.lower() for lead in pending if lead.email}
        for customer in Customer.objects.filter(external_id__in=external_ids):
            by_external_id[customer.external_id] = customer
        for customer in Customer.objects.filter(email__in=emails).order_by("id"):
            by_email.setdefault(customer.email, customer)
    created: list[Customer] = []
    linked: list[Customer] = []
    claimed: set[int] = set()
    for lead in pending:
        email = (lead.email or "").lower()
        match = by_external_id.get(lead.external_id or "") or by_email.get(email)
        if match is not None:
            if match.lead_id is None and id(match) not in claimed:
                match.lead_id = lead.pk
                claimed.add(id(match))
                if match.pk is not None:
                    linked.append(match)
            result[lead.pk] = match
            continue
        signed_up_at = lead.converted_at or now
        customer = Customer(
            name=lead.name,
            company=lead.company,
            email=email,
            phone=lead.phone,
            external_id=lead.external_id or None,
            lead_id=lead.pk,
            owner_id=lead.owner_id or (actor.pk if actor else None),
            signed_up_at=signed_up_at,
            last_event_at=signed_up_at,
            created_at=now,
        )
        claimed.add(id(customer))
        created.append(customer)
        result[lead.pk] = customer
        if customer.external_id:
            by_external_id[customer.external_id] = customer
        if email:
            by_email[email] = customer
    Customer.objects.bulk_create(created, batch_size=1000)
    if linked:
        Customer.objects.bulk_update(linked, ["lead"], batch_size=1000)
    LifecycleEvent.objects.bulk_create(
        [
            LifecycleEvent(
                customer=customer,
                kind=EventKind.SIGNUP,
                occurred_at=customer.signed_up_at,
                metadata={"lead_id": customer.lead_id},
            )
            for customer in created
        ],
        batch_size=1000,
    )
    return [result[lead.pk] for lead in leads]


def customer_from_lead(*, lead: Any, actor: User | None) -> Customer:
    """The customer account of one converted lead (see ``customers_from_leads``)."""
    if getattr(lead, "converted_at", None) is None:
        raise DomainError("Only a converted lead becomes a customer.", field="lead")
    with transaction.atomic():
        return customers_from_leads(leads=[lead], actor=actor)[0]
