"""Writes for leads and their activity, with the acting user's permissions applied."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from crm_saas.errors import ConflictError, DomainError, PermissionDeniedError
from crm_saas.integrations.events import webhook_event_emit
from crm_saas.integrations.payloads import lead_payload
from crm_saas.roles import Capability

# Notes and follow-ups live in their own module; import them from here like every lead write.
from leads.activity_services import customer_follow_up_schedule as customer_follow_up_schedule
from leads.activity_services import follow_up_complete as follow_up_complete
from leads.activity_services import follow_up_reopen as follow_up_reopen
from leads.activity_services import follow_up_schedule as follow_up_schedule
from leads.activity_services import lead_note_add as lead_note_add
from leads.attributes import attributes_clean
from leads.conversion import leads_converted
from leads.models import ActivityKind, Lead, LeadActivity, LeadStatus
from leads.scoring.refresh import lead_rescore_soon
from tenants.accounts.models import User

# Plain text fields a caller may set; the rest (status, owner, attributes...) have their own rules.
TEXT_FIELDS = (
    "name",
    "company",
    "phone",
    "title",
    "industry",
    "company_size",
    "country",
    "city",
    "source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "platform",
)
EDITABLE_FIELDS = (*TEXT_FIELDS, "email", "referred", "status", "owner", "attributes", "external_id")


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError(f"'{email}' is not a valid e-mail address.", field="email") from exc
    return email


def _owner_for(*, actor: User, owner: User | None, current: User | None) -> User | None:
    """Reps may only keep leads for themselves; managers and admins assign anyone active."""
    if owner is not None and not owner.is_active:
        raise DomainError("The owner must be an active user.", field="owner")
    if owner != current and not actor.has_capability(Capability.RECORDS_WRITE_ALL) and owner != actor:
        raise PermissionDeniedError("Only managers and admins can assign leads to someone else.", field="owner")
    return owner


def _apply_status(lead: Lead, status: str, *, at: datetime) -> None:
    if status not in LeadStatus.values:
        raise DomainError(f"Unknown status '{status}'.", field="status")
    if status == lead.status and lead.pk is not None:
        return
    lead.status = status
    lead.converted_at = (lead.converted_at or at) if status == LeadStatus.CONVERTED else None
    lead.lost_at = (lead.lost_at or at) if status == LeadStatus.LOST else None


def _external_id(value: Any, *, lead: Lead) -> str | None:
    value = (str(value).strip() if value is not None else "") or None
    if value and Lead.objects.filter(external_id=value).exclude(pk=lead.pk).exists():
        raise ConflictError(f"Another lead already has external id '{value}'.", field="external_id")
    return value


def _apply(lead: Lead, *, actor: User, data: dict[str, Any], now: datetime) -> None:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown lead field(s): {', '.join(sorted(unknown))}.")
    for name in TEXT_FIELDS:
        if name in data:
            setattr(lead, name, (data[name] or "").strip()[: Lead._meta.get_field(name).max_length])
    if "email" in data:
        lead.email = _clean_email(data["email"])
    if "referred" in data:
        lead.referred = data["referred"]
    if "external_id" in data:
        lead.external_id = _external_id(data["external_id"], lead=lead)
    if "attributes" in data:
        lead.attributes = {**lead.attributes, **attributes_clean(data["attributes"])}
    if "owner" in data:
        lead.owner = _owner_for(actor=actor, owner=data["owner"], current=lead.owner)
    if "status" in data:
        _apply_status(lead, data["status"], at=now)


@transaction.atomic
def lead_create(*, actor: User, data: dict[str, Any], created_at: datetime | None = None) -> Lead:
    now = timezone.now()
    lead = Lead(created_by=actor, owner=actor, created_at=created_at or now)
    _apply(lead, actor=actor, data=data, now=now)
    if not (lead.name or lead.company or lead.email or lead.external_id):
        raise DomainError("Give the lead at least a name, a company or an e-mail.", field="name")
    lead.save()
    if lead.status == LeadStatus.CONVERTED:
        leads_converted(leads=[lead], actor=actor)
    lead_rescore_soon(lead_id=lead.pk)
    webhook_event_emit("lead.created", {"lead": lead_payload(lead)})
    return lead


@transaction.atomic
def lead_update(*, lead: Lead, actor: User, data: dict[str, Any]) -> Lead:
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    was_converted = lead.status == LeadStatus.CONVERTED
    _apply(lead, actor=actor, data=data, now=timezone.now())
    if not (lead.name or lead.company or lead.email or lead.external_id):
        raise DomainError("A lead needs at least a name, a company or an e-mail.", field="name")
    lead.save()
    if lead.status == LeadStatus.CONVERTED and not was_converted:
        leads_converted(leads=[lead], actor=actor)  # e.g. the customer account (lifecycle)
    lead_rescore_soon(lead_id=lead.pk)
    webhook_event_emit("lead.updated", {"lead": lead_payload(lead)})
    return lead


def lead_assign(*, lead: Lead, actor: User, assignee: User) -> Lead:
    """Give the lead to ``assignee``: the owner rules of ``lead_update`` (reps keep leads for themselves)."""
    return lead_update(lead=lead, actor=actor, data={"owner": assignee})


def lead_delete(*, lead: Lead, actor: User) -> None:
    if not actor.has_capability(Capability.RECORDS_WRITE_ALL):
        raise PermissionDeniedError("Only managers and admins can delete leads.")
    lead.delete()


def activity_record(
    *, lead: Lead, kind: str, occurred_at: datetime | None = None, quantity: float = 1, metadata: dict | None = None
) -> LeadActivity:
    if kind not in ActivityKind.values:
        raise DomainError(f"Unknown activity '{kind}'. Choose one of: {', '.join(ActivityKind.values)}.", field="kind")
    if quantity < 0:
        raise DomainError("Quantity cannot be negative.", field="quantity")
    occurred_at = occurred_at or timezone.now()
    if occurred_at > timezone.now() + timedelta(minutes=5):
        raise DomainError("Activity cannot be in the future.", field="occurred_at")
    activity = LeadActivity.objects.create(
        lead=lead, kind=kind, occurred_at=occurred_at, quantity=quantity, metadata=metadata or {}
    )
    lead_rescore_soon(lead_id=lead.pk)
    return activity
