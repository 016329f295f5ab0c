"""The reasons behind stored scores.

Bulk rescoring stores scores without their reasons (working them out costs more than the scoring
itself). A background job then works them out for the latest score of every open lead, hottest
first, so the leads people open have their reasons ready; a lead opened before the job reaches it
gets its reasons on that first view.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict

from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q

from crm_saas.errors import DomainError
from crm_saas.pg_arrays import bigint_array, text_array
from leads.models import CLOSED_STATUSES, Lead, LeadScore
from leads.scoring.features import lead_frame
from leads.scoring.refresh import REASONS_PENDING_KEY
from leads.scoring.service import FACTORS_KEPT, Scorer, frame_score, leads_score, scorer_load
from leads.selectors import lead_score_history
from ml.models import ModelVersion

logger = logging.getLogger(__name__)
REASONS_BATCH = 1000


def lead_score_latest(lead: Lead, *, history: list[LeadScore] | None = None) -> LeadScore:
    """The lead's latest score with its reasons, scoring or explaining it now if needed.
    ``history``: the lead's scores, newest first, when the caller has read them already."""
    latest = history[0] if history else lead_score_history(lead).first()
    if latest is None:
        leads_score([lead])
        return lead_score_history(lead).first()
    if latest.factors is None:
        try:
            result = leads_score([lead], version=latest.model_version, record_history=False)[0]
        except DomainError:
            # The model file is missing or damaged: the score stands, its reasons cannot be shown.
            logger.exception("Could not explain the score of lead %s", lead.pk)
            return latest
        latest.factors = result.factors[:FACTORS_KEPT]
        LeadScore.objects.filter(pk=latest.pk).update(factors=latest.factors)
    return latest


def score_reasons_backfill(*, batch_size: int = REASONS_BATCH) -> int:
    """Work out the reasons of every open lead's latest score that has none, hottest leads first;
    returns how many were filled in."""
    cache.delete(REASONS_PENDING_KEY)
    open_leads = Lead.objects.exclude(status__in=CLOSED_STATUSES).filter(score__isnull=False).order_by("-score", "-pk")
    scorers: dict[int, Scorer | None] = {}
    filled = 0
    after: tuple[int, int] | None = None
    while True:
        page = open_leads
        if after is not None:  # keyset pagination: each page starts where the last one ended
            page = page.filter(Q(score__lt=after[0]) | Q(score=after[0], pk__lt=after[1]))
        leads = list(page[:batch_size])
        if not leads:
            return filled
        after = (leads[-1].score, leads[-1].pk)
        filled += _explain_latest(leads, scorers)


def _explain_latest(leads: list[Lead], scorers: dict[int, Scorer | None]) -> int:
    by_id = {lead.pk: lead for lead in leads}
    pending = LeadScore.objects.filter(
        lead_id__in=by_id, factors__isnull=True, model_version__isnull=False, scored_at=F("lead__scored_at")
    ).values_list("pk", "lead_id", "model_version_id", "scored_at")
    by_version: dict[int, list[tuple[int, Lead, object]]] = defaultdict(list)
    for row_id, lead_id, version_id, scored_at in pending:
        by_version[version_id].append((row_id, by_id[lead_id], scored_at))
    filled = 0
    for version_id, rows in by_version.items():
        scorer = _scorer_for(version_id, scorers)
        if scorer is None:
            continue
        # As of each score's own moment, so the reasons explain the stored score.
        frame = lead_frame([lead for _, lead, _ in rows], as_of=[at for _, _, at in rows])
        scored = frame_score(frame, scorer, explain=True)
        factors = [json.dumps(reasons[:FACTORS_KEPT]) for reasons in scored.factors]
        filled += _store_reasons([row_id for row_id, _, _ in rows], factors)
    return filled


def _scorer_for(version_id: int, scorers: dict[int, Scorer | None]) -> Scorer | None:
    if version_id not in scorers:
        version = ModelVersion.objects.filter(pk=version_id).first()
        try:
            scorers[version_id] = scorer_load(version) if version else None
        except DomainError:
            # The model file is missing or damaged: those scores keep no reasons (the lead page
            # says so); the other versions' scores are still explained.
            logger.exception("Could not load model version %s to explain scores", version_id)
            scorers[version_id] = None
    return scorers[version_id]


def _store_reasons(row_ids: list[int], factors: list[str]) -> int:
    """One statement per batch; a row a first view explained meanwhile is left as it is."""
    table = connection.ops.quote_name(LeadScore._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS row SET factors = v.factors::jsonb "  # noqa: S608 - quoted table name
            "FROM unnest(%s::bigint[], %s::text[]) AS v(id, factors) WHERE row.id = v.id AND row.factors IS NULL",
            [bigint_array(row_ids), text_array(factors)],
        )
        return cursor.rowcount
