from __future__ import annotations

from django.db.models import QuerySet

from crm_saas.audit.models import AuditEvent


def audit_event_list(*, action: str | None = None, actor_id: int | None = None) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor")
    if action:
        events = events.filter(action=action)
    if actor_id:
        events = events.filter(actor_id=actor_id)
    return events
