"""Training rows for the churn model.

Event-history tenants: the customers' features are snapshotted at monthly cut-offs; a row is a
customer that was active at the cut-off, labelled 1 when it cancelled within ``HORIZON_DAYS``
after it. Features only see events before the cut-off (``features.event_aggregates``) and labels
only events after it, so the model learns to predict the future from the past. Cut-offs stop one
horizon before now: a later cut-off could not know yet whether its customers churned.

Flat-table tenants (an imported list with a churned yes/no outcome and no events): one row per
customer, labelled by its status, with its own columns and attributes.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from django.utils import timezone

from lifecycle.churn.features import EVENT_MODE, churn_columns, churn_frame, churn_mode
from lifecycle.models import Customer, CustomerStatus, EventKind, LifecycleEvent
from ml.schema import Column
from ml.training import MIN_PER_CLASS, MIN_ROWS

HORIZON_DAYS = 90
SNAPSHOT_EVERY_DAYS = 30
MAX_SNAPSHOTS = 18  # the last year and a half of cut-offs
MIN_TENURE_DAYS = 14  # a customer still in its trial says little
MAX_ROWS = 40_000  # larger histories are sampled (evenly over time) to keep training quick


class NotEnoughChurnData(ValueError):
    """Training is refused, with the reason a person can act on."""


@dataclass
class TrainingSet:
    mode: str
    frame: pd.DataFrame
    y: np.ndarray
    order_key: np.ndarray
    columns: list[Column]
    cutoffs: int


def snapshot_cutoffs(*, first_signup: datetime, now: datetime) -> list[datetime]:
    """Monthly cut-offs, newest one horizon before now, back to the first sign-up (at most
    ``MAX_SNAPSHOTS``), oldest first."""
    latest = now - timedelta(days=HORIZON_DAYS)
    cutoffs = []
    moment = latest
    while moment > first_signup + timedelta(days=MIN_TENURE_DAYS) and len(cutoffs) < MAX_SNAPSHOTS:
        cutoffs.append(moment)
        moment -= timedelta(days=SNAPSHOT_EVERY_DAYS)
    return cutoffs[::-1]


def churn_training_set(*, now: datetime | None = None, seed: int = 0) -> TrainingSet:
    now = now or timezone.now()
    mode = churn_mode()
    columns = churn_columns(mode)
    keys = [column.name.removeprefix("attr__") for column in columns if column.name.startswith("attr__")]
    if mode == EVENT_MODE:
        return _event_snapshots(now=now, columns=columns, attribute_keys=keys, seed=seed)
    customers = list(Customer.objects.order_by("signed_up_at", "pk").values_list("pk", "signed_up_at", "status"))
    ids = [pk for pk, _, _ in customers]
    frame = churn_frame(ids, as_of=now, mode=mode, attribute_keys=keys)
    y = np.array([status == CustomerStatus.CHURNED for _, _, status in customers], dtype=int)
    order_key = np.array([signed.timestamp() for _, signed, _ in customers]) + np.arange(len(ids)) * 1e-6
    return TrainingSet(mode=mode, frame=frame, y=y, order_key=order_key, columns=columns, cutoffs=1)


def _event_snapshots(*, now: datetime, columns: list[Column], attribute_keys: list[str], seed: int) -> TrainingSet:
    signups = list(Customer.objects.order_by("signed_up_at").values_list("pk", "signed_up_at"))
    cutoffs = snapshot_cutoffs(first_signup=signups[0][1], now=now) if signups else []
    pairs: list[tuple[int, datetime]] = [
        (pk, cutoff)
        for cutoff in cutoffs
        for pk, signed_up_at in signups
        if signed_up_at <= cutoff - timedelta(days=MIN_TENURE_DAYS)
    ]
    if len(pairs) > MAX_ROWS:
        pairs = sorted(random.Random(seed).sample(pairs, MAX_ROWS), key=lambda pair: pair[1])  # noqa: S311
    frame = churn_frame(
        [pk for pk, _ in pairs], as_of=[at for _, at in pairs], mode=EVENT_MODE, attribute_keys=attribute_keys
    )
    active = (frame["last_status_kind"] != EventKind.CANCELLATION).to_numpy()
    frame = frame[active].reset_index(drop=True)
    cancellations: dict[int, list[datetime]] = {}
    for customer_id, at in (
        LifecycleEvent.objects.filter(kind=EventKind.CANCELLATION)
        .order_by("occurred_at")
        .values_list("customer_id", "occurred_at")
    ):
        cancellations.setdefault(customer_id, []).append(at)
    horizon = timedelta(days=HORIZON_DAYS)
    y = np.array(
        [
            _cancelled_within(cancellations.get(customer_id, []), cutoff.to_pydatetime(), horizon)
            for customer_id, cutoff in zip(frame["customer_id"], frame["as_of"], strict=True)
        ],
        dtype=int,
    )
    order_key = np.array([cutoff.timestamp() for cutoff in frame["as_of"]]) + np.arange(len(frame)) * 1e-9
    return TrainingSet(mode=EVENT_MODE, frame=frame, y=y, order_key=order_key, columns=columns, cutoffs=len(cutoffs))


def _cancelled_within(moments: list[datetime], cutoff: datetime, horizon: timedelta) -> bool:
    """A cancellation after the cut-off and no later than the horizon (``moments`` sorted)."""
    position = bisect.bisect_right(moments, cutoff)
    return position < len(moments) and moments[position] <= cutoff + horizon


def training_set_check(training: TrainingSet) -> None:
    """Refuse with what is missing, in the words of the tenant's kind of data."""
    churned, retained = int(training.y.sum()), int(len(training.y) - training.y.sum())
    if training.mode == EVENT_MODE:
        what = f"customer snapshots (active customers at monthly cut-offs, churned within {HORIZON_DAYS} days or not)"
    else:
        what = "customers with a known outcome (churned or not)"
    if len(training.y) < MIN_ROWS:
        raise NotEnoughChurnData(f"Training needs at least {MIN_ROWS} {what}; there are {len(training.y)}.")
    if churned < MIN_PER_CLASS or retained < MIN_PER_CLASS:
        raise NotEnoughChurnData(
            f"Training needs at least {MIN_PER_CLASS} churned and {MIN_PER_CLASS} retained examples among the "
            f"{what}; there are {churned} churned and {retained} retained."
        )


def churn_train_precheck() -> None:
    """A quick count (before a job is queued): enough customers and both outcomes present."""
    total = Customer.objects.count()
    churned = (
        Customer.objects.filter(events__kind=EventKind.CANCELLATION).distinct().count()
        if churn_mode() == EVENT_MODE
        else Customer.objects.filter(status=CustomerStatus.CHURNED).count()
    )
    retained = total - churned
    if total < MIN_ROWS:
        raise NotEnoughChurnData(f"Training needs at least {MIN_ROWS} customers; there are {total}.")
    if churned < MIN_PER_CLASS or retained < MIN_PER_CLASS:
        raise NotEnoughChurnData(
            f"Training needs at least {MIN_PER_CLASS} customers who churned and {MIN_PER_CLASS} who stayed; "
            f"there are {churned} who churned and {retained} who stayed."
        )
