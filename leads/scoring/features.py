"""Leads as model input: their fields, custom attributes and engagement as of a moment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from leads.models import ActivityKind, CustomField, CustomFieldType, Lead, LeadActivity
from ml.schema import BOOLEAN, CATEGORY, NUMBER, Column

LEAD_FIELD_COLUMNS = [
    Column("source", CATEGORY, "Source"),
    Column("platform", CATEGORY, "Platform"),
    Column("industry", CATEGORY, "Industry"),
    Column("company_size", CATEGORY, "Company size"),
    Column("country", CATEGORY, "Country"),
    Column("city", CATEGORY, "City"),
    Column("utm_source", CATEGORY, "UTM source"),
    Column("utm_medium", CATEGORY, "UTM medium"),
    Column("utm_campaign", CATEGORY, "Campaign"),
    Column("referred", BOOLEAN, "Referred"),
]
ACTIVITY_COLUMNS = [
    Column("activity_total", NUMBER, "Engagement events"),
    Column("activity_30d", NUMBER, "Engagement in the last 30 days"),
    Column("days_since_activity", NUMBER, "Days since last engagement"),
    Column("time_on_site_30d", NUMBER, "Time on site in the last 30 days"),
    Column("email_click_ratio", NUMBER, "E-mail click-through"),
    Column("meetings_total", NUMBER, "Meetings"),
    Column("lead_age_days", NUMBER, "Lead age (days)"),
]
_TYPES = {CustomFieldType.NUMBER: NUMBER, CustomFieldType.BOOLEAN: BOOLEAN, CustomFieldType.CATEGORY: CATEGORY}


def lead_columns() -> list[Column]:
    """Every column a lead model may use; free-text attributes are left to text features."""
    attributes = [
        Column(f"attr__{field.key}", _TYPES[field.type], field.label)
        for field in CustomField.objects.order_by("key")
        if field.type in _TYPES
    ]
    return [*LEAD_FIELD_COLUMNS, *attributes, *ACTIVITY_COLUMNS]


def lead_frame(leads: Sequence[Lead], *, as_of: Sequence[datetime] | datetime) -> pd.DataFrame:
    """One row per lead (index = lead id). Activity counts only what happened before ``as_of``."""
    ids = [lead.pk for lead in leads]
    cutoffs = list(as_of) if isinstance(as_of, Sequence) else [as_of] * len(leads)
    rows = []
    for lead in leads:
        row: dict[str, object] = {column.name: getattr(lead, column.name) for column in LEAD_FIELD_COLUMNS}
        # Contact details are for rules ("e-mail known"), never model features.
        row.update({"email": lead.email or None, "phone": lead.phone or None, "title": lead.title or None})
        for name in (
            "source",
            "platform",
            "industry",
            "company_size",
            "country",
            "city",
            "utm_source",
            "utm_medium",
            "utm_campaign",
        ):
            row[name] = row[name] or None
        row.update({f"attr__{key}": value for key, value in lead.attributes.items()})
        rows.append(row)
    frame = pd.DataFrame(rows, index=pd.Index(ids, name="lead_id"))
    cutoff = pd.Series(pd.to_datetime(cutoffs, utc=True), index=frame.index)
    created = pd.Series(pd.to_datetime([lead.created_at for lead in leads], utc=True), index=frame.index)
    frame["lead_age_days"] = ((cutoff - created).dt.total_seconds() / 86400).clip(lower=0)
    return frame.join(_activity_aggregates(ids, cutoff))


def _activity_aggregates(ids: list[int], cutoff: pd.Series) -> pd.DataFrame:
    columns = [
        "activity_total",
        "activity_30d",
        "days_since_activity",
        "time_on_site_30d",
        "email_click_ratio",
        "meetings_total",
    ]
    records = list(
        LeadActivity.objects.filter(lead_id__in=ids).values_list("lead_id", "kind", "occurred_at", "quantity")
    )
    if not records:
        empty = pd.DataFrame(0.0, index=cutoff.index, columns=columns)
        empty["days_since_activity"] = np.nan
        empty["email_click_ratio"] = np.nan
        return empty
    events = pd.DataFrame(records, columns=["lead_id", "kind", "occurred_at", "quantity"])
    events["occurred_at"] = pd.to_datetime(events["occurred_at"], utc=True)
    events["cutoff"] = events["lead_id"].map(cutoff)
    events = events[events["occurred_at"] < events["cutoff"]]
    age_days = (events["cutoff"] - events["occurred_at"]).dt.total_seconds() / 86400
    recent = age_days <= 30
    grouped = events.assign(
        recent=recent.astype(float),
        time_recent=np.where(recent & (events["kind"] == ActivityKind.TIME_ON_SITE), events["quantity"], 0.0),
        opens=(events["kind"] == ActivityKind.EMAIL_OPEN).astype(float),
        clicks=(events["kind"] == ActivityKind.EMAIL_CLICK).astype(float),
        meetings=(events["kind"] == ActivityKind.MEETING).astype(float),
        age=age_days,
    ).groupby("lead_id")
    result = pd.DataFrame(
        {
            "activity_total": grouped.size().astype(float),
            "activity_30d": grouped["recent"].sum(),
            "days_since_activity": grouped["age"].min(),
            "time_on_site_30d": grouped["time_recent"].sum(),
            "email_click_ratio": grouped["clicks"].sum() / grouped["opens"].sum().replace(0, np.nan),
            "meetings_total": grouped["meetings"].sum(),
        }
    ).reindex(cutoff.index)
    for name in ("activity_total", "activity_30d", "time_on_site_30d", "meetings_total"):
        result[name] = result[name].fillna(0.0)
    return result
