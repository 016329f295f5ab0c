"""The data of the portfolio page: customers by stage, how they moved between stages, the spread
of churn risk and retention by sign-up month. Each function takes the customers the user may see
(``customers_visible_to``), so a rep's portfolio is their own book, as on the customer list.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from lifecycle.models import STATUS_KINDS, Customer, CustomerStatus, EventKind, LifecycleEvent, Stage, StageChange

Chart = dict[str, Any]
# The funnel reads in the order customers mature; at risk and churned follow.
STAGE_ORDER = [Stage.NEW, Stage.ACTIVE, Stage.LOYAL, Stage.AT_RISK, Stage.CHURNED]
RISK_BUCKETS = 10
COHORT_MONTHS = 18  # cohorts drawn (the most recent sign-up months)


def stage_funnel_chart(customers: QuerySet[Customer]) -> Chart:
    counts = dict(customers.order_by().values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    labels = dict(Stage.choices)
    rows = [{"stage": stage, "label": labels[stage], "customers": counts.get(stage, 0)} for stage in STAGE_ORDER]
    unstaged = counts.get(None, 0)
    total = sum(row["customers"] for row in rows) + unstaged
    if total:
        biggest = max(rows, key=lambda row: row["customers"])
        summary = f"{total} customers; the most ({biggest['customers']}) are {biggest['label'].lower()}."
    else:
        summary = "No customers yet."
    return {"rows": rows, "unstaged": unstaged, "total": total, "summary": summary}


def stage_flow_chart(customers: QuerySet[Customer], *, since: datetime | None = None) -> Chart:
    """Moves between stages (from the stage history) since ``since`` (default: a year ago)."""
    since = since or timezone.now() - timedelta(days=365)
    moves = (
        StageChange.objects.filter(customer__in=customers.order_by().values("pk"), changed_at__gte=since)
        .exclude(previous_stage__isnull=True)
        .values_list("previous_stage", "stage")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    labels = dict(Stage.choices)
    rows = [
        {"source": source, "target": target, "source_label": labels[source], "target_label": labels[target], "moves": n}
        for source, target, n in moves
    ]
    total = sum(row["moves"] for row in rows)
    if rows:
        top = rows[0]
        summary = (
            f"{total} stage changes since {since:%d %b %Y}; the most common: "
            f"{top['source_label'].lower()} to {top['target_label'].lower()} ({top['moves']})."
        )
    else:
        summary = f"No stage changes since {since:%d %b %Y}."
    return {
        "rows": rows,
        "stages": [{"stage": s, "label": labels[s]} for s in STAGE_ORDER],
        "since": since.date().isoformat(),
        "total": total,
        "summary": summary,
    }


def risk_distribution_chart(customers: QuerySet[Customer], *, threshold: float = 0.5) -> Chart:
    """Customers who have not churned, per 10-point bucket of predicted churn risk; buckets from
    the at-risk ``threshold`` up are flagged."""
    live = customers.order_by().exclude(status=CustomerStatus.CHURNED)
    risks = list(live.filter(churn_risk__isnull=False).values_list("churn_risk", flat=True))
    counts = Counter(min(int(risk * RISK_BUCKETS), RISK_BUCKETS - 1) for risk in risks)
    step = 100 // RISK_BUCKETS
    rows = [
        {
            "range": f"{start * step}\u2013{(start + 1) * step}%",
            "from": start / RISK_BUCKETS,
            "customers": counts.get(start, 0),
        }
        for start in range(RISK_BUCKETS)
    ]
    unscored = live.filter(churn_risk__isnull=True).count()
    if risks:
        high = sum(1 for risk in risks if risk >= threshold)
        summary = (
            f"{len(risks)} scored customers; {high} ({high / len(risks):.0%}) have a churn risk of "
            f"{threshold:.0%} or more."
        )
    else:
        summary = "No churn risk has been predicted yet."
    return {"rows": rows, "scored": len(risks), "unscored": unscored, "threshold": threshold, "summary": summary}


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, 1)


def cohort_retention_chart(customers: QuerySet[Customer], *, now: datetime | None = None) -> Chart:
    """Share of each sign-up month's customers still customers k months later (k = 0, 1, ...).

    A customer counts as retained at month k when its latest cancellation or reactivation before
    then was not a cancellation, so a customer who came back counts again from its comeback. Only
    months that have fully passed for a cohort are drawn. ``average`` weighs cohorts by size and
    covers the months that enough customers have reached.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    people = list(customers.order_by().values_list("pk", "signed_up_at"))
    turns: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for customer_id, at, kind in (
        LifecycleEvent.objects.filter(customer_id__in=[pk for pk, _ in people], kind__in=sorted(STATUS_KINDS))
        .order_by("customer_id", "occurred_at", "id")
        .values_list("customer_id", "occurred_at", "kind")
    ):
        turns[customer_id].append((at, kind))
    cohorts: dict[date, list[int]] = defaultdict(list)
    starts: dict[int, datetime] = {}
    for pk, signed_up_at in people:
        cohorts[timezone.localtime(signed_up_at).date().replace(day=1)].append(pk)
        starts[pk] = signed_up_at
    months = sorted(cohorts)[-COHORT_MONTHS:]
    rows = []
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for month in months:
        members = cohorts[month]
        retention = []
        k = 0
        while True:
            # Month k of a member is measured at sign-up + k months; the cohort's is complete when
            # the last possible sign-up of the month has reached it.
            if _add_months(month, k + 1) > today:
                break
            retained = sum(1 for pk in members if _retained(turns.get(pk, []), _months_after(starts[pk], k)))
            retention.append(round(retained / len(members), 4))
            totals[k][0] += retained
            totals[k][1] += len(members)
            k += 1
        rows.append(
            {
                "cohort": month.strftime("%Y-%m"),
                "label": month.strftime("%b %Y"),
                "customers": len(members),
                "retention": retention,
            }
        )
    # Late months rest on the few oldest cohorts; the average stops where fewer than a quarter of
    # the customers (and under 10) are old enough, so a handful of accounts cannot bend the curve.
    enough = min(10, sum(row["customers"] for row in rows)) if rows else 0
    enough = max(enough, sum(row["customers"] for row in rows) // 4)
    average = []
    for k in sorted(totals):
        if totals[k][1] < enough:
            break
        average.append(round(totals[k][0] / totals[k][1], 4))
    if len(average) > 6:
        summary = f"{len(rows)} sign-up months; on average {average[6]:.0%} of customers remain after 6 months"
        summary += f" and {average[12]:.0%} after 12." if len(average) > 12 else "."
    elif rows:
        summary = f"{len(rows)} sign-up months; too recent for a 6-month figure."
    else:
        summary = "No customers yet."
    return {"rows": rows, "average": average, "summary": summary}


def _months_after(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 + months, 12)
    day = min(moment.day, 28)  # month ends differ; the 28th exists everywhere
    return moment.replace(year=moment.year + year, month=month + 1, day=day)


def _retained(turns: list[tuple[datetime, str]], at: datetime) -> bool:
    index = bisect_right([moment for moment, _ in turns], at)
    return index == 0 or turns[index - 1][1] != EventKind.CANCELLATION
