"""Leads as model input: their fields, custom attributes and engagement as of a moment.

One frame builder serves training (one cut-off per lead: when it closed), single-lead scoring and
bulk rescoring. It works on column tuples, so bulk rescoring can fetch just these columns instead
of whole model instances, and engagement is aggregated by PostgreSQL rather than by pulling every
activity row into Python.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import QuerySet, TextField
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast, JSONArray

from crm_saas.pg_arrays import bigint_array, timestamptz_array
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
# Contact details are for rules ("e-mail known"), never model features.
CONTACT_FIELDS = ("email", "phone", "title")
# What a frame is built from, in this order, followed by one value per custom attribute taken.
FRAME_FIELDS = ("id", "created_at", *CONTACT_FIELDS, *(column.name for column in LEAD_FIELD_COLUMNS))
_TYPES = {CustomFieldType.NUMBER: NUMBER, CustomFieldType.BOOLEAN: BOOLEAN, CustomFieldType.CATEGORY: CATEGORY}
_COUNTS = ("activity_total", "activity_30d", "time_on_site_30d", "meetings_total")


def lead_columns() -> list[Column]:
    """Every column a lead model may use; free-text attributes are left to text features."""
    attributes = [
        Column(f"attr__{field.key}", _TYPES[field.type], field.label)
        for field in CustomField.objects.order_by("key")
        if field.type in _TYPES
    ]
    return [*LEAD_FIELD_COLUMNS, *attributes, *ACTIVITY_COLUMNS]


def lead_frame(
    leads: Sequence[Lead], *, as_of: Sequence[datetime] | datetime, attribute_keys: Iterable[str] | None = None
) -> pd.DataFrame:
    """One row per lead (index = lead id). Activity counts only what happened before ``as_of``.
    ``attribute_keys`` limits the custom attributes taken; None takes every one the leads have."""
    keys = list(dict.fromkeys(attribute_keys)) if attribute_keys is not None else _keys_in(leads)
    rows = [
        (*(getattr(lead, field) for field in FRAME_FIELDS), *(lead.attributes.get(key) for key in keys))
        for lead in leads
    ]
    return lead_frame_from_rows(rows, as_of=as_of, attribute_keys=keys)


def lead_frame_rows(queryset: QuerySet[Lead], *, attribute_keys: Sequence[str]) -> list[tuple[Any, ...]]:
    """The rows ``lead_frame_from_rows`` needs, as plain tuples (no model instances).

    PostgreSQL picks the attributes that are read out of each lead's JSON into one small array, so
    only those travel and get decoded, typed exactly as stored (numbers stay numbers). The query is
    the queryset's own SQL run on a plain cursor: Django's per-row conversion of 100k rows cost
    more than the scan."""
    if attribute_keys:
        picked = JSONArray(*(KeyTransform(key, "attributes") for key in attribute_keys))
        queryset = queryset.annotate(_picked=Cast(picked, TextField()))
        sql, params = queryset.values_list(*FRAME_FIELDS, "_picked").query.sql_with_params()
    else:
        sql, params = queryset.values_list(*FRAME_FIELDS).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not attribute_keys:
        return rows
    return [(*row[:-1], *json.loads(row[-1])) for row in rows]


def lead_frame_from_rows(
    rows: Sequence[tuple[Any, ...]],
    *,
    as_of: Sequence[datetime] | datetime,
    attribute_keys: Sequence[str],
    engagement: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The frame from tuples of ``FRAME_FIELDS`` followed by the values of ``attribute_keys``."""
    ids = [row[0] for row in rows]
    index = pd.Index(ids, name="lead_id")
    width = len(FRAME_FIELDS) + len(attribute_keys)
    values = list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]
    by_field = dict(zip(FRAME_FIELDS, values, strict=False))
    data: dict[str, object] = {}
    for column in LEAD_FIELD_COLUMNS:
        raw = by_field[column.name]
        # Blank text means "not given" for the model; referred keeps True/False/None.
        data[column.name] = list(raw) if column.type == BOOLEAN else [value or None for value in raw]
    for name in CONTACT_FIELDS:
        data[name] = [value or None for value in by_field[name]]
    for position, key in enumerate(attribute_keys, start=len(FRAME_FIELDS)):
        data[f"attr__{key}"] = list(values[position])
    frame = pd.DataFrame(data, index=index)
    cutoffs = cutoffs_for(as_of, len(rows))
    created = pd.to_datetime(list(by_field["created_at"]), utc=True)
    frame["lead_age_days"] = np.clip((cutoffs - created).total_seconds().to_numpy() / 86400, 0, None)
    # ``engagement``: the batch's ``activity_aggregates`` when a caller fetched them beforehand.
    return frame.join(engagement if engagement is not None else activity_aggregates(ids, cutoffs))


def _keys_in(leads: Sequence[Lead]) -> list[str]:
    keys: dict[str, None] = {}
    for lead in leads:
        keys.update(dict.fromkeys(lead.attributes))
    return list(keys)


def cutoffs_for(as_of: Sequence[datetime] | datetime, count: int) -> pd.DatetimeIndex:
    """``count`` UTC cut-offs: one moment for every lead, or one per lead."""
    moments = [as_of] * count if isinstance(as_of, datetime) else list(as_of)
    return pd.DatetimeIndex(pd.to_datetime(moments, utc=True))


def activity_aggregates(ids: Sequence[int], cutoffs: pd.DatetimeIndex) -> pd.DataFrame:
    """Engagement features per lead, counting only activity before that lead's cut-off.

    PostgreSQL does the grouping (the leads' activity can be millions of rows); the cut-offs travel
    as an array beside the ids, so training (one cut-off per lead) and scoring share this query.
    """
    columns = [column.name for column in ACTIVITY_COLUMNS if column.name != "lead_age_days"]
    result = pd.DataFrame(np.nan, index=pd.Index(ids, name="lead_id"), columns=columns)
    if len(ids):
        table = connection.ops.quote_name(LeadActivity._meta.db_table)
        recent = "a.occurred_at >= c.cutoff - interval '30 days'"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.lead_id, count(*), count(*) FILTER (WHERE " + recent + "), "  # noqa: S608 - constants, quoted table
                "EXTRACT(EPOCH FROM min(c.cutoff - a.occurred_at)) / 86400, "
                "coalesce(sum(a.quantity) FILTER (WHERE a.kind = %s AND " + recent + "), 0), "
                "count(*) FILTER (WHERE a.kind = %s)::float8 / nullif(count(*) FILTER (WHERE a.kind = %s), 0), "
                "count(*) FILTER (WHERE a.kind = %s) "
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS c(lead_id, cutoff) "
                f"JOIN {table} AS a ON a.lead_id = c.lead_id AND a.occurred_at < c.cutoff "
                "GROUP BY c.lead_id",
                [
                    ActivityKind.TIME_ON_SITE,
                    ActivityKind.EMAIL_CLICK,
                    ActivityKind.EMAIL_OPEN,
                    ActivityKind.MEETING,
                    bigint_array(ids),
                    timestamptz_array(cutoffs.to_pydatetime()),
                ],
            )
            found = cursor.fetchall()
        if found:
            aggregated = pd.DataFrame(found, columns=["lead_id", *columns]).set_index("lead_id").astype(float)
            result.loc[aggregated.index, columns] = aggregated[columns].to_numpy()
    for name in _COUNTS:
        result[name] = result[name].fillna(0.0)
    return result
