"""Scoring leads, training the tenant's lead model, and reading scores."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from crm_saas.errors import DomainError
from crm_saas.integrations.events import lead_score_events_emit, webhook_events_subscribed
from crm_saas.jobs.models import Job
from crm_saas.jobs.services import ProgressCallback, job_create, job_enqueue
from crm_saas.pg_arrays import bigint_array, float_array, text_array
from leads.models import CLOSED_STATUSES, Lead, LeadScore, LeadStatus, ScoringRule, ScoringSettings
from leads.scoring.features import (
    activity_aggregates,
    cutoffs_for,
    lead_columns,
    lead_frame,
    lead_frame_from_rows,
    lead_frame_rows,
)
from leads.scoring.overlap import background_connections
from leads.scoring.refresh import score_reasons_backfill_soon
from leads.scoring.rules import RuleHit, RuleMatches, rules_ensure_defaults, rules_match
from ml import services as ml_services
from ml.models import ModelKind, ModelVersion
from ml.training import NotEnoughData, TrainedModel, check_data, train
from tenants.accounts.models import User

logger = logging.getLogger(__name__)
KIND = ModelKind.LEAD_SCORING
TRAIN_JOB = "leads.train_model"
RULES_BASELINE = 50  # a lead matching no rule scores 50 on rules alone
# Bulk rescoring batch: large enough that per-call model and SQL overheads vanish, small enough
# to keep memory flat (~10k rows of a few dozen columns).
BULK_BATCH = 10_000
FACTORS_KEPT = 12  # reasons stored per score: more than any page shows
TOP_FACTORS = 3


def scoring_settings() -> ScoringSettings:
    settings_row = ScoringSettings.objects.first()
    return settings_row or ScoringSettings.objects.create()


@dataclass
class ScoreResult:
    score: int
    band: str
    probability: float | None
    rules_points: int
    factors: list[dict[str, Any]]
    explained: bool = True


@dataclass
class Scorer:
    """What scoring needs, loaded once per run: settings, active rules, and the model (if any)."""

    settings_row: ScoringSettings
    rules: list[ScoringRule]
    version: ModelVersion | None
    model: TrainedModel | None

    @property
    def attribute_keys(self) -> list[str]:
        """Custom attributes read by the model or a rule: all that bulk scoring fetches."""
        keys = [column.name.removeprefix("attr__") for column in self.model.columns] if self.model else []
        return [*keys, *(rule.field for rule in self.rules)]


@dataclass
class ScoredFrame:
    """Scores of a frame's leads as arrays (bulk rescoring never builds per-lead objects)."""

    ids: list[int]
    scores: np.ndarray
    bands: np.ndarray
    probabilities: np.ndarray | None
    rules_points: np.ndarray
    factors: list[list[dict[str, Any]]] | None  # None: reasons are worked out when a lead is viewed

    def subset(self, keep: np.ndarray) -> ScoredFrame:
        """The rows where ``keep`` is true."""
        return ScoredFrame(
            ids=[lead_id for lead_id, kept in zip(self.ids, keep, strict=True) if kept],
            scores=self.scores[keep],
            bands=self.bands[keep],
            probabilities=None if self.probabilities is None else self.probabilities[keep],
            rules_points=self.rules_points[keep],
            factors=None if self.factors is None else [f for f, kept in zip(self.factors, keep, strict=True) if kept],
        )

    @cached_property
    def probability_values(self) -> list[float | None]:
        """Plain floats (None without a model), as stored and returned; built once per batch."""
        if self.probabilities is None:
            return [None] * len(self.ids)
        return [float(value) for value in self.probabilities]


def scorer_load(version: ModelVersion | None = None) -> Scorer:
    rules_ensure_defaults()
    version = version if version is not None else ml_services.model_version_active(kind=KIND)
    return Scorer(
        settings_row=scoring_settings(),
        rules=list(ScoringRule.objects.filter(is_active=True)),
        version=version,
        model=ml_services.model_load(version) if version else None,
    )


def bands_for(scores: np.ndarray, settings_row: ScoringSettings) -> np.ndarray:
    return np.select(
        [scores >= settings_row.band_a_min, scores >= settings_row.band_b_min, scores >= settings_row.band_c_min],
        ["A", "B", "C"],
        "D",
    )


