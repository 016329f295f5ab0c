from __future__ import annotations

from django.db.models import QuerySet

from crm_saas.audit.models import AuditEvent


def audit_event_list(
    *, action: str | None = None, actor_id: int | None = None, subject_ref: str | None = None
) -> QuerySet[AuditEvent]:
    """Events, newest first; ``subject_ref`` gives every event about one (pseudonymised) person."""
    events = AuditEvent.objects.select_related("actor")
    if action:
        events = events.filter(action=action)
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if subject_ref:
        events = events.filter(subject_ref=subject_ref)
    return events
