"""Keeping scores fresh: after a change (debounced), on a schedule, and after training."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection, transaction

RESCORE_DELAY_SECONDS = 20


def lead_rescore_soon(*, lead_id: int) -> None:
    """Queue one rescoring of a lead shortly after the current transaction commits.

    Several changes within the delay (an edit, then three activities) cost one rescoring: the
    first change claims a cache key that the queued task releases when it runs.
    """
    key = f"rescore-pending:{lead_id}"
    schema_name = connection.schema_name

    def enqueue() -> None:
        if cache.add(key, 1, timeout=RESCORE_DELAY_SECONDS * 10):
            from leads.tasks import lead_rescore_task

            lead_rescore_task.apply_async(
                kwargs={"lead_id": lead_id}, countdown=RESCORE_DELAY_SECONDS, headers={"_schema_name": schema_name}
            )

    transaction.on_commit(enqueue)


def lead_rescore_now(*, lead_id: int) -> bool:
    """The task's work: rescore the lead if it still exists and is open."""
    from leads.models import CLOSED_STATUSES, Lead
    from leads.scoring.service import leads_score

    cache.delete(f"rescore-pending:{lead_id}")
    lead = Lead.objects.filter(pk=lead_id).exclude(status__in=CLOSED_STATUSES).first()
    if lead is None:
        return False
    leads_score([lead])
    from leads.priority.models import PriorityTrigger
    from leads.priority.service import lead_prioritise

    lead_prioritise(lead=lead, trigger=PriorityTrigger.SCORE)  # the score is half of the priority
    return True
