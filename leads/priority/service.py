"""Working out, storing and refreshing lead priorities; training the tenant's text model.

A lead's priority is recomputed (``leads_prioritise``) when a message arrives (queued on commit, run
by a worker), when its score changes, when the tenant's thresholds or signals change, after the text
model is trained, and daily for every open lead. Each change of priority or of its reasons adds a
``PriorityHistory`` row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from crm_saas.errors import DomainError
from crm_saas.pg_arrays import bigint_array, float_array, text_array
from leads.models import CLOSED_STATUSES, Lead, LeadStatus
from leads.priority.analysis import TextAnalysis, tenant_signal_set, text_analyse
from leads.priority.decide import Decision, EvidenceSignal, TextEvidence, Thresholds, decide
from leads.priority.models import (
    LeadMessage,
    MessageDirection,
    PriorityHistory,
    PrioritySettings,
    PrioritySignal,
    PriorityTrigger,
)
from leads.priority.signals import SignalMatch, SignalSet, strongest_by_key
from leads.priority.text_model import TextModel
from ml.models import ModelKind

TEXT_KIND = ModelKind.TEXT_PRIORITY
RECENT_MESSAGES = 20
RECENT_DAYS = 180
FRESH_DAYS = 7
FRESH_KEYS = frozenset({"demo", "meeting", "pricing"})  # "asked for a demo this week"
BATCH = 500


# --- settings and signals --------------------------------------------------------------------------


def priority_settings() -> PrioritySettings:
    row = PrioritySettings.objects.order_by("pk").first()
    return row or PrioritySettings.objects.create()


def thresholds_of(row: PrioritySettings) -> Thresholds:
    return Thresholds(high_min=row.high_min, medium_min=row.medium_min, text_weight=row.text_weight)


def signal_set() -> SignalSet:
    return tenant_signal_set(list(PrioritySignal.objects.filter(is_active=True).order_by("pk")))


# --- analysing messages ---------------------------------------------------------------------------


def message_analysis_apply(message: LeadMessage, analysis: TextAnalysis) -> bool:
    """Copy ``analysis`` onto ``message``; True when something changed."""
    changed = (message.language, message.signals, message.key_phrases) != (
        analysis.language,
        analysis.signals,
        analysis.key_phrases,
    )
    message.language, message.signals, message.key_phrases = analysis.language, analysis.signals, analysis.key_phrases
    return changed


def _match(entry: dict[str, Any]) -> SignalMatch:
    return SignalMatch(**{name: entry[name] for name in SignalMatch.__dataclass_fields__ if name in entry})


def _evidence(
    messages: Sequence[LeadMessage], *, now: datetime, model: TextModel | None, probability: float | None
) -> TextEvidence:
    """``messages``: the lead's recent inbound messages, newest first (already analysed)."""
    ordered: list[tuple[SignalMatch, LeadMessage]] = []
    for message in messages:
        ordered.extend((_match(entry), message) for entry in message.signals)
    by_message = {id(match): message for match, message in ordered}
    strongest = strongest_by_key(match for match, _ in ordered)
    signals = []
    for match in strongest.values():
        message = by_message[id(match)]
        if match.blocking:
            continue
        label = match.label
        if match.key in FRESH_KEYS and now - message.occurred_at <= timedelta(days=FRESH_DAYS):
            label += " today" if now - message.occurred_at <= timedelta(hours=24) else " this week"
        signals.append(EvidenceSignal(match.key, label, match.points, message_id=message.pk))
    latest = messages[0]
    blocking = next((_match(entry) for entry in latest.signals if entry.get("blocking")), None)
    language = next((message.language for message in messages if message.language != "und"), latest.language)
    text = _joined(messages)
    return TextEvidence(
        signals=signals,
        model_probability=probability,
        model_terms=model.top_terms(text) if model is not None and probability is not None else (),
        language=language,
        blocking=EvidenceSignal(blocking.key, blocking.label, blocking.points, True, latest.pk) if blocking else None,
    )


def _joined(messages: Sequence[LeadMessage]) -> str:
    return "\n".join(f"{message.subject}\n{message.body}" if message.subject else message.body for message in messages)


# --- the text model ------------------------------------------------------------------------------


def text_model_active() -> TextModel | None:
    from ml import services as ml_services

    version = ml_services.model_version_active(kind=TEXT_KIND)
    return ml_services.model_load(version) if version else None  # type: ignore[return-value]


# --- prioritising ---------------------------------------------------------------------------------


def _recent_inbound(lead_ids: list[int], *, now: datetime) -> dict[int, list[LeadMessage]]:
    rows = (
        LeadMessage.objects.filter(
            lead_id__in=lead_ids,
            direction=MessageDirection.INBOUND,
            occurred_at__gte=now - timedelta(days=RECENT_DAYS),
        )
        .order_by("lead_id", "-occurred_at", "-id")
        .only("id", "lead_id", "subject", "body", "occurred_at", "language", "signals", "key_phrases")
    )
    grouped: dict[int, list[LeadMessage]] = defaultdict(list)
    for message in rows:
        if len(grouped[message.lead_id]) < RECENT_MESSAGES:
            grouped[message.lead_id].append(message)
    return grouped


