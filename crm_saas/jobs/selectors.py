from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from crm_saas.errors import NotFoundError
from crm_saas.jobs.models import Job
from crm_saas.roles import Capability


def job_get_for_user(*, user: Any, job_id: Any) -> Job:
    """A job the user may see: their own, or any job for roles that see all jobs.

    Missing and not-yours answer alike, so ids reveal nothing.
    """
    jobs = Job.objects.all()
    if not user.has_capability(Capability.JOBS_READ_ALL):
        jobs = jobs.filter(created_by=user)
    try:
        return jobs.get(pk=job_id)
    except (Job.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFoundError("Job not found.") from exc
