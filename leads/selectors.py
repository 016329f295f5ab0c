"""Reads of leads, always through the user's visibility (a rep: own and assigned leads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet

from crm_saas.errors import NotFoundError
from crm_saas.roles import Capability
from leads.models import Lead
from tenants.accounts.models import User

ORDERINGS = {
    # Unscored leads go last either way.
    "-score": (F("score").desc(nulls_last=True), "-id"),
    "score": (F("score").asc(nulls_last=True), "id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "company": ("company", "id"),
    "-company": ("-company", "-id"),
}


def leads_visible_to(user: User) -> QuerySet[Lead]:
    leads = Lead.objects.select_related("owner")
    if user.has_capability(Capability.RECORDS_READ_ALL):
        return leads
    return leads.filter(Q(owner=user) | Q(created_by=user))


@dataclass(frozen=True)
class LeadFilters:
    status: str | None = None
    band: str | None = None
    owner_id: int | None = None
    source: str | None = None
    external_id: str | None = None
    search: str = ""
    created_after: datetime | None = None
    created_before: datetime | None = None
    ordering: str = "-created_at"


def lead_list_for_user(*, user: User, filters: LeadFilters | None = None) -> QuerySet[Lead]:
    filters = filters or LeadFilters()
    leads = leads_visible_to(user)
    if filters.status:
        leads = leads.filter(status=filters.status)
    if filters.band:
        leads = leads.filter(band=filters.band)
    if filters.owner_id:
        leads = leads.filter(owner_id=filters.owner_id)
    if filters.source:
        leads = leads.filter(source__iexact=filters.source)
    if filters.external_id:
        leads = leads.filter(external_id=filters.external_id)
    if filters.search:
        term = filters.search
        leads = leads.filter(
            Q(name__icontains=term) | Q(company__icontains=term) | Q(email__icontains=term) | Q(phone__icontains=term)
        )
    if filters.created_after:
        leads = leads.filter(created_at__gte=filters.created_after)
    if filters.created_before:
        leads = leads.filter(created_at__lt=filters.created_before)
    return leads.order_by(*ORDERINGS.get(filters.ordering, ORDERINGS["-created_at"]))


def lead_get_for_user(*, user: User, lead_id: Any) -> Lead:
    """A lead the user may see; missing and not-yours answer alike."""
    try:
        return leads_visible_to(user).get(pk=int(lead_id))
    except (Lead.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundError("Lead not found.") from exc


def score_distribution() -> list[dict[str, int]]:
    """Open and closed leads per band and per 10-point score bucket, for charts."""
    from django.db.models import Count

    buckets = (
        Lead.objects.filter(score__isnull=False)
        .annotate(bucket=F("score") / 10)
        .values("bucket")
        .annotate(leads=Count("id"))
        .order_by("bucket")
    )
    counts: dict[int, int] = {}
    for row in buckets:  # a score of 100 belongs to the 90-100 bucket
        start = min(int(row["bucket"]) * 10, 90)
        counts[start] = counts.get(start, 0) + row["leads"]
    return [{"from": start, "to": start + 10, "leads": leads} for start, leads in sorted(counts.items())]
