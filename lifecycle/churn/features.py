"""Customers as churn-model input, as of a cut-off moment.

Two kinds of tenants:

- *event history* (logins, usage, invoices, tickets...): features are aggregates of the events
  that happened strictly before each row's cut-off (recency, frequency, monetary, support load,
  payment failures, usage trend, NPS, plan changes, tenure, plan at the time), computed by
  PostgreSQL for many (customer, cut-off) pairs in one query, so training snapshots and bulk
  scoring share the same code and nothing after a cut-off can leak into its row;
- *flat table* (an imported customer list with an outcome column, no behaviour events): the
  customer's own columns (plan, MRR) and its custom attributes.

Custom attributes are used in both modes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd
from django.db import connection

from crm_saas.attributes import AttributeType
from crm_saas.pg_arrays import bigint_array, timestamptz_array
from lifecycle.models import Customer, CustomerField, EventKind, LifecycleEvent
from ml.schema import BOOLEAN, CATEGORY, NUMBER, Column

EVENT_MODE, TABLE_MODE = "events", "table"
# Events that say nothing about behaviour: a tenant with only these has a flat customer table.
NON_BEHAVIOUR_KINDS = (EventKind.SIGNUP, EventKind.CANCELLATION, EventKind.REACTIVATION)
# Recency is capped: "never" and "over a year ago" read the same to the model.
RECENCY_CAP_DAYS = 400.0

EVENT_COLUMNS = [
    Column("tenure_days", NUMBER, "Customer for (days)"),
    Column("plan_at", CATEGORY, "Plan"),
    Column("days_since_active", NUMBER, "Days since last login or usage"),
    Column("logins_30d", NUMBER, "Logins in the last 30 days"),
    Column("usage_28d", NUMBER, "Usage in the last 4 weeks"),
    Column("usage_trend", NUMBER, "Usage trend (last 4 weeks vs the 8 before)"),
    Column("purchases_90d", NUMBER, "Purchases in the last 90 days"),
    Column("spend_365d", NUMBER, "Spend in the last year"),
    Column("payment_failures_60d", NUMBER, "Failed payments in the last 60 days"),
    Column("payment_failures_365d", NUMBER, "Failed payments in the last year"),
    Column("tickets_30d", NUMBER, "Support tickets in the last 30 days"),
    Column("tickets_90d", NUMBER, "Support tickets in the last 90 days"),
    Column("urgent_tickets_60d", NUMBER, "Urgent tickets in the last 60 days"),
    Column("high_tickets_60d", NUMBER, "High-severity tickets in the last 60 days"),
    Column("last_nps", NUMBER, "Latest NPS answer"),
    Column("days_since_nps", NUMBER, "Days since the latest NPS answer"),
    Column("renewals_90d", NUMBER, "Renewals in the last 90 days"),
    Column("upgrades_120d", NUMBER, "Plan upgrades in the last 120 days"),
    Column("downgrades_120d", NUMBER, "Plan downgrades in the last 120 days"),
    Column("reactivations", NUMBER, "Times the customer came back"),
]
TABLE_COLUMNS = [Column("plan", CATEGORY, "Plan"), Column("mrr", NUMBER, "MRR")]
_ATTRIBUTE_TYPES = {AttributeType.NUMBER: NUMBER, AttributeType.CATEGORY: CATEGORY, AttributeType.BOOLEAN: BOOLEAN}
# Aggregates of the event query, in the order it returns them (after the row index).
_AGGREGATES = [
    "days_since_login",
    "days_since_active",
    "logins_30d",
    "usage_28d",
    "usage_prior_56d",
    "purchases_90d",
    "spend_365d",
    "payment_failures_60d",
    "payment_failures_365d",
    "tickets_30d",
    "tickets_90d",
    "urgent_tickets_30d",
    "urgent_tickets_60d",
    "high_tickets_60d",
    "last_nps",
    "days_since_nps",
    "renewals_90d",
    "upgrades_120d",
    "downgrades_120d",
    "reactivations",
    "renewals_total",
    "plan_at",
    "last_status_kind",
    "anniversary",
]
_COUNTS = [
    "logins_30d",
    "usage_28d",
    "usage_prior_56d",
    "purchases_90d",
    "spend_365d",
    "payment_failures_60d",
    "payment_failures_365d",
    "tickets_30d",
    "tickets_90d",
    "urgent_tickets_30d",
    "urgent_tickets_60d",
    "high_tickets_60d",
    "renewals_90d",
    "upgrades_120d",
    "downgrades_120d",
    "reactivations",
    "renewals_total",
]


def churn_mode() -> str:
    """``events`` when the tenant records behaviour events, else ``table`` (flat imported list)."""
    has_behaviour = LifecycleEvent.objects.exclude(kind__in=NON_BEHAVIOUR_KINDS).exists()
    return EVENT_MODE if has_behaviour else TABLE_MODE


def attribute_columns() -> list[Column]:
    """One column per typed custom attribute; free text is left out."""
    return [
        Column(f"attr__{field.key}", _ATTRIBUTE_TYPES[field.type], field.label)
        for field in CustomerField.objects.order_by("key")
        if field.type in _ATTRIBUTE_TYPES
    ]


def churn_columns(mode: str) -> list[Column]:
    base = EVENT_COLUMNS if mode == EVENT_MODE else TABLE_COLUMNS
    return [*base, *attribute_columns()]


def cutoffs_for(as_of: Sequence[datetime] | datetime, count: int) -> pd.DatetimeIndex:
    moments = [as_of] * count if isinstance(as_of, datetime) else list(as_of)
    return pd.DatetimeIndex(pd.to_datetime(moments, utc=True))


def churn_frame(
    customer_ids: Sequence[int], *, as_of: Sequence[datetime] | datetime, mode: str, attribute_keys: Sequence[str]
) -> pd.DataFrame:
    """One row per (customer, cut-off), in the order given; ``customer_id`` and ``as_of`` columns
    say which. A customer may appear several times (training snapshots at several cut-offs)."""
    ids = [int(customer_id) for customer_id in customer_ids]
    cutoffs = cutoffs_for(as_of, len(ids))
    own = _customer_columns(ids, attribute_keys)
    frame = pd.DataFrame({"customer_id": ids, "as_of": cutoffs})
    frame = frame.join(own, on="customer_id")
    signed_up = pd.to_datetime(frame.pop("signed_up_at"), utc=True)
    frame["tenure_days"] = np.clip((cutoffs - pd.DatetimeIndex(signed_up)).total_seconds() / 86400, 0, None)
    if mode == EVENT_MODE:
        events = event_aggregates(ids, cutoffs)
        frame = pd.concat([frame, events], axis=1)
        # A trend needs the 8 weeks before to lie inside the customer's life, with some usage.
        frame.loc[frame["tenure_days"] < 84, "usage_trend"] = np.nan
        # The plan at the cut-off comes from the events (sign-up, plan changes); the current plan
        # only when they never named one.
        frame["plan_at"] = frame["plan_at"].where(frame["plan_at"].notna(), frame["plan"])
    return frame


def _customer_columns(ids: Sequence[int], attribute_keys: Sequence[str]) -> pd.DataFrame:
    rows = Customer.objects.filter(pk__in=set(ids)).values_list("id", "signed_up_at", "plan", "mrr", "attributes")
    data = {
        customer_id: {
            "signed_up_at": signed_up_at,
            "plan": plan or None,
            "mrr": float(mrr),
            **{f"attr__{key}": attributes.get(key) for key in attribute_keys},
        }
        for customer_id, signed_up_at, plan, mrr, attributes in rows
    }
    columns = ["signed_up_at", "plan", "mrr", *(f"attr__{key}" for key in attribute_keys)]
    return pd.DataFrame.from_dict(data, orient="index", columns=columns)


def event_aggregates(ids: Sequence[int], cutoffs: pd.DatetimeIndex) -> pd.DataFrame:
    """Behaviour features of each (customer, cut-off) pair from the events strictly before it.

    PostgreSQL groups the events (tenants have millions); pairs travel as arrays with their row
    position, so one query serves training snapshots (many cut-offs per customer) and scoring.
    """
    result = pd.DataFrame(np.nan, index=pd.RangeIndex(len(ids)), columns=_AGGREGATES).astype(object)
    if ids:
        table = connection.ops.quote_name(LifecycleEvent._meta.db_table)

        def within(days: int) -> str:
            return f"e.occurred_at >= c.cutoff - interval '{days} days'"

        def days_since(condition: str) -> str:
            return f"EXTRACT(EPOCH FROM c.cutoff - max(e.occurred_at) FILTER (WHERE {condition})) / 86400"

        kinds = {kind.value: f"'{kind.value}'" for kind in EventKind}
        purchase = f"e.kind IN ({kinds['purchase']}, {kinds['first_purchase']})"
        ticket = f"e.kind = {kinds['ticket_opened']}"
        selects = [
            days_since(f"e.kind = {kinds['login']}"),
            days_since(f"e.kind IN ({kinds['login']}, {kinds['usage']})"),
            f"count(*) FILTER (WHERE e.kind = {kinds['login']} AND {within(30)})",
            f"sum(e.quantity) FILTER (WHERE e.kind = {kinds['usage']} AND {within(28)})",
            f"sum(e.quantity) FILTER (WHERE e.kind = {kinds['usage']} AND {within(84)} AND NOT {within(28)})",
            f"count(*) FILTER (WHERE {purchase} AND {within(90)})",
            f"sum(e.amount) FILTER (WHERE ({purchase} OR e.kind = {kinds['renewal']}) AND {within(365)})",
            f"count(*) FILTER (WHERE e.kind = {kinds['payment_failed']} AND {within(60)})",
            f"count(*) FILTER (WHERE e.kind = {kinds['payment_failed']} AND {within(365)})",
            f"count(*) FILTER (WHERE {ticket} AND {within(30)})",
            f"count(*) FILTER (WHERE {ticket} AND {within(90)})",
            f"count(*) FILTER (WHERE {ticket} AND e.severity = 'urgent' AND {within(30)})",
            f"count(*) FILTER (WHERE {ticket} AND e.severity = 'urgent' AND {within(60)})",
            f"count(*) FILTER (WHERE {ticket} AND e.severity = 'high' AND {within(60)})",
            f"(array_agg(e.score ORDER BY e.occurred_at DESC) FILTER (WHERE e.kind = {kinds['nps']}))[1]",
            days_since(f"e.kind = {kinds['nps']}"),
            f"count(*) FILTER (WHERE e.kind = {kinds['renewal']} AND {within(90)})",
            f"count(*) FILTER (WHERE e.kind = {kinds['plan_upgrade']} AND {within(120)})",
            f"count(*) FILTER (WHERE e.kind = {kinds['plan_downgrade']} AND {within(120)})",
            f"count(*) FILTER (WHERE e.kind = {kinds['reactivation']})",
            f"count(*) FILTER (WHERE e.kind = {kinds['renewal']})",
            "(array_agg(e.metadata->>'plan' ORDER BY e.occurred_at DESC) FILTER (WHERE e.kind IN "
            f"({kinds['signup']}, {kinds['plan_upgrade']}, {kinds['plan_downgrade']}) AND e.metadata ? 'plan'))[1]",
            "(array_agg(e.kind ORDER BY e.occurred_at DESC) FILTER (WHERE e.kind IN "
            f"({kinds['cancellation']}, {kinds['reactivation']})))[1]",
            # The contract's anniversary: the latest renewal, else the first purchase.
            f"coalesce(max(e.occurred_at) FILTER (WHERE e.kind = {kinds['renewal']}), "
            f"min(e.occurred_at) FILTER (WHERE e.kind = {kinds['first_purchase']}))",
        ]
        sql = (
            f"SELECT c.idx, {', '.join(selects)} "  # noqa: S608 - only constants are interpolated
            "FROM unnest(%s::bigint[], %s::timestamptz[], %s::int[]) AS c(customer_id, cutoff, idx) "
            f"JOIN {table} AS e ON e.customer_id = c.customer_id AND e.occurred_at < c.cutoff "
            "GROUP BY c.idx, c.cutoff"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [bigint_array(ids), timestamptz_array(cutoffs.to_pydatetime()), bigint_array(range(len(ids)))]
            )
            found = cursor.fetchall()
        if found:
            aggregated = pd.DataFrame(found, columns=["idx", *_AGGREGATES]).set_index("idx")
            result.loc[aggregated.index, _AGGREGATES] = aggregated[_AGGREGATES].to_numpy()
    numeric = [name for name in _AGGREGATES if name not in {"plan_at", "last_status_kind", "anniversary"}]
    result[numeric] = result[numeric].apply(pd.to_numeric, errors="coerce").astype(float)
    result[_COUNTS] = result[_COUNTS].fillna(0.0)
    for name in ("days_since_login", "days_since_active", "days_since_nps"):
        result[name] = result[name].clip(upper=RECENCY_CAP_DAYS)
    result["days_since_login"] = result["days_since_login"].fillna(RECENCY_CAP_DAYS)
    result["days_since_active"] = result["days_since_active"].fillna(RECENCY_CAP_DAYS)
    # Weekly usage of the last 4 weeks against the 8 before: -1 stopped, 0 steady, +0.5 up half.
    before = result["usage_prior_56d"] / 8
    usable = before >= 1
    result["usage_trend"] = np.where(usable, (result["usage_28d"] / 4) / before.where(usable) - 1, np.nan)
    return result
