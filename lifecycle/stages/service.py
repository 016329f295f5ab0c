"""Keeping customers' stages and stage histories in line with their events, predictions and the
tenant's rules.

``customer_stages_recompute`` replays each customer's history (lifecycle/stages/history.py) in
batches, a handful of queries per batch whatever the number of customers, and writes only what
differs: history rows that already match are kept (with their ``created_at``), later ones are
replaced, and a customer's stage columns are saved only when they change. Run again with nothing
new, it writes nothing; run daily, it appends a change only when a customer moved on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from crm_saas.errors import DomainError
from crm_saas.integrations.events import webhook_event_emit, webhook_events_subscribed
from lifecycle.models import ChurnPrediction, Customer, LifecycleEvent, StageChange, StageRules
from lifecycle.stages.history import (
    STAGE_KINDS,
    CustomerStageInput,
    StageEntry,
    StageEvent,
    StageHistory,
    stage_at,
    stage_history,
)
from lifecycle.stages.rules import StageVerdict

STAGE_CHANGED = "customer.stage_changed"
BATCH_CUSTOMERS = 300
REFRESH_DELAY_SECONDS = 20
# Bigger sets (imports) are queued as they are, without a per-customer debounce key.
DEBOUNCE_MAX_CUSTOMERS = 200
RULE_FIELDS = (
    "new_days",
    "loyal_days",
    "loyal_renewals",
    "risk_threshold",
    "payment_failures",
    "payment_window_days",
    "urgent_tickets",
    "ticket_window_days",
    "inactive_days",
)


# --- rules -------------------------------------------------------------------------------------


def stage_rules() -> StageRules:
    """The tenant's rules (created with the defaults on first use)."""
    return StageRules.objects.order_by("pk").first() or StageRules.objects.create()


def stage_rules_validate(rules: StageRules) -> None:
    """DomainError naming the field for rules that cannot work together."""
    if not 0 < rules.risk_threshold <= 1:
        raise DomainError(
            "The churn risk threshold is a probability above 0 and at most 1 (e.g. 0.5).", field="risk_threshold"
        )
    if rules.new_days < 1:
        raise DomainError("A customer is new for at least 1 day.", field="new_days")
    if rules.loyal_days <= rules.new_days:
        raise DomainError(
            f"Loyalty must start after the new period ({rules.new_days} days): give more than {rules.new_days} days.",
            field="loyal_days",
        )
    for count, window in (("payment_failures", "payment_window_days"), ("urgent_tickets", "ticket_window_days")):
        if getattr(rules, count) and getattr(rules, window) < 1:
            raise DomainError("The window is at least 1 day (or set the count to 0 to ignore it).", field=window)
    for name in RULE_FIELDS:
        if name != "risk_threshold" and not 0 <= getattr(rules, name) <= 3650:
            raise DomainError("Use a whole number from 0 to 3650.", field=name)


@transaction.atomic
def stage_rules_update(*, data: dict[str, Any]) -> StageRules:
    """Change the rules; every customer's stage and history is recomputed after the commit."""
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown stage rule(s): {', '.join(sorted(unknown))}.")
    rules = StageRules.objects.select_for_update().filter(pk=stage_rules().pk).get()
    for name, value in data.items():
        setattr(rules, name, value)
    stage_rules_validate(rules)
    rules.save()
    _enqueue_after_commit(customer_ids=None)
    return rules


# --- recomputing -------------------------------------------------------------------------------


@dataclass
class StageRecomputeResult:
    customers: int = 0
    stage_changed: int = 0  # customers whose current stage changed
    history_written: int = 0  # StageChange rows created


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _inputs(customers: list[Customer], *, now: datetime, undated_risk: bool = True) -> dict[int, CustomerStageInput]:
    """Each customer's stage-relevant events and churn predictions, in two queries.

    ``undated_risk``: a current risk without a scoring time counts as of ``now`` (right for now,
    not for a moment in the past)."""
    ids = [customer.pk for customer in customers]
    inputs = {customer.pk: CustomerStageInput(signed_up_at=customer.signed_up_at) for customer in customers}
    events: dict[int, list[StageEvent]] = defaultdict(list)
    rows = (
        LifecycleEvent.objects.filter(customer_id__in=ids, kind__in=sorted(STAGE_KINDS), occurred_at__lte=now)
        .order_by("customer_id", "occurred_at", "id")
        .values_list("customer_id", "kind", "occurred_at", "severity", "note")
    )
    for customer_id, kind, at, severity, note in rows.iterator(chunk_size=5000):
        events[customer_id].append(StageEvent(kind, at, severity, note))
    predictions: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for customer_id, at, risk in (
        ChurnPrediction.objects.filter(customer_id__in=ids, as_of__lte=now)
        .order_by("customer_id", "as_of", "id")
        .values_list("customer_id", "as_of", "risk")
    ):
        predictions[customer_id].append((at, risk))
    for customer in customers:
        data = inputs[customer.pk]
        data.events = events.get(customer.pk, [])
        data.predictions = predictions.get(customer.pk, [])
        # The customer's own copy is the latest prediction (kept even if its history was pruned).
        scored = customer.churn_scored_at or (now if undated_risk else None)
        known = customer.churn_risk is not None and scored is not None and scored <= now
        if known and (not data.predictions or data.predictions[-1][0] < scored):
            data.predictions = [*data.predictions, (scored, customer.churn_risk)]
    return inputs


