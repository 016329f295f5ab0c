"""The one controlled path that may change audit events: replacing an erased person's identity
with their pseudonym.

Design. Audit events are append-only in PostgreSQL itself: the trigger ``audit_event_guard``
(migration 0003, in every schema that has the table) rejects DELETE always, and rejects UPDATE
unless either

- only ``actor_id`` changes, to NULL (Django's SET_NULL when a user row is removed), or
- the transaction has set ``crm.audit_pseudonymise`` to ``on`` and the update leaves the event's
  time, action, actor, address and user agent as they were (only the subject columns change).

The setting is set with ``set_config(..., is_local => true)``, so it lasts only for the current
transaction, and only ``audit_events_pseudonymise`` below sets it. This guards the trail against
the product itself (a bug, an ORM ``update()``, a careless shell session), not against a database
superuser, who can drop any trigger: deployments that need that too give the application a role
that does not own the audit table.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q

from crm_saas.audit.models import AuditEvent

SETTING = "crm.audit_pseudonymise"
# Metadata keys that describe the event, not the person; everything else is dropped.
KEPT_METADATA_KEYS = frozenset(
    {"kind", "intent", "count", "via", "had_audio", "duration_seconds", "privacy_request", "files", "objects", "clean"}
)


def audit_events_about(
    *,
    targets: Iterable[tuple[str, str]],
    metadata_ids: Iterable[tuple[str, str]] = (),
    texts: Iterable[str] = (),
    subject_ref: str = "",
) -> Q:
    """Events about a person: with one of their records as target, naming one of their records in
    metadata (``("lead_id", "12")``), carrying one of ``texts`` (e-mail addresses) in a label or the
    metadata, or already tagged with their pseudonym."""
    query = Q(pk__in=[])
    by_type: dict[str, set[str]] = {}
    for target_type, target_id in targets:
        by_type.setdefault(target_type, set()).add(str(target_id))
    for target_type, ids in by_type.items():
        query |= Q(target_type=target_type, target_id__in=sorted(ids))
    by_key: dict[str, set[str]] = {}
    for key, value in metadata_ids:
        by_key.setdefault(key, set()).add(str(value))
    for key, values in by_key.items():
        # Ids are stored as numbers or strings depending on the writer; compare as text.
        query |= Q(**{f"metadata__{key}__in": sorted(values)})
        query |= Q(**{f"metadata__{key}__in": [int(v) for v in values if v.isdigit()]})
    for text in texts:
        if text:
            query |= Q(target_label__icontains=text) | Q(actor_label__iexact=text) | Q(metadata__icontains=text)
    if subject_ref:
        query |= Q(subject_ref=subject_ref)
    return query


def audit_events_pseudonymise(*, events: Q, subject_ref: str, label: str) -> int:
    """Replace the subject of every matching event with ``subject_ref``; returns how many changed.

    The event itself stays (who did what, when, from where): only the target's id and label, the
    personal metadata and an actor label that is the person's own address are replaced.
    """
    changed = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [SETTING])
        try:
            for event in AuditEvent.objects.filter(events).select_for_update():
                metadata = {key: value for key, value in event.metadata.items() if key in KEPT_METADATA_KEYS}
                metadata["pseudonymised"] = True
                AuditEvent.objects.filter(pk=event.pk).update(
                    target_id="",
                    target_label=label,
                    metadata=metadata,
                    subject_ref=subject_ref,
                    actor_label=label if event.actor_id is None and "@" in event.actor_label else event.actor_label,
                )
                changed += 1
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', true)", [SETTING])
    return changed