def frame_score(
    frame: pd.DataFrame, scorer: Scorer, *, explain: bool, prepared: pd.DataFrame | None = None
) -> ScoredFrame:
    """The 0-100 score of every row: rules alone, or blended with the calibrated probability.

    With ``explain`` each lead also gets its reasons in points: rule points (weighted) and the
    model's share of the score split in proportion to the additive contributions, so the points
    of all factors add up to the distance between the score and its baseline. ``prepared``: the
    model input of ``frame`` when the caller built it ahead."""
    matches = rules_match(scorer.rules, frame)
    rules_points = matches.points
    rules_score = np.clip(RULES_BASELINE + rules_points, 0, 100).astype(float)
    weight = scorer.settings_row.rules_weight
    probabilities = None
    if scorer.model is None:
        raw = rules_score
    else:
        if prepared is None:
            prepared = scorer.model.prepare(frame)
        probabilities = np.asarray(scorer.model.predict_proba_prepared(prepared), dtype=float)
        raw = (1 - weight) * 100 * probabilities + weight * rules_score
    scores = np.clip(np.round(raw), 0, 100).astype(int)
    factors = None
    if explain or scorer.model is None:
        factors = _explain(frame, scorer, matches, probabilities)
    return ScoredFrame(
        ids=[int(lead_id) for lead_id in frame.index],
        scores=scores,
        bands=bands_for(scores, scorer.settings_row),
        probabilities=None if probabilities is None else np.round(probabilities, 4),
        rules_points=rules_points,
        factors=factors,
    )


def _explain(
    frame: pd.DataFrame, scorer: Scorer, matches: RuleMatches, probabilities: np.ndarray | None
) -> list[list[dict[str, Any]]]:
    weight = scorer.settings_row.rules_weight
    if scorer.model is None:
        return [
            [{"label": hit.label, "points": hit.points, "source": "rule"} for hit in _sorted(matches.hits(row))]
            for row in range(len(frame))
        ]
    base_raw, contributions, _ = scorer.model.explain(frame)
    base = scorer.model.to_probability(float(base_raw[0]))
    labels = {column.name: column.title for column in scorer.model.columns}
    explained = []
    for row, values in enumerate(frame.to_dict("records")):
        probability = float(probabilities[row])
        factors = [
            {"label": hit.label, "points": round(weight * hit.points, 1), "source": "rule"} for hit in matches.hits(row)
        ]
        model_points = (1 - weight) * 100 * (probability - base)
        total = sum(contributions[row].values())
        # Split the model's share of the score in proportion to the contributions; when they
        # nearly cancel out, use the local slope of probability instead so no factor explodes.
        slope = (1 - weight) * 100 * probability * (1 - probability)
        scale = model_points / total if abs(total) >= 0.05 else slope
        for column, contribution in contributions[row].items():
            points = scale * contribution
            if abs(points) >= 0.5:
                factors.append(
                    {
                        "label": _describe(column, labels, values),
                        "points": round(points, 1),
                        "source": "model",
                        "column": column,
                    }
                )
        explained.append(_sorted(factors))
    return explained


def _sorted(factors: list) -> list:
    return sorted(factors, key=lambda factor: -abs(factor.points if isinstance(factor, RuleHit) else factor["points"]))


def _describe(column: str, labels: dict[str, str], values: dict[str, Any]) -> str:
    label = labels.get(column, column.removeprefix("attr__").replace("_", " ").capitalize())
    value = values.get(column)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return f"{label}: not given"
    if isinstance(value, bool):
        return f"{label}: {'yes' if value else 'no'}"
    if isinstance(value, float):
        return f"{label}: {value:.0f}" if abs(value) >= 10 or value.is_integer() else f"{label}: {value:.1f}"
    return f"{label}: {value}"


def leads_score(
    leads: Sequence[Lead], *, version: ModelVersion | None = None, record_history: bool = True, explain: bool = True
) -> list[ScoreResult]:
    """Score leads now with the active model (or rules alone) and store the scores.

    ``explain=False`` skips the per-lead reasons from the model (bulk rescoring); they are worked
    out when someone looks at the lead (``lead_score_latest``)."""
    if not leads:
        return []
    scorer = scorer_load(version)
    now = timezone.now()
    scored = frame_score(lead_frame(leads, as_of=now), scorer, explain=explain)
    _store(scored, version=scorer.version, at=now, record_history=record_history)
    results = []
    emit_events = record_history and webhook_events_subscribed("lead.scored", "lead.priority_changed")
    for index, lead in enumerate(leads):
        result = ScoreResult(
            score=int(scored.scores[index]),
            band=str(scored.bands[index]),
            probability=scored.probability_values[index],
            rules_points=int(scored.rules_points[index]),
            factors=scored.factors[index] if scored.factors is not None else [],
            explained=scored.factors is not None,
        )
        previous_band = lead.band
        lead.score, lead.band, lead.probability, lead.scored_at = result.score, result.band, result.probability, now
        if emit_events:
            lead_score_events_emit(lead, previous_band=previous_band)
        results.append(result)
    return results