def _history_writes(
    customer_id: int, history: StageHistory, existing: list[StageChange]
) -> tuple[list[int], list[StageChange]]:
    """Which stored rows to delete and which to create so the stored history equals ``history``."""
    kept = 0
    for stored, entry in zip(existing, history.entries, strict=False):
        if (stored.stage, stored.previous_stage, stored.changed_at, stored.reason) != (
            entry.stage,
            entry.previous_stage,
            entry.changed_at,
            entry.reason,
        ):
            break
        kept += 1
    stale = [row.pk for row in existing[kept:]]
    fresh = [_change_row(customer_id, entry) for entry in history.entries[kept:]]
    return stale, fresh


def _change_row(customer_id: int, entry: StageEntry) -> StageChange:
    return StageChange(
        customer_id=customer_id,
        stage=entry.stage,
        previous_stage=entry.previous_stage,
        reason=entry.reason,
        changed_at=entry.changed_at,
    )


def customer_stages_recompute(
    *, customer_ids: Iterable[int] | None = None, now: datetime | None = None
) -> StageRecomputeResult:
    """Replay the stage history of the given customers (all when None) and store what changed."""
    now = now or timezone.now()
    rules = stage_rules()
    customers = Customer.objects.all() if customer_ids is None else Customer.objects.filter(pk__in=set(customer_ids))
    ids = sorted(customers.values_list("pk", flat=True))
    result = StageRecomputeResult()
    notify = webhook_events_subscribed(STAGE_CHANGED)
    for batch in _batches(ids, BATCH_CUSTOMERS):
        moves: list[tuple[Customer, str | None, StageVerdict]] = []
        with transaction.atomic():
            rows = list(
                Customer.objects.filter(pk__in=batch)
                .select_for_update(of=("self",))
                .only("id", "signed_up_at", "churn_risk", "churn_scored_at", "stage", "stage_reason", "stage_since")
                .order_by("pk")
            )
            inputs = _inputs(rows, now=now)
            stored: dict[int, list[StageChange]] = defaultdict(list)
            for change in StageChange.objects.filter(customer_id__in=batch).order_by("customer_id", "changed_at", "id"):
                stored[change.customer_id].append(change)
            stale: list[int] = []
            fresh: list[StageChange] = []
            changed: list[Customer] = []
            for customer in rows:
                history = stage_history(inputs[customer.pk], rules, now=now)
                delete, create = _history_writes(customer.pk, history, stored.get(customer.pk, []))
                stale += delete
                fresh += create
                current = history.current
                values = (current.stage, current.reason[:300], history.since)
                if (customer.stage, customer.stage_reason, customer.stage_since) != values:
                    result.stage_changed += customer.stage != current.stage
                    if customer.stage != current.stage and notify:
                        moves.append((customer, customer.stage, current))
                    customer.stage, customer.stage_reason, customer.stage_since = values
                    changed.append(customer)
            if stale:
                StageChange.objects.filter(pk__in=stale).delete()
            StageChange.objects.bulk_create(fresh, batch_size=1000)
            Customer.objects.bulk_update(changed, ["stage", "stage_reason", "stage_since"], batch_size=1000)
            for customer, previous, verdict in moves:
                webhook_event_emit(
                    STAGE_CHANGED,
                    {
                        "customer_id": customer.pk,
                        "stage": verdict.stage,
                        "previous_stage": previous,
                        "reason": verdict.reason,
                        "since": customer.stage_since.isoformat() if customer.stage_since else None,
                    },
                )
            result.customers += len(rows)
            result.history_written += len(fresh)
    return result


def customers_stage_at(*, customer_ids: Iterable[int], at: datetime) -> dict[int, StageVerdict]:
    """Each customer's stage and reason as of ``at`` (past moments too), under today's rules."""
    rules = stage_rules()
    verdicts: dict[int, StageVerdict] = {}
    ids = sorted(set(customer_ids))
    for batch in _batches(ids, BATCH_CUSTOMERS):
        rows = list(Customer.objects.filter(pk__in=batch).only("id", "signed_up_at", "churn_risk", "churn_scored_at"))
        for customer_id, data in _inputs(rows, now=at, undated_risk=False).items():
            verdicts[customer_id] = stage_at(data, rules, at=at)
    return verdicts


# --- keeping it fresh --------------------------------------------------------------------------


def _pending_key(customer_id: int) -> str:
    return f"stage-pending:{customer_id}"


def _enqueue_after_commit(*, customer_ids: list[int] | None) -> None:
    schema_name = connection.schema_name

    def enqueue() -> None:
        from lifecycle.tasks import customer_stages_recompute_task, customer_stages_refresh_task

        headers = {"_schema_name": schema_name}
        if customer_ids is None:
            customer_stages_recompute_task.apply_async(headers=headers)
            return
        ids = customer_ids
        if len(ids) <= DEBOUNCE_MAX_CUSTOMERS:
            # Several events within the delay cost one recompute: the first claims the key.
            ids = [pk for pk in ids if cache.add(_pending_key(pk), 1, timeout=REFRESH_DELAY_SECONDS * 10)]
        if ids:
            customer_stages_refresh_task.apply_async(
                kwargs={"customer_ids": ids}, countdown=REFRESH_DELAY_SECONDS, headers=headers
            )

    transaction.on_commit(enqueue)


def customer_stages_refresh_soon(*, customer_ids: Iterable[int]) -> None:
    """Recompute these customers' stages shortly after the current transaction commits."""
    ids = sorted(set(customer_ids))
    if ids:
        _enqueue_after_commit(customer_ids=ids)


def customer_stages_refresh_now(*, customer_ids: list[int]) -> StageRecomputeResult:
    """The queued refresh's work: release the debounce keys, then recompute."""
    cache.delete_many([_pending_key(pk) for pk in customer_ids])
    return customer_stages_recompute(customer_ids=customer_ids)
