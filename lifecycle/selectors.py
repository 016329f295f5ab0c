"""Reads of customers and their events, always through the user's visibility (a rep: own customers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from crm_saas.errors import NotFoundError
from crm_saas.roles import Capability
from lifecycle.models import MILESTONE_KINDS, Customer, LifecycleEvent, NextAction, NextActionStatus, StageChange
from tenants.accounts.models import User

ORDERINGS = {
    "-signed_up_at": ("-signed_up_at", "-id"),
    "signed_up_at": ("signed_up_at", "id"),
    "-last_event_at": (F("last_event_at").desc(nulls_last=True), "-id"),
    "-mrr": ("-mrr", "-id"),
    "mrr": ("mrr", "id"),
    "name": ("name", "id"),
    "company": ("company", "id"),
}


def customers_visible_to(user: User) -> QuerySet[Customer]:
    customers = Customer.objects.select_related("owner")
    if user.has_capability(Capability.RECORDS_READ_ALL):
        return customers
    return customers.filter(owner=user)


@dataclass(frozen=True)
class CustomerFilters:
    status: str | None = None
    stage: str | None = None
    owner_id: int | None = None
    external_id: str | None = None
    plan: str | None = None
    search: str = ""
    ordering: str = "-signed_up_at"


def customer_list_for_user(*, user: User, filters: CustomerFilters | None = None) -> QuerySet[Customer]:
    filters = filters or CustomerFilters()
    customers = customers_visible_to(user)
    if filters.status:
        customers = customers.filter(status=filters.status)
    if filters.stage:
        customers = customers.filter(stage=filters.stage)
    if filters.owner_id:
        customers = customers.filter(owner_id=filters.owner_id)
    if filters.external_id:
        customers = customers.filter(external_id=filters.external_id)
    if filters.plan:
        customers = customers.filter(plan__iexact=filters.plan)
    if filters.search:
        term = filters.search
        customers = customers.filter(
            Q(name__icontains=term)
            | Q(company__icontains=term)
            | Q(email__icontains=term)
            | Q(phone__icontains=term)
            | Q(external_id__iexact=term)
        )
    latest_kind = LifecycleEvent.objects.filter(customer=OuterRef("pk")).order_by("-occurred_at", "-id").values("kind")
    customers = customers.annotate(last_event_kind=Subquery(latest_kind[:1]))
    return customers.order_by(*ORDERINGS.get(filters.ordering, ORDERINGS["-signed_up_at"]))


def customer_get_for_user(*, user: User, customer_id: Any) -> Customer:
    """A customer the user may see; missing and not-yours answer alike."""
    try:
        return customers_visible_to(user).get(pk=int(customer_id))
    except (Customer.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundError("Customer not found.") from exc


def customer_events(customer: Customer, *, kind: str | None = None) -> QuerySet[LifecycleEvent]:
    """The customer's events, newest first. Get ``customer`` with ``customer_get_for_user``."""
    events = customer.events.order_by("-occurred_at", "-id")
    return events.filter(kind=kind) if kind else events


def customer_milestones(customer: Customer) -> list[LifecycleEvent]:
    """The turns of the customer's story (sign-up, first purchase, plan changes, renewals,
    cancellation, reactivation), oldest first."""
    return list(customer.events.filter(kind__in=sorted(MILESTONE_KINDS)).order_by("occurred_at", "id"))


def customer_stage_history(customer: Customer) -> QuerySet[StageChange]:
    """The customer's stage changes, newest first. Get ``customer`` with ``customer_get_for_user``."""
    return customer.stage_changes.order_by("-changed_at", "-id")


def customer_open_actions(customer: Customer, *, limit: int = 3) -> list[NextAction]:
    """The customer's strongest open recommendations, best first."""
    actions = customer.next_actions.filter(status=NextActionStatus.OPEN).order_by("rank", "-strength", "id")
    return list(actions[:limit])
