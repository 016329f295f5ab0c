"""Erasing a person: their rows in every provider, their stored objects (voice audio, export
bundles), and their identity in the audit trail, which keeps each event under a pseudonym.

Order matters. The plan (every row id and object key) is taken before anything is deleted, since
deleting a lead un-links the voice notes about it. Objects go first: if the store is unreachable the
rows stay and the erasure can be run again. Rows go in one transaction. Then the audit trail is
pseudonymised, and finally every provider and the object store are asked again: the verification
report says what was deleted and that nothing is left.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.audit.pseudonymise import audit_events_about, audit_events_pseudonymise
from crm_saas.audit.services import audit_record
from crm_saas.errors import DomainError
from crm_saas.jobs.models import Job
from crm_saas.jobs.services import ProgressCallback, job_create, job_enqueue
from crm_saas.privacy.models import PrivacyRequest, PrivacyRequestKind, PrivacyRequestStatus
from crm_saas.privacy.registry import Subject, providers
from crm_saas.privacy.services.common import (
    request_finish,
    request_query,
    request_run,
    require_privacy_admin,
)
from crm_saas.privacy.subjects import (
    SubjectQuery,
    subject_pseudonym,
    subject_query_parse,
    subject_resolve,
    subject_resolve_existing,
)
from crm_saas.storage import get_object_store

logger = logging.getLogger(__name__)

JOB_KIND = "privacy.erase"


def erased_label(ref: str) -> str:
    return f"Erased person {ref}"


def _confirmation_matches(query: SubjectQuery, typed: Any) -> bool:
    typed = str(typed or "").strip()
    return typed.lower() == query.value.lower() if query.field == "email" else typed == query.value


def privacy_erasure_request(*, actor: Any, data: dict[str, Any], request: Any = None) -> PrivacyRequest:
    """Queue the erasure of the person named in ``data``, confirmed by typing the same e-mail or id
    again in ``confirm``. Audited under the pseudonym only."""
    require_privacy_admin(actor)
    query = subject_query_parse(data)
    if not _confirmation_matches(query, data.get("confirm")):
        raise DomainError(
            f"To confirm, type {'the e-mail address' if query.field == 'email' else 'the id'} exactly as above.",
            field="confirm",
        )
    subject = subject_resolve_existing(query)
    ref = subject_pseudonym(query, subject)
    if PrivacyRequest.objects.filter(
        kind=PrivacyRequestKind.ERASURE,
        subject_ref=ref,
        status__in=[PrivacyRequestStatus.QUEUED, PrivacyRequestStatus.RUNNING],
    ).exists():
        from crm_saas.errors import ConflictError

        raise ConflictError("An erasure of this person is already under way.", field="confirm")
    from crm_saas.privacy.tasks import privacy_erasure_task

    with transaction.atomic():
        erasure = PrivacyRequest.objects.create(
            kind=PrivacyRequestKind.ERASURE,
            subject_ref=ref,
            subject_label=erased_label(ref),  # never the address: this row outlives the person
            query=query.as_dict(),
            requested_by=actor,
        )
        erasure.job = job_create(kind=JOB_KIND, created_by=actor, params={"privacy_request_id": str(erasure.id)})
        erasure.save(update_fields=["job"])
        audit_record(
            action=AuditAction.PRIVACY_ERASURE_REQUESTED,
            request=request,
            actor=actor,
            target_type="person",
            target_label=erased_label(ref),
            subject_ref=ref,
            metadata={"privacy_request": str(erasure.id)},
        )
        job_enqueue(job=erasure.job, task=privacy_erasure_task)
    return erasure


@dataclass
class ErasurePlan:
    """Every row id and object key to erase, taken before anything is deleted."""

    subject: Subject
    rows: list[tuple[str, type, list[Any]]] = field(default_factory=list)  # (provider, model, pks)
    object_keys: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for _, model, pks in self.rows:
            totals[model._meta.label_lower] = totals.get(model._meta.label_lower, 0) + len(pks)
        return totals

    def audit_targets(self) -> list[tuple[str, str]]:
        return [(model._meta.model_name, str(pk)) for _, model, pks in self.rows for pk in pks]

    def metadata_ids(self) -> list[tuple[str, str]]:
        return [(f"{model._meta.model_name}_id", str(pk)) for _, model, pks in self.rows for pk in pks]


def erasure_plan(subject: Subject, *, ref: str) -> ErasurePlan:
    plan = ErasurePlan(subject=subject)
    for provider in providers():
        for record_set in provider.record_sets(subject):
            pks = list(record_set.queryset.values_list("pk", flat=True))
            plan.rows.append((provider.name, record_set.model, pks))
        plan.object_keys.extend(stored.key for stored in provider.files(subject))
    # Earlier exports of this person hold their data too.
    plan.object_keys.extend(
        PrivacyRequest.objects.filter(kind=PrivacyRequestKind.EXPORT, subject_ref=ref)
        .exclude(bundle_key="")
        .values_list("bundle_key", flat=True)
    )
    return plan


def privacy_erasure_run(job: Job, report_progress: ProgressCallback) -> dict[str, Any]:
    return request_run(job, PrivacyRequestKind.ERASURE, _erase, report_progress, what="erasure")


def _erase(erasure: PrivacyRequest, report_progress: ProgressCallback) -> dict[str, Any]:
    query = request_query(erasure)
    ref = erasure.subject_ref
    plan = erasure_plan(subject_resolve(query), ref=ref)
    report_progress(10)

    store = get_object_store()
    for key in plan.object_keys:
        store.delete(key)
    report_progress(40)

    deleted: dict[str, int] = {}
    with transaction.atomic():
        # Last-registered providers first: their rows point at the earlier ones' (voice -> leads).
        for _, model, pks in reversed(plan.rows):
            if pks:
                model.objects.filter(pk__in=pks).delete()
                deleted[model._meta.label_lower] = deleted.get(model._meta.label_lower, 0) + len(pks)
        now = timezone.now()
        PrivacyRequest.objects.filter(subject_ref=ref).exclude(pk=erasure.pk).update(
            subject_label=erased_label(ref), query={}
        )
        PrivacyRequest.objects.filter(subject_ref=ref, kind=PrivacyRequestKind.EXPORT).exclude(bundle_key="").update(
            bundle_key="", bundle_deleted_at=now
        )
    report_progress(70)

    about = audit_events_about(
        targets=plan.audit_targets(),
        metadata_ids=plan.metadata_ids(),
        texts=sorted(plan.subject.emails),
        subject_ref=ref,
    )
    pseudonymised = audit_events_pseudonymise(events=about, subject_ref=ref, label=erased_label(ref))
    report_progress(85)

    verification = erasure_verify(query=query, plan=plan)
    report = {
        "subject_ref": ref,
        "deleted": {label: count for label, count in plan.counts().items() if count},
        "objects_deleted": len(plan.object_keys),
        "audit_events_pseudonymised": pseudonymised,
        "verification": verification,
    }
    clean = verification["clean"]
    request_finish(
        erasure,
        status=PrivacyRequestStatus.SUCCEEDED if clean else PrivacyRequestStatus.FAILED,
        error="" if clean else "Some of the person's data is still there; see the verification report.",
        report=report,
        query={},  # the identifier is no longer needed, and must not outlive the person
    )
    audit_record(
        action=AuditAction.PRIVACY_ERASED,
        actor=erasure.requested_by,
        target_type="person",
        target_label=erased_label(ref),
        subject_ref=ref,
        metadata={
            "privacy_request": str(erasure.id),
            "count": sum(report["deleted"].values()),
            "objects": len(plan.object_keys),
            "clean": clean,
        },
    )
    if not clean:
        raise DomainError("Some of the person's data is still there; see the verification report.")
    return report


def erasure_verify(*, query: SubjectQuery, plan: ErasurePlan) -> dict[str, Any]:
    """Ask every provider again (by the planned ids and by a fresh look-up of the person), the object
    store for every planned key, and the audit trail for anything still naming them."""
    fresh = subject_resolve(query)
    remaining: dict[str, dict[str, int]] = {}
    planned_by_model: dict[str, list[Any]] = {}
    for _, model, pks in plan.rows:
        planned_by_model.setdefault(model._meta.label_lower, []).extend(pks)
    for provider in providers():
        counts: dict[str, int] = {}
        for record_set in provider.record_sets(fresh):
            label = record_set.label
            still_planned = record_set.model.objects.filter(pk__in=planned_by_model.get(label, [])).count()
            counts[label] = still_planned + record_set.queryset.count()
        remaining[provider.name] = counts
    store = get_object_store()
    objects_remaining = [key for key in plan.object_keys if store.exists(key)]
    identifying = AuditEvent.objects.filter(
        audit_events_about(
            targets=plan.audit_targets(), metadata_ids=plan.metadata_ids(), texts=sorted(plan.subject.emails)
        )
    ).count()
    clean = (
        all(count == 0 for counts in remaining.values() for count in counts.values())
        and not objects_remaining
        and identifying == 0
    )
    return {
        "checked_at": timezone.now().isoformat(),
        "providers": remaining,
        "objects_checked": len(plan.object_keys),
        "objects_remaining": objects_remaining,
        "audit_events_identifying": identifying,
        "clean": clean,
    }
