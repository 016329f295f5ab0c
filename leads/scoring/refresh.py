"""Keeping scores fresh: after a change (debounced, in batches), on a schedule, and after training."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection, transaction

logger = logging.getLogger(__name__)
RESCORE_DELAY_SECONDS = 20
RESCORE_BATCH = 1000
RESCORE_QUEUED_KEY = "rescore-batch-queued"
REASONS_PENDING_KEY = "score-reasons-pending"


def lead_rescore_mark(*, lead_id: int) -> None:
    """Mark the lead for the next batch rescoring (in the caller's transaction)."""
    from leads.models import PendingRescore

    PendingRescore.objects.bulk_create([PendingRescore(lead_id=lead_id)], ignore_conflicts=True)


def lead_rescore_soon(*, lead_id: int) -> None:
    """Rescore the lead shortly after the current transaction commits, together with every other
    lead changed meanwhile.

    The lead is marked in the database (with the change: durable, rolled back with it); after
    commit the first change of a quiet period queues one batch job ``RESCORE_DELAY_SECONDS`` later.
    Edits, activities and creations within that delay, on one lead or a thousand, cost one model
    call. Should the broker be unreachable, the mark stays and the next job or the nightly
    rescoring takes it.
    """
    lead_rescore_mark(lead_id=lead_id)
    schema_name = connection.schema_name

    def enqueue() -> None:
        from leads.tasks import leads_rescore_pending_task

        try:
            if cache.add(RESCORE_QUEUED_KEY, 1, timeout=RESCORE_DELAY_SECONDS * 10):
                leads_rescore_pending_task.apply_async(
                    countdown=RESCORE_DELAY_SECONDS, headers={"_schema_name": schema_name}
                )
        except Exception:  # the change itself is saved; its rescoring waits for the next job
            logger.warning("Could not queue the rescoring of changed leads", exc_info=True)

    transaction.on_commit(enqueue)


def leads_rescore_pending() -> int:
    """The batch job: rescore (and re-prioritise) every open lead marked since the last run, a
    batch at a time; returns how many were rescored."""
    from leads.models import CLOSED_STATUSES, Lead, PendingRescore
    from leads.priority.models import PriorityTrigger
    from leads.priority.service import leads_prioritise
    from leads.scoring.service import leads_score

    cache.delete(RESCORE_QUEUED_KEY)  # changes from now on queue the next job
    done = 0
    while True:
        with transaction.atomic():
            # Locked rows are another job's batch: skipped, never scored twice at once. A failure
            # rolls the marks back for the next job.
            marked = list(
                PendingRescore.objects.select_for_update(skip_locked=True)
                .order_by("since")
                .values_list("lead_id", flat=True)[:RESCORE_BATCH]
            )
            if not marked:
                return done
            leads = list(Lead.objects.filter(pk__in=marked).exclude(status__in=CLOSED_STATUSES))
            if leads:
                leads_score(leads)
                # The score is half of the priority.
                leads_prioritise(leads, trigger=PriorityTrigger.SCORE)
            PendingRescore.objects.filter(lead_id__in=marked).delete()
            done += len(leads)


def score_reasons_backfill_soon() -> None:
    """Queue one reasons job for this tenant once the current transaction commits (several bulk
    rescorings in a row share it: the first claims a key the job releases when it starts)."""
    schema_name = connection.schema_name

    def enqueue() -> None:
        if cache.add(REASONS_PENDING_KEY, 1, timeout=3600):
            from leads.tasks import score_reasons_backfill_task

            score_reasons_backfill_task.apply_async(headers={"_schema_name": schema_name})

    transaction.on_commit(enqueue)
