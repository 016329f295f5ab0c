"""What export and erasure share: who may ask, and the request's state as its job runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from crm_saas.errors import DomainError, PermissionDeniedError
from crm_saas.jobs.models import Job
from crm_saas.jobs.services import ProgressCallback
from crm_saas.privacy.models import PrivacyRequest, PrivacyRequestStatus
from crm_saas.privacy.subjects import SubjectQuery
from crm_saas.roles import Capability


def require_privacy_admin(actor: Any) -> None:
    if not actor.has_capability(Capability.PRIVACY_MANAGE):
        raise PermissionDeniedError("Only admins can export or erase a person's data.")


def request_for_job(job: Job, kind: str) -> PrivacyRequest:
    request = PrivacyRequest.objects.filter(pk=job.params.get("privacy_request_id"), kind=kind).first()
    if request is None:
        raise DomainError("The privacy request of this job no longer exists.", code="gone")
    return request


def request_query(request: PrivacyRequest) -> SubjectQuery:
    ((field, value),) = request.query.items()
    return SubjectQuery(field=field, value=str(value))


def request_start(request: PrivacyRequest) -> None:
    request.status = PrivacyRequestStatus.RUNNING
    request.error = ""
    request.save(update_fields=["status", "error"])


def request_finish(request: PrivacyRequest, *, status: str, error: str = "", **fields: Any) -> None:
    request.status = status
    request.error = error
    request.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=["status", "error", "finished_at", *fields])


def request_run(
    job: Job,
    kind: str,
    work: Callable[[PrivacyRequest, ProgressCallback], dict[str, Any]],
    report_progress: ProgressCallback,
    *,
    what: str,
) -> dict[str, Any]:
    """A request's job: a finished one returns its report; otherwise ``work`` runs, and a failure
    marks the request failed with a message a person can read (``what``: "export", "erasure")."""
    request = request_for_job(job, kind)
    if request.status == PrivacyRequestStatus.SUCCEEDED:
        return request.report or {}
    request_start(request)
    try:
        return work(request, report_progress)
    except Exception as exc:
        message = exc.message if isinstance(exc, DomainError) else f"The {what} failed because of an internal error."
        request_finish(request, status=PrivacyRequestStatus.FAILED, error=message)
        raise
