"""Scoring leads, training the tenant's lead model, and reading scores."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from crm_saas.errors import DomainError
from crm_saas.jobs.models import Job
from crm_saas.jobs.services import ProgressCallback, job_create, job_enqueue
from leads.models import CLOSED_STATUSES, Lead, LeadScore, LeadStatus, ScoringRule, ScoringSettings
from leads.scoring.features import lead_columns, lead_frame
from leads.scoring.rules import RuleHit, rules_apply, rules_ensure_defaults
from ml import services as ml_services
from ml.models import ModelKind, ModelVersion
from ml.training import NotEnoughData, TrainedModel, check_data, train
from tenants.accounts.models import User

logger = logging.getLogger(__name__)
KIND = ModelKind.LEAD_SCORING
TRAIN_JOB = "leads.train_model"
RULES_BASELINE = 50  # a lead matching no rule scores 50 on rules alone
BATCH = 2000
TOP_FACTORS = 3


def scoring_settings() -> ScoringSettings:
    settings_row = ScoringSettings.objects.first()
    return settings_row or ScoringSettings.objects.create()


def band_for(score: int, settings_row: ScoringSettings) -> str:
    if score >= settings_row.band_a_min:
        return "A"
    if score >= settings_row.band_b_min:
        return "B"
    if score >= settings_row.band_c_min:
        return "C"
    return "D"


@dataclass
class ScoreResult:
    score: int
    band: str
    probability: float | None
    rules_points: int
    factors: list[dict[str, Any]]
    explained: bool = True


def _combine(
    *,
    hits: list[RuleHit],
    probability: float | None,
    contributions: dict[str, float] | None,
    base_probability: float | None,
    labels: dict[str, str],
    values: dict[str, Any],
    settings_row: ScoringSettings,
    explained: bool = True,
) -> ScoreResult:
    """The 0-100 score and its reasons in points. Points of all factors add up to the distance
    between the score and its baseline (the rules baseline, blended with the model's base rate)."""
    rules_points = sum(hit.points for hit in hits)
    rules_score = float(np.clip(RULES_BASELINE + rules_points, 0, 100))
    factors: list[dict[str, Any]] = []
    if probability is None:
        score = round(rules_score)
        factors = [{"label": hit.label, "points": hit.points, "source": "rule"} for hit in hits]
    else:
        weight = settings_row.rules_weight
        score = round((1 - weight) * 100 * probability + weight * rules_score)
        factors = [{"label": hit.label, "points": round(weight * hit.points, 1), "source": "rule"} for hit in hits]
        model_points = (1 - weight) * 100 * (probability - (base_probability or 0.0))
        total = sum(contributions.values()) if contributions else 0.0
        # Split the model's share of the score in proportion to the contributions; when they
        # nearly cancel out, use the local slope of probability instead so no factor explodes.
        slope = (1 - weight) * 100 * probability * (1 - probability)
        scale = model_points / total if abs(total) >= 0.05 else slope
        if contributions:
            for column, contribution in contributions.items():
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
    factors.sort(key=lambda factor: -abs(factor["points"]))
    return ScoreResult(
        explained=explained,
        score=int(np.clip(score, 0, 100)),
        band=band_for(int(np.clip(score, 0, 100)), settings_row),
        probability=None if probability is None else round(float(probability), 4),
        rules_points=rules_points,
        factors=factors,
    )


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
    rules_ensure_defaults()
    settings_row = scoring_settings()
    rules = list(ScoringRule.objects.filter(is_active=True))
    version = version if version is not None else ml_services.model_version_active(kind=KIND)
    model: TrainedModel | None = ml_services.model_load(version) if version else None
    now = timezone.now()
    frame = lead_frame(leads, as_of=now)
    probabilities = contributions = base = None
    labels: dict[str, str] = {}
    if model is not None:
        probabilities = model.predict_proba(frame)
        if explain:
            base_raw, contributions, _ = model.explain(frame)
            base = _base_probability(model, base_raw[0])
            labels = {column.name: column.title for column in model.columns}
    results = []
    for index, row in enumerate(frame.to_dict("records")):
        results.append(
            _combine(
                hits=rules_apply(rules, row),
                probability=None if probabilities is None else float(probabilities[index]),
                contributions=None if contributions is None else contributions[index],
                explained=explain or model is None,
                base_probability=base,
                labels=labels,
                values=row,
                settings_row=settings_row,
            )
        )
    _store(leads, results, version=version, at=now, record_history=record_history)
    return results


def _base_probability(model: TrainedModel, base_raw: float) -> float:
    if model.output_unit == "probability":
        return float(base_raw)
    return float(1 / (1 + np.exp(-base_raw)))


def _store(
    leads: Sequence[Lead], results: list[ScoreResult], *, version: ModelVersion | None, at: Any, record_history: bool
) -> None:
    with transaction.atomic():
        for lead, result in zip(leads, results, strict=True):
            lead.score, lead.band, lead.probability, lead.scored_at = result.score, result.band, result.probability, at
        _update_current_scores(leads, at=at)
        if record_history:
            _append_history(leads, results, version=version, at=at)


def _append_history(
    leads: Sequence[Lead], results: list[ScoreResult], *, version: ModelVersion | None, at: Any
) -> None:
    """History rows through COPY: the JSON reasons made row-by-row INSERT parameters the slowest
    part of bulk rescoring."""
    table = connection.ops.quote_name(LeadScore._meta.db_table)
    columns = "lead_id, score, band, probability, rules_points, factors, model_version_id, scored_at"
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for lead, result in zip(leads, results, strict=True):
            copy.write_row(
                (
                    lead.pk,
                    result.score,
                    result.band,
                    result.probability,
                    result.rules_points,
                    json.dumps(result.factors[:12]) if result.explained else None,
                    version.pk if version else None,
                    at,
                )
            )


def _update_current_scores(leads: Sequence[Lead], *, at: Any) -> None:
    """One UPDATE for the whole batch (Django's bulk_update builds a CASE per row and field, which
    dominated bulk rescoring); values travel as arrays, so it stays one parameterised statement."""
    table = connection.ops.quote_name(Lead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS lead SET score = v.score, band = v.band, probability = v.probability, "  # noqa: S608
            "scored_at = %s FROM unnest(%s::bigint[], %s::smallint[], %s::text[], %s::float8[]) "
            "AS v(id, score, band, probability) WHERE lead.id = v.id",
            [
                at,
                [lead.pk for lead in leads],
                [lead.score for lead in leads],
                [lead.band for lead in leads],
                [lead.probability for lead in leads],
            ],
        )


def leads_rescore_open(*, version: ModelVersion | None = None, report_progress: ProgressCallback | None = None) -> int:
    """Rescore every open lead in batches; returns how many were scored."""
    ids = list(Lead.objects.exclude(status__in=CLOSED_STATUSES).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(Lead.objects.filter(pk__in=ids[start : start + BATCH]).order_by("pk"))
        leads_score(batch, version=version, explain=False)  # reasons are worked out when a lead is viewed
        if report_progress:
            report_progress(int(100 * min(len(ids), start + BATCH) / max(1, len(ids))))
    return len(ids)


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
    frame = lead_frame(leads, as_of=closed_at)
    order_key = np.array([lead.created_at.timestamp() for lead in leads]) + np.arange(len(leads)) * 1e-6
    if report_progress:
        report_progress(10)
    try:
        result = train(frame, lead_columns(), y, order_key=order_key, keep_columns=ml_services.kept_columns(kind=KIND))
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


def lead_score_latest(lead: Lead) -> LeadScore:
    """The lead's latest score with its reasons, scoring or explaining it now if needed."""
    latest = lead.score_history.select_related("model_version").first()
    if latest is None:
        leads_score([lead])
        return lead.score_history.select_related("model_version").first()
    if latest.factors is None:
        try:
            result = leads_score([lead], version=latest.model_version, record_history=False)[0]
        except DomainError:
            # The model file is missing or damaged: the score stands, its reasons cannot be shown.
            logger.exception("Could not explain the score of lead %s", lead.pk)
            return latest
        latest.factors = result.factors[:12]
        LeadScore.objects.filter(pk=latest.pk).update(factors=latest.factors)
    return latest