def leads_prioritise(
    leads: Sequence[Lead],
    *,
    trigger: str,
    message: LeadMessage | None = None,
    now: datetime | None = None,
    model: TextModel | bool | None = True,
) -> list[Decision]:
    """Work out and store the priority of ``leads``; one history row for each that changed.

    Messages are read again with the tenant's current signals (a new tenant phrase applies to what
    was already received). ``model=True`` loads the active text model; pass one (or None) to reuse it.
    """
    if not leads:
        return []
    now = now or timezone.now()
    settings_row = priority_settings()
    thresholds = thresholds_of(settings_row)
    signals = signal_set()
    text_model = text_model_active() if model is True else (model or None)
    inbound = _recent_inbound([lead.pk for lead in leads], now=now)

    reanalysed = []
    for messages in inbound.values():
        for item in messages:
            if message_analysis_apply(item, text_analyse(_joined([item]), signals)):
                reanalysed.append(item)

    with_text = [lead for lead in leads if inbound.get(lead.pk)]
    probabilities: dict[int, float] = {}
    if text_model is not None and with_text:
        values = text_model.predict_proba([_joined(inbound[lead.pk]) for lead in with_text])
        probabilities = {lead.pk: float(value) for lead, value in zip(with_text, values, strict=True)}

    decisions, history, changed = [], [], []
    for lead in leads:
        messages = inbound.get(lead.pk)
        evidence = (
            _evidence(messages, now=now, model=text_model, probability=probabilities.get(lead.pk)) if messages else None
        )
        decision = decide(score=lead.score, band=lead.band, evidence=evidence, thresholds=thresholds)
        decisions.append(decision)
        reasons = [reason.to_dict() for reason in decision.reasons]
        if lead.priority != decision.priority or _reason_texts(lead.priority_reasons) != _reason_texts(reasons):
            history.append(
                PriorityHistory(
                    lead=lead,
                    priority=decision.priority,
                    value=round(decision.value, 2),
                    structured=round(decision.structured, 2),
                    text=round(decision.text, 2) if decision.text is not None else None,
                    reasons=reasons,
                    trigger=trigger,
                    message=message if message is not None and message.lead_id == lead.pk else None,
                    computed_at=now,
                )
            )
        lead.priority, lead.priority_value, lead.priority_reasons, lead.priority_at = (
            decision.priority,
            round(decision.value, 2),
            reasons,
            now,
        )
        changed.append(lead)
    with transaction.atomic():
        if reanalysed:
            LeadMessage.objects.bulk_update(reanalysed, ["language", "signals", "key_phrases"], batch_size=BATCH)
        for start in range(0, len(changed), BATCH):
            _update_priorities(changed[start : start + BATCH], at=now)
        PriorityHistory.objects.bulk_create(history, batch_size=BATCH)
    return decisions


def _update_priorities(leads: Sequence[Lead], *, at: datetime) -> None:
    """One UPDATE for the batch, values as arrays (Django's bulk_update builds a CASE per row and
    field: half the CPU of rescoring a batch of changed leads went into compiling it)."""
    table = connection.ops.quote_name(Lead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS lead SET priority = v.priority, priority_value = v.priority_value, "  # noqa: S608 - quoted table name
            "priority_reasons = v.priority_reasons::jsonb, priority_at = %s "
            "FROM unnest(%s::bigint[], %s::text[], %s::float8[], %s::text[]) "
            "AS v(id, priority, priority_value, priority_reasons) WHERE lead.id = v.id",
            [
                at,
                bigint_array(lead.pk for lead in leads),
                text_array(lead.priority for lead in leads),
                float_array(None if lead.priority_value is None else float(lead.priority_value) for lead in leads),
                text_array(json.dumps(lead.priority_reasons, cls=DjangoJSONEncoder) for lead in leads),
            ],
        )


def _reason_texts(reasons: list[dict[str, Any]] | None) -> list[str]:
    return [str(reason.get("text")) for reason in reasons or []]


def lead_prioritise(
    *, lead: Lead, trigger: str = PriorityTrigger.MANUAL, message: LeadMessage | None = None
) -> Decision:
    return leads_prioritise([lead], trigger=trigger, message=message)[0]


def lead_prioritise_soon(*, lead_id: int, message_id: int | None = None) -> None:
    """Queue the lead's recomputation after the current transaction commits (a worker runs it).

    Messages arriving together cost one recomputation: the first claims a cache key that the task
    releases when it starts, so a message arriving while it runs queues the next one.
    """
    key = f"prioritise-pending:{lead_id}"
    schema_name = connection.schema_name

    def enqueue() -> None:
        if cache.add(key, 1, timeout=600):
            from leads.tasks import lead_prioritise_task

            lead_prioritise_task.apply_async(
                kwargs={"lead_id": lead_id, "message_id": message_id}, headers={"_schema_name": schema_name}
            )

    transaction.on_commit(enqueue)


