"""Training the tenant's churn model, scoring customers, and their risk history.

The model is trained by the shared ``ml`` path (leakage guard, candidates compared on the most
recent rows, calibration, explanations, versions). Scoring writes a ``ChurnPrediction`` (the risk
history) and copies risk, band and time to the customer, then refreshes its next best actions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from crm_saas.errors import DomainError
from crm_saas.integrations.events import webhook_event_emit, webhook_events_subscribed
from crm_saas.integrations.payloads import customer_churn_payload
from crm_saas.jobs.models import Job
from crm_saas.jobs.services import ProgressCallback, job_create, job_enqueue
from crm_saas.pg_arrays import bigint_array, float_array, text_array
from lifecycle.churn.factors import TOP_FACTORS, bands_for, drivers
from lifecycle.churn.features import EVENT_MODE, churn_frame
from lifecycle.churn.training import (
    HORIZON_DAYS,
    NotEnoughChurnData,
    churn_train_precheck,
    churn_training_set,
    training_set_check,
)
from lifecycle.models import ChurnPrediction, Customer, CustomerStatus
from ml import services as ml_services
from ml.models import ModelKind, ModelVersion
from ml.training import NotEnoughData, TrainedModel, train
from tenants.accounts.models import User

logger = logging.getLogger(__name__)
KIND = ModelKind.CHURN
TRAIN_JOB = "lifecycle.churn_train"
BATCH = 2000
HISTORY_EVERY_DAYS = 30
STORED_FACTORS = 12
RISK_CHANGED = "customer.churn_risk_changed"


@dataclass
class ChurnScorer:
    version: ModelVersion
    model: TrainedModel
    mode: str

    @property
    def attribute_keys(self) -> list[str]:
        return [c.name.removeprefix("attr__") for c in self.model.columns if c.name.startswith("attr__")]

    @property
    def labels(self) -> dict[str, str]:
        return {column.name: column.title for column in self.model.columns}


def churn_scorer_load(version: ModelVersion | None = None) -> ChurnScorer | None:
    version = version if version is not None else ml_services.model_version_active(kind=KIND)
    if version is None:
        return None
    mode = version.data_summary.get("mode", EVENT_MODE)
    return ChurnScorer(version=version, model=ml_services.model_load(version), mode=mode)


@dataclass
class ScoredRows:
    frame: pd.DataFrame
    risks: np.ndarray
    bands: np.ndarray
    factors: list[list[dict[str, Any]]]
    base_probability: float


def frame_score(frame: pd.DataFrame, scorer: ChurnScorer) -> ScoredRows:
    """Calibrated risks, bands and the drivers of every row of a churn frame."""
    risks = np.clip(np.asarray(scorer.model.predict_proba(frame), dtype=float), 0.0, 1.0)
    base_raw, contributions, _ = scorer.model.explain(frame)
    base = scorer.model.to_probability(float(base_raw[0])) if len(frame) else 0.0
    labels = scorer.labels
    records = frame.to_dict("records")
    factors = [
        drivers(
            risk=float(risks[row]),
            base_probability=base,
            contributions=contributions[row],
            values=records[row],
            labels=labels,
            limit=STORED_FACTORS,
        )
        for row in range(len(frame))
    ]
    return ScoredRows(frame=frame, risks=risks, bands=bands_for(risks), factors=factors, base_probability=base)


def customers_score(
    customer_ids: Sequence[int],
    *,
    scorer: ChurnScorer | None = None,
    now: datetime | None = None,
    refresh_actions: bool = True,
) -> int:
    """Score active customers as of now: history rows, the customer's current risk, next actions.

    A second scoring on the same day under the same model replaces that day's row, so rescoring
    after every event keeps one point per day in the risk history. Returns how many were scored."""
    scorer = scorer or churn_scorer_load()
    if scorer is None or not customer_ids:
        return 0
    now = now or timezone.now()
    ids = list(
        Customer.objects.filter(pk__in=list(customer_ids), status=CustomerStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    frame = churn_frame(ids, as_of=now, mode=scorer.mode, attribute_keys=scorer.attribute_keys)
    scored = frame_score(frame, scorer)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        if webhook_events_subscribed(RISK_CHANGED):
            _risk_changes_emit(ids, scored, at=now)
        ChurnPrediction.objects.filter(
            customer_id__in=ids, model_version=scorer.version, as_of__gte=day_start, as_of__lte=now
        ).delete()
        _predictions_insert(scored, version=scorer.version, at=now)
        _customers_update(ids, scored.risks, scored.bands, at=now)
    # The at-risk stage reads the risk, and the playbook reads the stage: stages follow the fresh
    # scores at once, then the next actions follow both.
    from lifecycle.stages.service import customer_stages_recompute

    customer_stages_recompute(customer_ids=ids, now=now)
    if refresh_actions:
        from lifecycle.next_actions.service import next_actions_refresh

        with transaction.atomic():
            next_actions_refresh(scored=scored)
    return len(ids)


def _risk_changes_emit(ids: list[int], scored: ScoredRows, *, at: datetime) -> None:
    """One event per customer whose risk band moves (from none on a first scoring, too)."""
    before = {
        pk: (band, external_id)
        for pk, band, external_id in Customer.objects.filter(pk__in=ids).values_list("pk", "churn_band", "external_id")
    }
    for row, customer_id in enumerate(scored.frame["customer_id"]):
        previous_band, external_id = before[int(customer_id)]
        band = str(scored.bands[row])
        if band != previous_band:
            webhook_event_emit(
                RISK_CHANGED,
                customer_churn_payload(
                    customer_id=int(customer_id),
                    external_id=external_id,
                    risk=round(float(scored.risks[row]), 4),
                    band=band,
                    previous_band=previous_band,
                    scored_at=at,
                ),
            )


def _predictions_insert(scored: ScoredRows, *, version: ModelVersion, at: datetime) -> None:
    ChurnPrediction.objects.bulk_create(
        [
            ChurnPrediction(
                customer_id=int(customer_id),
                risk=round(float(scored.risks[row]), 4),
                band=str(scored.bands[row]),
                factors=scored.factors[row],
                base_value=round(scored.base_probability, 4),
                model_version=version,
                as_of=as_of.to_pydatetime() if isinstance(as_of, pd.Timestamp) else as_of,
                scored_at=at,
            )
            for row, (customer_id, as_of) in enumerate(
                zip(scored.frame["customer_id"], scored.frame["as_of"], strict=True)
            )
        ],
        batch_size=2000,
    )


def _customers_update(ids: list[int], risks: np.ndarray, bands: np.ndarray, *, at: datetime) -> None:
    """One UPDATE for the batch; values travel as arrays."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET churn_risk = v.risk, churn_band = v.band, churn_scored_at = %s "  # noqa: S608 - quoted table
            "FROM unnest(%s::bigint[], %s::float8[], %s::text[]) AS v(id, risk, band) WHERE c.id = v.id",
            [at, bigint_array(ids), float_array(round(float(r), 4) for r in risks), text_array(str(b) for b in bands)],
        )