def _store(scored: ScoredFrame, *, version: ModelVersion | None, at: Any, record_history: bool) -> None:
    if not scored.ids:
        return
    with transaction.atomic():
        _update_current_scores(scored, version=version, at=at)
        if record_history:
            _append_history(scored, version=version, at=at)


def _append_history(scored: ScoredFrame, *, version: ModelVersion | None, at: Any) -> None:
    """History rows through COPY: the JSON reasons made row-by-row INSERT parameters the slowest
    part of bulk rescoring."""
    table = connection.ops.quote_name(LeadScore._meta.db_table)
    columns = "lead_id, score, band, probability, rules_points, factors, model_version_id, scored_at"
    probabilities = scored.probability_values
    version_id = version.pk if version else None
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for index, lead_id in enumerate(scored.ids):
            factors = scored.factors[index][:FACTORS_KEPT] if scored.factors is not None else None
            copy.write_row(
                (
                    lead_id,
                    int(scored.scores[index]),
                    str(scored.bands[index]),
                    probabilities[index],
                    int(scored.rules_points[index]),
                    None if factors is None else json.dumps(factors),
                    version_id,
                    at,
                )
            )


def _update_current_scores(scored: ScoredFrame, *, version: ModelVersion | None, at: Any) -> None:
    """One UPDATE for the whole batch (Django's bulk_update builds a CASE per row and field, which
    dominated bulk rescoring); values travel as arrays, so it stays one parameterised statement."""
    table = connection.ops.quote_name(Lead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS lead SET score = v.score, band = v.band, probability = v.probability, "  # noqa: S608 - quoted table name
            "scored_at = %s, score_model_version_id = %s "
            "FROM unnest(%s::bigint[], %s::smallint[], %s::text[], %s::float8[]) "
            "AS v(id, score, band, probability) WHERE lead.id = v.id",
            [
                at,
                version.pk if version else None,
                bigint_array(scored.ids),
                bigint_array(scored.scores.tolist()),
                text_array(scored.bands.tolist()),
                float_array(scored.probability_values),
            ],
        )


def leads_score_all(
    queryset: QuerySet[Lead],
    *,
    version: ModelVersion | None = None,
    report_progress: ProgressCallback | None = None,
    reasons_later: bool = True,
) -> int:
    """Score every lead of ``queryset`` in batches without loading model instances; returns how
    many were scored. A lead whose score, band and model are unchanged keeps its row and its
    history as they are (history records changes; a nightly rescoring writes only what moved). The
    model's reasons are left to a background job (``reasons_later``) or to the first view of each
    lead (leads/scoring/reasons.py)."""
    scorer = scorer_load(version)
    keys = list(dict.fromkeys(scorer.attribute_keys))
    # Counting is a scan of its own: only when someone follows the progress.
    total = queryset.count() if report_progress else 0

    version_id = scorer.version.pk if scorer.version else None

    def fetch(after_id: int) -> tuple[int | None, datetime, pd.DataFrame, pd.DataFrame | None, dict]:
        """One batch as of now, read and turned into model input ahead, on the reader's thread
        (while the model scores the previous batch, mostly outside the GIL)."""
        rows = lead_frame_rows(queryset.filter(pk__gt=after_id).order_by("pk")[:BULK_BATCH], attribute_keys=keys)
        now = timezone.now()
        if not rows:
            return None, now, pd.DataFrame(), None, {}
        ids = [row[0] for row in rows]
        current = {
            lead_id: (score, band, model_version_id)
            # By range, not by a list of 10,000 ids (each one a parameter quoted in Python).
            for lead_id, score, band, model_version_id in Lead.objects.filter(
                pk__gt=after_id, pk__lte=ids[-1]
            ).values_list("pk", "score", "band", "score_model_version_id")
        }
        engagement = activity_aggregates(ids, cutoffs_for(now, len(ids)))
        frame = lead_frame_from_rows(rows, as_of=now, attribute_keys=keys, engagement=engagement)
        return ids[-1], now, frame, scorer.model.prepare(frame) if scorer.model else None, current

    done = 0
    with background_connections("score-reader", "score-writer") as (reader, writer):
        next_batch = reader.submit(fetch, 0)
        stored: Future[None] | None = None
        while True:
            last_id, now, frame, prepared, current = next_batch.result()
            if last_id is None:
                break
            next_batch = reader.submit(fetch, last_id)  # read ahead while this batch is scored
            scored = frame_score(frame, scorer, explain=False, prepared=prepared)
            moved = np.fromiter(
                (
                    current.get(lead_id) != (int(score), str(band), version_id)
                    for lead_id, score, band in zip(scored.ids, scored.scores, scored.bands, strict=True)
                ),
                dtype=bool,
                count=len(scored.ids),
            )
            if stored is not None:
                stored.result()  # one batch in flight at most; a failed write stops the run here
            stored = writer.submit(_store, scored.subset(moved), version=scorer.version, at=now, record_history=True)
            done += len(frame)
            if report_progress:
                report_progress(int(100 * done / max(1, total)))
        if stored is not None:
            stored.result()
    if done and reasons_later and scorer.model is not None:
        score_reasons_backfill_soon()
    return done


