"""Reads of leads, always through the user's visibility (a rep: own and assigned leads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from crm_saas.errors import NotFoundError, PermissionDeniedError
from crm_saas.roles import Capability
from leads.models import FollowUp, Lead, LeadNote, LeadScore
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
    # Several at once ("hot or warm leads", "open leads"), beside the single-value filters above.
    statuses: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    priority: str | None = None


def lead_list_for_user(*, user: User, filters: LeadFilters | None = None) -> QuerySet[Lead]:
    filters = filters or LeadFilters()
    leads = leads_visible_to(user)
    if filters.status:
        leads = leads.filter(status=filters.status)
    if filters.band:
        leads = leads.filter(band=filters.band)
    if filters.priority:
        leads = leads.filter(priority=filters.priority)
    if filters.statuses:
        leads = leads.filter(status__in=filters.statuses)
    if filters.bands:
        leads = leads.filter(band__in=filters.bands)
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


# What a score's model version carries besides its number: training reports of several kilobytes,
# read by the model pages, never by a score's history.
_MODEL_REPORT_FIELDS = tuple(
    f"model_version__{name}"
    for name in (
        "metrics",
        "candidates",
        "excluded_columns",
        "overridden_columns",
        "feature_importance",
        "data_summary",
    )
)


def lead_score_history(lead: Lead) -> QuerySet[LeadScore]:
    """The lead's scores, newest first, each with its model version (without its training report)."""
    return lead.score_history.select_related("model_version").defer(*_MODEL_REPORT_FIELDS)


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


# --- notes and follow-ups: always reached through a lead the user may see --------------------------

FOLLOW_UP_STATUSES = ("open", "done", "all")


def lead_notes_for(lead: Lead) -> QuerySet[LeadNote]:
    """The lead's notes, newest first. Get ``lead`` with ``lead_get_for_user``."""
    return lead.notes.select_related("author").order_by("-created_at", "-id")


def lead_follow_ups(lead: Lead) -> QuerySet[FollowUp]:
    """The lead's follow-ups: open ones by due time, then done ones, latest completion first."""
    return lead.follow_ups.select_related("lead", "assignee", "created_by").order_by(
        F("done_at").desc(nulls_first=True), "due_at", "id"
    )


def follow_ups_visible_to(user: User) -> QuerySet[FollowUp]:
    """Follow-ups on leads and customers the user may see (a rep: own and created leads, own customers)."""
    follow_ups = FollowUp.objects.select_related("lead", "customer", "assignee", "created_by")
    if user.has_capability(Capability.RECORDS_READ_ALL):
        return follow_ups
    return follow_ups.filter(Q(lead__owner=user) | Q(lead__created_by=user) | Q(customer__owner=user))


def follow_ups_for_user(
    *, user: User, include_done: bool = False, status: str | None = None, everyone: bool = False
) -> QuerySet[FollowUp]:
    """The user's follow-ups (``everyone``: all of the tenant's, for roles that read all records).

    ``status`` is ``open`` (by due time), ``done`` (latest completion first) or ``all``; without it,
    ``include_done`` chooses between ``all`` and ``open``.
    """
    status = status or ("all" if include_done else "open")
    if status not in FOLLOW_UP_STATUSES:
        raise ValueError(f"status must be one of {FOLLOW_UP_STATUSES}, not {status!r}")
    follow_ups = follow_ups_visible_to(user)
    if everyone:
        if not user.has_capability(Capability.RECORDS_READ_ALL):
            raise PermissionDeniedError("Only managers and admins can list everyone's follow-ups.", field="assignee")
    else:
        follow_ups = follow_ups.filter(assignee=user)
    if status == "open":
        return follow_ups.filter(done_at__isnull=True).order_by("due_at", "id")
    if status == "done":
        return follow_ups.filter(done_at__isnull=False).order_by("-done_at", "-id")
    return follow_ups.order_by(F("done_at").desc(nulls_first=True), "due_at", "id")


def follow_up_get_for_user(*, user: User, follow_up_id: Any) -> FollowUp:
    """A follow-up on a lead or customer the user may see; missing and not-yours answer alike."""
    try:
        return follow_ups_visible_to(user).get(pk=int(follow_up_id))
    except (FollowUp.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundError("Follow-up not found.") from exc


@dataclass(frozen=True)
class FollowUpAgenda:
    overdue: list[FollowUp]
    today: list[FollowUp]
    upcoming: list[FollowUp]

    def __bool__(self) -> bool:
        return bool(self.overdue or self.today or self.upcoming)


def follow_up_agenda(*, user: User, now: datetime | None = None, limit: int = 10) -> FollowUpAgenda:
    """The user's open follow-ups for the dashboard: overdue, due later today, and the next few."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    end_of_today = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    mine = follow_ups_for_user(user=user)
    due_today_or_before = list(mine.filter(due_at__lt=end_of_today)[: limit * 5])
    return FollowUpAgenda(
        overdue=[follow_up for follow_up in due_today_or_before if follow_up.due_at < now],
        today=[follow_up for follow_up in due_today_or_before if follow_up.due_at >= now],
        upcoming=list(mine.filter(due_at__gte=end_of_today)[:limit]),
    )
