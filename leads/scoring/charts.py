"""Chart data for the lead-scoring pages.

Each function turns stored figures (model metrics, score history, reasons) into one JSON-ready
dict: ``rows`` feed both the interactive chart (crm_saas/static/crm_saas/charts.js, given the dict
through ``json_script``) and the data table kept beside it for screen readers and pages without
JavaScript; ``summary`` is the sentence that labels the chart for assistive technology. They read
no database, so they are tested with plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from django.utils import timezone

Chart = dict[str, Any]

BANDS = ("A", "B", "C", "D")
EN_DASH = "\u2013"  # score ranges read "20<en dash>30", as elsewhere on the pages
TIMES = "\u00d7"  # lift reads "1.2<times>"


class BandThresholds(Protocol):
    """What the score-history chart needs from ``ScoringSettings``: the lowest score of each band."""

    band_a_min: int
    band_b_min: int
    band_c_min: int


def _plot_time(moment: datetime) -> str:
    # Plotly drops time-zone offsets from date strings, so send wall-clock time in the site's zone.
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _range_label(text: str) -> str:
    return text.replace("-", EN_DASH)  # the metrics store "20-30"


def _percent(value: float) -> str:
    return f"{round(100 * value)}%"


def _points(value: float) -> str:
    return f"{value:+g}"


def importance_chart(importance: Sequence[dict[str, Any]], *, limit: int = 15) -> Chart:
    """The strongest columns of the model, largest mean absolute contribution first."""
    rows = [
        {
            "label": str(entry.get("label") or entry.get("column") or ""),
            "column": str(entry.get("column") or ""),
            "importance": round(float(entry.get("importance") or 0), 5),
        }
        for entry in importance[:limit]
    ]
    top = ", ".join(row["label"] for row in rows[:3])
    summary = f"The columns that move the score most: {top}." if rows else "No feature importance was recorded."
    return {"rows": rows, "summary": summary}


def calibration_chart(points: Sequence[dict[str, Any]], *, holdout_rows: int | None = None) -> Chart:
    """Predicted against observed conversion per bin of held-out leads.

    ``leads`` per bin is shown when the metrics carry it; older versions do not, and the chart
    then says only how many held-out leads the bins share.
    """
    rows = [
        {
            "predicted": round(float(point["predicted"]), 4),
            "observed": round(float(point["observed"]), 4),
            "leads": int(point["leads"]) if point.get("leads") is not None else None,
        }
        for point in points
    ]
    if rows:
        gap = sum(abs(row["predicted"] - row["observed"]) for row in rows) / len(rows)
        summary = (
            f"{len(rows)} bins of held-out leads; predicted and observed conversion differ by "
            f"{round(100 * gap)} percentage points on average (0 is perfect calibration)."
        )
    else:
        summary = "No calibration figures were recorded."
    return {"rows": rows, "holdout_rows": holdout_rows, "summary": summary}


def conversion_by_range_chart(ranges: Sequence[dict[str, Any]], *, base_rate: float | None = None) -> Chart:
    """Observed conversion of held-out leads per predicted-score range (0-10 ... 90-100)."""
    rows = [
        {
            "range": _range_label(str(entry["range"])),
            "leads": int(entry.get("leads") or 0),
            "conversion_rate": round(float(entry.get("conversion_rate") or 0), 4),
        }
        for entry in ranges
    ]
    if rows:
        low, high = rows[0], rows[-1]
        summary = (
            f"Leads predicted {low['range']} converted at {_percent(low['conversion_rate'])}, "
            f"leads predicted {high['range']} at {_percent(high['conversion_rate'])}."
        )
    else:
        summary = "No conversion figures were recorded."
    return {"rows": rows, "base_rate": base_rate, "summary": summary}


def lift_chart(deciles: Sequence[dict[str, Any]]) -> Chart:
    """Lift over the base rate per decile of held-out leads, highest scores first."""
    rows = [
        {
            "decile": int(entry["decile"]),
            "lift": round(float(entry.get("lift") or 0), 3),
            "conversion_rate": round(float(entry.get("conversion_rate") or 0), 4),
            "leads": int(entry["leads"]) if entry.get("leads") is not None else None,
        }
        for entry in deciles
    ]
    if rows:
        summary = (
            f"The top decile converts at {rows[0]['lift']:g}{TIMES} the base rate, "
            f"the bottom decile at {rows[-1]['lift']:g}{TIMES}."
        )
    else:
        summary = "No lift figures were recorded."
    return {"rows": rows, "summary": summary}


def distribution_chart(buckets: Sequence[dict[str, int]]) -> Chart:
    """Scored leads per 10-point bucket, every bucket from 0-10 to 90-100 (empty ones as 0), so the
    bars always span the whole scale."""
    counts = {int(bucket["from"]): int(bucket["leads"]) for bucket in buckets}
    rows = [
        {"range": f"{start}{EN_DASH}{start + 10}", "from": start, "leads": counts.get(start, 0)}
        for start in range(0, 100, 10)
    ]
    total = sum(row["leads"] for row in rows)
    if total:
        busiest = max(rows, key=lambda row: row["leads"])
        summary = f"{total} scored leads; the most ({busiest['leads']}) score {busiest['range']}."
    else:
        summary = "No scored leads yet."
    return {"rows": rows, "total": total, "summary": summary}


def versions_chart(versions: Iterable[Any]) -> Chart:
    """AUC of every model version in training order; the active one is flagged."""
    rows = [
        {
            "version": version.version,
            "label": f"v{version.version}",
            "algorithm": version.algorithm_label,
            "auc": version.metrics.get("auc"),
            "trained": _plot_time(version.created_at),
            "active": bool(version.is_active),
        }
        for version in sorted(versions, key=lambda version: version.version)
    ]
    active = next((row for row in rows if row["active"]), None)
    if not rows:
        summary = "No versions yet."
    elif active and active["auc"] is not None:
        summary = f"{len(rows)} version(s); the active {active['label']} has an AUC of {active['auc']:.3f}."
    else:
        summary = f"{len(rows)} version(s); none is active."
    return {"rows": rows, "summary": summary}


def factors_chart(factors: Sequence[dict[str, Any]], *, model_version: int | None, limit: int = 8) -> Chart:
    """The strongest reasons for and against a lead's score, in points.

    Factors come sorted by size from scoring; the first ``limit`` are kept in that order.
    """
    rows = []
    for factor in factors[:limit]:
        points = round(float(factor["points"]), 1)
        source = str(factor.get("source") or "rule")
        if source == "model":
            source_label = f"model v{model_version}" if model_version is not None else "model"
        else:
            source_label = "scoring rule"
        rows.append(
            {
                "label": str(factor["label"]),
                "points": points,
                "points_text": _points(points),
                "source": source,
                "source_label": source_label,
                "direction": "for" if points >= 0 else "against",
            }
        )
    raising = [row for row in rows if row["direction"] == "for"]
    lowering = [row for row in rows if row["direction"] == "against"]
    parts = []
    if raising:
        parts.append(f"{len(raising)} raise the score (most: {raising[0]['label']}, {raising[0]['points_text']})")
    if lowering:
        parts.append(f"{len(lowering)} lower it (most: {lowering[0]['label']}, {lowering[0]['points_text']})")
    summary = f"Of the {len(rows)} strongest reasons, {' and '.join(parts)}." if rows else "No strong reasons."
    return {"rows": rows, "summary": summary}


def score_history_chart(history: Sequence[Any], *, thresholds: BandThresholds) -> Chart:
    """A lead's scores over time (oldest first) with the band ranges to shade behind them.

    ``history`` holds LeadScore rows, newest first as the model orders them, with ``model_version``
    already loaded.
    """
    rows = [
        {
            "at": _plot_time(entry.scored_at),
            "score": int(entry.score),
            "band": entry.band,
            "model_version": entry.model_version.version if entry.model_version_id else None,
            "scored_by": f"model v{entry.model_version.version}" if entry.model_version_id else "rules only",
        }
        for entry in reversed(history)
    ]
    lows = (thresholds.band_a_min, thresholds.band_b_min, thresholds.band_c_min, 0)
    highs = (100, *lows[:3])
    bands = [{"band": band, "from": low, "to": high} for band, low, high in zip(BANDS, lows, highs, strict=True)]
    if len(rows) > 1:
        summary = (
            f"{len(rows)} scores from {rows[0]['score']} (band {rows[0]['band']}) "
            f"to {rows[-1]['score']} (band {rows[-1]['band']})."
        )
    elif rows:
        summary = f"One score so far: {rows[0]['score']} (band {rows[0]['band']})."
    else:
        summary = "Not scored yet."
    return {"rows": rows, "bands": bands, "summary": summary}