def lead_prioritise_now(*, lead_id: int, message_id: int | None = None) -> str | None:
    """The task's work: the lead's priority now (None when the lead is gone or closed)."""
    cache.delete(f"prioritise-pending:{lead_id}")
    lead = Lead.objects.filter(pk=lead_id).exclude(status__in=CLOSED_STATUSES).first()
    if lead is None:
        return None
    message = LeadMessage.objects.filter(pk=message_id, lead=lead).first() if message_id else None
    trigger = PriorityTrigger.MESSAGE if message is not None else PriorityTrigger.MANUAL
    return lead_prioritise(lead=lead, trigger=trigger, message=message).priority


def leads_prioritise_open(*, trigger: str = PriorityTrigger.MANUAL) -> int:
    """Every open lead, in batches (after a settings change, a new text model, and daily)."""
    model = text_model_active()
    count, last_id = 0, 0
    while True:
        batch = list(Lead.objects.exclude(status__in=CLOSED_STATUSES).filter(pk__gt=last_id).order_by("pk")[:BATCH])
        if not batch:
            return count
        leads_prioritise(batch, trigger=trigger, model=model)
        count += len(batch)
        last_id = batch[-1].pk


# --- training -------------------------------------------------------------------------------------


def text_training_set() -> tuple[list[str], np.ndarray]:
    """Closed leads' inbound messages written before the lead was decided (nothing said after the
    outcome leaks into the model), one joined text per lead, with 1 = converted."""
    leads = {
        lead.pk: lead
        for lead in Lead.objects.filter(status__in=CLOSED_STATUSES).only("id", "status", "converted_at", "lost_at")
    }
    texts: dict[int, list[LeadMessage]] = defaultdict(list)
    for message in LeadMessage.objects.filter(lead_id__in=list(leads), direction=MessageDirection.INBOUND).order_by(
        "lead_id", "-occurred_at", "-id"
    ):
        lead = leads[message.lead_id]
        decided = lead.converted_at or lead.lost_at
        if decided is None or message.occurred_at <= decided:
            texts[message.lead_id].append(message)
    ids = sorted(texts)
    y = np.array([1 if leads[pk].status == LeadStatus.CONVERTED else 0 for pk in ids], dtype=int)
    return [_joined(texts[pk][:RECENT_MESSAGES]) for pk in ids], y


def text_model_train(*, actor: Any = None) -> Any:
    """Train the text model on the tenant's closed leads, store it as the next active version of
    ``TEXT_KIND`` and recompute open leads' priorities. Refused (400) with the reason when the
    history is too thin; priorities then keep using the curated signals."""
    from leads.priority.text_model import NotEnoughText, train_text_model
    from ml import services as ml_services
    from ml.training import TrainingResult

    texts, y = text_training_set()
    try:
        model = train_text_model(texts, y, min_rows=priority_settings().min_training_leads)
    except NotEnoughText as error:
        raise DomainError(str(error), code="not_enough_data") from error
    result = TrainingResult(
        model=model,  # type: ignore[arg-type]  # stored and loaded by the shared model store
        metrics=model.metrics,
        candidates=[],
        excluded=[],
        overridden=[],
        summary={"closed_leads_with_messages": len(y), "converted": int(y.sum())},
        feature_importance=model.important_terms(),
    )
    version = ml_services.model_version_save(kind=TEXT_KIND, result=result, actor=actor)
    leads_prioritise_open(trigger=PriorityTrigger.MODEL)
    return version


def text_model_train_start(*, actor: Any) -> Any:
    from crm_saas.jobs.services import job_create, job_enqueue
    from leads.tasks import text_model_train_task

    with transaction.atomic():
        job = job_create(kind="leads.train_text_model", created_by=actor)
        job_enqueue(job=job, task=text_model_train_task, queue=None)
    return job


def text_model_train_run(job: Any, report_progress: Any) -> dict[str, Any]:
    version = text_model_train(actor=job.created_by)
    return {"model_version": version.version, "auc": version.metrics.get("auc")}


def priority_refresh_daily(*, retrain_every_days: int = 7) -> int:
    """From the schedule: retrain the text model when a week old and the history allows, then
    recompute every open lead (scores and message ages change)."""
    from ml import services as ml_services

    active = ml_services.model_version_active(kind=TEXT_KIND)
    if active is None or timezone.now() - active.created_at >= timedelta(days=retrain_every_days):
        try:
            text_model_train(actor=None)
            return Lead.objects.exclude(status__in=CLOSED_STATUSES).count()
        except DomainError:
            pass  # not enough history yet: the curated signals keep working
    return leads_prioritise_open(trigger=PriorityTrigger.MANUAL)


def text_model_status() -> dict[str, Any]:
    """For the settings page: the active text model and how much history there is to train on."""
    from ml import services as ml_services

    closed_with_messages = Lead.objects.filter(
        status__in=CLOSED_STATUSES, messages__direction=MessageDirection.INBOUND
    ).distinct()
    return {
        "version": ml_services.model_version_active(kind=TEXT_KIND),
        "closed_with_messages": closed_with_messages.count(),
        "converted_with_messages": closed_with_messages.filter(status=LeadStatus.CONVERTED).count(),
        "min_training_leads": priority_settings().min_training_leads,
    }