def leads_rescore_open(
    *, version: ModelVersion | None = None, report_progress: ProgressCallback | None = None, reasons_later: bool = True
) -> int:
    """Rescore every open lead; returns how many were scored."""
    open_leads = Lead.objects.exclude(status__in=CLOSED_STATUSES)
    return leads_score_all(open_leads, version=version, report_progress=report_progress, reasons_later=reasons_later)


# --- training ----------------------------------------------------------------------------------


def _training_set() -> tuple[list[Lead], np.ndarray]:
    leads = list(Lead.objects.filter(status__in=CLOSED_STATUSES).order_by("created_at", "pk"))
    y = np.array([1 if lead.status == LeadStatus.CONVERTED else 0 for lead in leads], dtype=int)
    return leads, y


def lead_model_train_check() -> None:
    """Refuse early (before a job exists) when the history cannot support a model."""
    converted = Lead.objects.filter(status=LeadStatus.CONVERTED).count()
    lost = Lead.objects.filter(status=LeadStatus.LOST).count()
    try:
        check_data(np.array([1] * converted + [0] * lost))
    except NotEnoughData as error:
        raise DomainError(f"{error} Until then leads are scored by rules alone.", code="not_enough_data") from error


def lead_model_train_start(*, actor: User) -> Job:
    lead_model_train_check()
    from leads.tasks import lead_model_train_task

    with transaction.atomic():
        job = job_create(kind=TRAIN_JOB, created_by=actor)
        job_enqueue(job=job, task=lead_model_train_task, queue=None)
    return job


def lead_model_train(*, actor: User | None, report_progress: ProgressCallback | None = None) -> ModelVersion:
    leads, y = _training_set()
    try:
        check_data(y)
    except NotEnoughData as error:
        raise DomainError(str(error)) from error
    closed_at = [lead.converted_at or lead.lost_at or lead.created_at for lead in leads]
    columns = lead_columns()
    # Every custom field gets a column, even one no closed lead has filled in yet.
    attribute_keys = [column.name.removeprefix("attr__") for column in columns if column.name.startswith("attr__")]
    frame = lead_frame(leads, as_of=closed_at, attribute_keys=attribute_keys)
    order_key = np.array([lead.created_at.timestamp() for lead in leads]) + np.arange(len(leads)) * 1e-6
    if report_progress:
        report_progress(10)
    try:
        result = train(frame, columns, y, order_key=order_key, keep_columns=ml_services.kept_columns(kind=KIND))
    except NotEnoughData as error:
        raise DomainError(str(error)) from error
    if report_progress:
        report_progress(70)
    version = ml_services.model_version_save(kind=KIND, result=result, actor=actor)
    leads_rescore_open(version=version)
    return version


def lead_model_train_run(job: Job, report_progress: ProgressCallback) -> dict[str, Any]:
    version = lead_model_train(actor=job.created_by, report_progress=report_progress)
    return {"model_version": version.version, "algorithm": version.algorithm, "auc": version.metrics.get("auc")}


def lead_model_retrain_if_due() -> ModelVersion | None:
    """Retrain when the active model is older than the tenant's retraining period and the history
    allows it; otherwise leave things as they are (rules keep scoring)."""
    period = scoring_settings().retrain_every_days
    active = ml_services.model_version_active(kind=KIND)
    if period == 0 or (active and timezone.now() - active.created_at < timezone.timedelta(days=period)):
        return None
    try:
        lead_model_train_check()
    except DomainError:
        return None
    return lead_model_train(actor=None)