def customers_rescore_all(*, scorer: ChurnScorer | None = None, report_progress: ProgressCallback | None = None) -> int:
    """Score every active customer in batches; returns how many were scored (0 without a model)."""
    scorer = scorer or churn_scorer_load()
    if scorer is None:
        return 0
    ids = list(Customer.objects.filter(status=CustomerStatus.ACTIVE).order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    done = 0
    for start in range(0, len(ids), BATCH):
        done += customers_score(ids[start : start + BATCH], scorer=scorer, now=now)
        if report_progress:
            report_progress(int(100 * done / max(1, len(ids))))
    return done


def customer_rescore_now(*, customer_id: int) -> bool:
    """The debounced task's work: rescore one customer if it is still active and a model exists."""
    from lifecycle.churn.refresh import rescore_pending_clear

    rescore_pending_clear(customer_id=customer_id)
    return customers_score([customer_id]) == 1


def churn_history_backfill(*, scorer: ChurnScorer, customer_ids: Sequence[int] | None = None) -> int:
    """A monthly risk curve over each customer's life (event-history tenants), so the timeline
    shows how the risk built up: cut-offs every 30 days from a month after sign-up until now or
    its cancellation. Replaces the earlier history of those customers. Returns the points written."""
    if scorer.mode != EVENT_MODE:
        return 0
    now = timezone.now()
    customers = Customer.objects.order_by("pk")
    if customer_ids is not None:
        customers = customers.filter(pk__in=list(customer_ids))
    pairs: list[tuple[int, datetime]] = []
    for pk, signed_up_at, churned_at in customers.values_list("pk", "signed_up_at", "churned_at"):
        end = churned_at or now - timedelta(days=1)
        moment = signed_up_at + timedelta(days=HISTORY_EVERY_DAYS)
        while moment < end:
            pairs.append((pk, moment))
            moment += timedelta(days=HISTORY_EVERY_DAYS)
    ids = sorted({pk for pk, _ in pairs} | set(customer_ids or []))
    ChurnPrediction.objects.filter(customer_id__in=ids, as_of__lt=now - timedelta(days=1)).delete()
    written = 0
    for start in range(0, len(pairs), BATCH * 2):
        chunk = pairs[start : start + BATCH * 2]
        frame = churn_frame(
            [pk for pk, _ in chunk],
            as_of=[at for _, at in chunk],
            mode=scorer.mode,
            attribute_keys=scorer.attribute_keys,
        )
        scored = frame_score(frame, scorer)
        for row in scored.factors:
            del row[TOP_FACTORS:]  # history keeps the strongest drivers only
        _predictions_insert(scored, version=scorer.version, at=now)
        written += len(chunk)
    return written


# --- training ----------------------------------------------------------------------------------


def churn_model_train_check() -> None:
    """Refuse early (before a job exists) when the customers cannot support a model."""
    try:
        churn_train_precheck()
    except NotEnoughChurnData as error:
        raise DomainError(f"{error} Until then customers have no churn risk.", code="not_enough_data") from error


def churn_model_train_start(*, actor: User) -> Job:
    churn_model_train_check()
    from lifecycle.tasks import churn_model_train_task

    with transaction.atomic():
        job = job_create(kind=TRAIN_JOB, created_by=actor)
        job_enqueue(job=job, task=churn_model_train_task, queue=None)
    return job


def churn_model_train(
    *, actor: User | None, report_progress: ProgressCallback | None = None, backfill: bool = True
) -> ModelVersion:
    """Train, store and activate a new churn model, then rescore active customers and rebuild
    the risk history."""
    training = churn_training_set()
    try:
        training_set_check(training)
    except NotEnoughChurnData as error:
        raise DomainError(str(error), code="not_enough_data") from error
    if report_progress:
        report_progress(10)
    try:
        result = train(
            training.frame,
            training.columns,
            training.y,
            order_key=training.order_key,
            keep_columns=ml_services.kept_columns(kind=KIND),
        )
    except NotEnoughData as error:
        raise DomainError(str(error), code="not_enough_data") from error
    if result.metrics.get("validation") == "most recent leads":
        result.metrics["validation"] = "most recent cut-offs" if training.mode == EVENT_MODE else "latest customers"
    churned = int(training.y.sum())
    result.summary.update(
        {
            "mode": training.mode,
            "churned": churned,
            "retained": len(training.y) - churned,
            "horizon_days": HORIZON_DAYS if training.mode == EVENT_MODE else None,
            "cutoffs": training.cutoffs,
            "customers": int(training.frame["customer_id"].nunique()),
        }
    )
    if report_progress:
        report_progress(60)
    version = ml_services.model_version_save(kind=KIND, result=result, actor=actor)
    scorer = ChurnScorer(version=version, model=result.model, mode=training.mode)
    if backfill:
        churn_history_backfill(scorer=scorer)
    if report_progress:
        report_progress(80)
    customers_rescore_all(scorer=scorer)
    return version


def churn_model_train_run(job: Job, report_progress: ProgressCallback) -> dict[str, Any]:
    version = churn_model_train(actor=job.created_by, report_progress=report_progress)
    return {"model_version": version.version, "algorithm": version.algorithm, "auc": version.metrics.get("auc")}


def customer_churn_latest(customer: Customer) -> ChurnPrediction | None:
    return customer.churn_predictions.select_related("model_version").order_by("-as_of", "-id").first()


def customer_churn_history(customer: Customer, *, limit: int = 60) -> list[ChurnPrediction]:
    """The customer's risk points, oldest first (the latest ``limit``)."""
    points = list(customer.churn_predictions.select_related("model_version").order_by("-as_of", "-id")[:limit])
    return points[::-1]


def churn_versions_summary() -> list[dict[str, Any]]:
    return [
        {
            "version": version.version,
            "algorithm": version.algorithm,
            "is_active": version.is_active,
            "created_at": version.created_at,
            "auc": version.metrics.get("auc"),
            "brier": version.metrics.get("brier"),
            "rows": version.data_summary.get("rows"),
        }
        for version in ModelVersion.objects.filter(kind=KIND)
    ]


def risk_band_counts() -> dict[str, int]:
    """Active customers per risk band (``unscored`` for those without a risk yet)."""
    from django.db.models import Count

    rows = Customer.objects.filter(status=CustomerStatus.ACTIVE).values("churn_band").annotate(n=Count("id"))
    counts = {"high": 0, "medium": 0, "low": 0, "unscored": 0}
    for row in rows:
        counts[row["churn_band"] or "unscored"] = counts.get(row["churn_band"] or "unscored", 0) + row["n"]
    return counts
