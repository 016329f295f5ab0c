"""A tenant's priority settings and its own signal phrases; every change re-prioritises open leads."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from crm_saas.errors import DomainError, NotFoundError, PermissionDeniedError
from crm_saas.roles import Capability
from leads.priority.models import PrioritySettings, PrioritySignal
from leads.priority.service import priority_settings
from tenants.accounts.models import User

SETTING_FIELDS = ("high_min", "medium_min", "text_weight", "min_training_leads")


def _require_admin(actor: User) -> None:
    if not actor.has_capability(Capability.SETTINGS_MANAGE):
        raise PermissionDeniedError("Only admins can change how leads are prioritised.")


def reprioritise_soon() -> None:
    """Queue one recomputation of every open lead after the current transaction commits."""
    schema_name = connection.schema_name

    def enqueue() -> None:
        from leads.tasks import leads_reprioritise_open_task

        leads_reprioritise_open_task.apply_async(headers={"_schema_name": schema_name})

    transaction.on_commit(enqueue)


@transaction.atomic
def priority_settings_update(*, actor: User, data: dict[str, Any]) -> PrioritySettings:
    _require_admin(actor)
    unknown = set(data) - set(SETTING_FIELDS)
    if unknown:
        raise DomainError(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
    row = priority_settings()
    for name in SETTING_FIELDS:
        if name in data:
            setattr(row, name, data[name])
    if not (100 >= row.high_min > row.medium_min >= 1):
        raise DomainError("Thresholds must descend: 100 >= High > Medium >= 1.", field="high_min")
    if not 0 <= row.text_weight <= 1:
        raise DomainError("The text weight is between 0 (score only) and 1 (messages only).", field="text_weight")
    if not 20 <= row.min_training_leads <= 10_000:
        raise DomainError("Train on at least 20 closed leads.", field="min_training_leads")
    row.save()
    reprioritise_soon()
    return row


def _clean_phrases(phrases: str | list[str]) -> str:
    lines = phrases if isinstance(phrases, list) else str(phrases).replace(",", "\n").splitlines()
    cleaned = [" ".join(str(line).split())[:100] for line in lines if str(line).strip()]
    if not cleaned:
        raise DomainError("Give at least one phrase.", field="phrases")
    if len(cleaned) > 50:
        raise DomainError("At most 50 phrases per signal.", field="phrases")
    return "\n".join(dict.fromkeys(cleaned))


@transaction.atomic
def priority_signal_create(*, actor: User, label: str, phrases: str | list[str], points: int) -> PrioritySignal:
    _require_admin(actor)
    label = " ".join((label or "").split())
    if not label:
        raise DomainError("Say how the reason reads, e.g. 'asks about SOC 2'.", field="label")
    if not -50 <= int(points) <= 50:
        raise DomainError("Points are between -50 and 50.", field="points")
    row = PrioritySignal.objects.create(label=label[:120], phrases=_clean_phrases(phrases), points=int(points))
    reprioritise_soon()
    return row


def priority_signal_get(*, signal_id: Any) -> PrioritySignal:
    try:
        return PrioritySignal.objects.get(pk=int(signal_id))
    except (PrioritySignal.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundError("Signal not found.") from exc


@transaction.atomic
def priority_signal_set_active(*, actor: User, signal: PrioritySignal, active: bool) -> PrioritySignal:
    _require_admin(actor)
    signal.is_active = active
    signal.save(update_fields=["is_active"])
    reprioritise_soon()
    return signal


@transaction.atomic
def priority_signal_delete(*, actor: User, signal: PrioritySignal) -> None:
    _require_admin(actor)
    signal.delete()
    reprioritise_soon()
