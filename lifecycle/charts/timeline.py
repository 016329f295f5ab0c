"""The data of a customer's timeline page: one compact JSON-ready dict for the chart
(lifecycle/static/lifecycle/lifecycle_charts.js draws it; the page embeds it with json_script).

Milestones and the signals a manager acts on (failed payments, high and urgent tickets, NPS
answers, feedback) are sent one by one with their hover text. Everyday events (logins, usage,
purchases, low and medium tickets, closed tickets) are counted per week: a customer with years of
daily logins still sends a few hundred numbers, so the page stays fast and the chart readable.
Stage bands come from the stored stage history, the risk line from the churn prediction history.
Four queries whatever the number of events.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from lifecycle.models import MILESTONE_KINDS, Customer, EventKind, Severity, Stage, StageRules

Chart = dict[str, Any]
NOTE_CHARS = 160
SIGNAL_KINDS = frozenset({EventKind.PAYMENT_FAILED, EventKind.NPS, EventKind.FEEDBACK})
LOUD_SEVERITIES = frozenset({Severity.HIGH, Severity.URGENT})
# Weekly activity series: which everyday events go into which bar.
ACTIVITY_SERIES = {
    EventKind.LOGIN: "logins",
    EventKind.USAGE: "sessions",
    EventKind.PURCHASE: "purchases",
    EventKind.TICKET_OPENED: "tickets",
}


def plot_time(moment: datetime) -> str:
    # Plotly drops time-zone offsets from date strings, so send wall-clock time in the site's zone.
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _money(amount: Any) -> str:
    return f"{amount:,.2f}"


def _detail(kind: str, amount: Any, severity: str | None, score: int | None, note: str, metadata: dict) -> str:
    """The hover line under an event's label: what a manager wants to know about it."""
    parts = []
    if kind in (EventKind.PLAN_UPGRADE, EventKind.PLAN_DOWNGRADE) and metadata.get("to"):
        parts.append(f"{metadata.get('from') or '?'} → {metadata['to']}")
    elif metadata.get("plan"):
        parts.append(f"{metadata['plan']} plan")
    if amount is not None:
        parts.append(_money(amount))
    if severity:
        parts.append(f"{Severity(severity).label} severity")
    if score is not None:
        parts.append(f"score {score}/10")
    if note:
        parts.append(note if len(note) <= NOTE_CHARS else note[: NOTE_CHARS - 1].rstrip() + "…")
    return " · ".join(parts)


def customer_timeline_chart(customer: Customer, *, rules: StageRules, now: datetime | None = None) -> Chart:
    """Everything the timeline draws for ``customer`` (got through ``customer_get_for_user``)."""
    now = now or timezone.now()
    labels = dict(EventKind.choices)
    notable = Q(kind__in=sorted(MILESTONE_KINDS | SIGNAL_KINDS)) | Q(
        kind=EventKind.TICKET_OPENED, severity__in=sorted(LOUD_SEVERITIES)
    )
    milestones: list[dict[str, Any]] = []
    signals: list[dict[str, Any]] = []
    rows = (
        customer.events.filter(notable)
        .order_by("occurred_at", "id")
        .values_list("kind", "occurred_at", "amount", "severity", "score", "note", "metadata")
    )
    for kind, at, amount, severity, score, note, metadata in rows:
        entry = {
            "at": plot_time(at),
            "kind": kind,
            "label": labels[kind],
            "detail": _detail(kind, amount, severity, score, note, metadata or {}),
        }
        if kind in MILESTONE_KINDS:
            milestones.append(entry)
        else:
            entry["severity"] = severity or ""
            entry["score"] = score
            signals.append(entry)
    # Everyday events are counted per week (of the site's time zone) by PostgreSQL: the page's cost
    # grows with the weeks of history, not with the number of events.
    weekly: dict[str, Counter] = defaultdict(Counter)
    everyday = 0
    per_week = (
        customer.events.exclude(notable)
        .annotate(week=TruncWeek("occurred_at"))
        .values("week", "kind")
        .annotate(events=Count("id"), sessions=Sum(Coalesce("quantity", Value(1.0))))
        .values_list("week", "kind", "events", "sessions")
    )
    for week, kind, events, sessions in per_week:
        everyday += events
        series = ACTIVITY_SERIES.get(kind)
        if series is not None:  # closed tickets only count: their opening is what matters
            # Usage events carry their sessions; a usage event without a quantity counts as one.
            weekly[week.date().isoformat()][series] += sessions if kind == EventKind.USAGE else events
    weeks = sorted(weekly)
    activity = {
        "weeks": weeks,
        **{series: [round(weekly[week][series], 1) for week in weeks] for series in ACTIVITY_SERIES.values()},
    }
    total = len(milestones) + len(signals) + everyday
    stages = _stage_bands(customer, now=now)
    risk, current = _risk(customer)
    return {
        "customer": customer.display_name,
        "signed_up": plot_time(customer.signed_up_at),
        "now": plot_time(now),
        "milestones": milestones,
        "signals": signals,
        "activity": activity,
        "stages": stages,
        "risk": risk,
        "current_risk": current,
        "risk_threshold": rules.risk_threshold,
        "counts": {
            "events": total,
            "milestones": len(milestones),
            "signals": len(signals),
            "weekly": total - len(milestones) - len(signals),
        },
        "summary": _summary(customer, total=total, milestones=milestones, stages=stages, current=current),
    }


def _stage_bands(customer: Customer, *, now: datetime) -> list[dict[str, Any]]:
    """Spans of the stage history, oldest first; each runs to the next change (the last to now)."""
    changes = list(customer.stage_changes.order_by("changed_at", "id").values_list("stage", "reason", "changed_at"))
    labels = dict(Stage.choices)
    bands = []
    for index, (stage, reason, start) in enumerate(changes):
        end = changes[index + 1][2] if index + 1 < len(changes) else max(now, start)
        bands.append(
            {
                "stage": stage,
                "label": labels.get(stage, stage),
                "from": plot_time(start),
                "to": plot_time(end),
                "reason": reason,
                "days": round((end - start).total_seconds() / 86400),
            }
        )
    return bands


def _risk(customer: Customer) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The risk history (oldest first) and the current risk (the customer's own copy)."""
    points = [
        {"at": plot_time(at), "risk": round(risk, 4), "band": band}
        for at, risk, band in customer.churn_predictions.order_by("as_of", "id").values_list("as_of", "risk", "band")
    ]
    current = None
    if customer.churn_risk is not None:
        at = customer.churn_scored_at or (timezone.now())
        current = {"at": plot_time(at), "risk": round(customer.churn_risk, 4), "band": customer.churn_band}
    elif points:
        current = points[-1]
    return points, current


def _summary(
    customer: Customer,
    *,
    total: int,
    milestones: list[dict[str, Any]],
    stages: list[dict[str, Any]],
    current: dict[str, Any] | None,
) -> str:
    """One sentence telling the story, for the chart's label (screen readers) and the page."""
    parts = [f"{customer.display_name}: {total} events since signing up on {customer.signed_up_at:%d %b %Y}"]
    if stages:
        path = [band["label"] for band in stages]
        shown = path if len(path) <= 6 else [*path[:2], "…", *path[-3:]]
        parts.append("stages " + " → ".join(shown))
    if milestones:
        parts.append(
            f"{len(milestones)} milestones, the latest {milestones[-1]['label'].lower()} on {milestones[-1]['at'][:10]}"
        )
    if current is not None:
        parts.append(f"churn risk now {current['risk']:.0%}")
    return "; ".join(parts) + "."
