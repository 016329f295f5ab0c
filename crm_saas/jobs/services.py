"""Creating, running and reporting on jobs.

A job row is written in the request's transaction and its task is sent only once that transaction
commits, so a worker never looks for a job that was rolled back. Running a job that already
finished does nothing, which makes redelivered or retried tasks harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import Task
from django.db import connection, transaction
from django.utils import timezone

from crm_saas.errors import DomainError
from crm_saas.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int], None]
JobHandler = Callable[[Job, ProgressCallback], dict[str, Any]]


def job_create(*, kind: str, created_by: Any = None, params: dict[str, Any] | None = None) -> Job:
    return Job.objects.create(kind=kind, created_by=created_by, params=params or {})


def job_enqueue(*, job: Job, task: Task, queue: str | None = None) -> None:
    """Send ``task(job_id=...)`` to the workers once the current transaction commits.

    The schema is captured now and sent with the task, so the worker runs in this tenant's schema
    whatever the connection's state is by the time the transaction commits.
    """
    schema_name = connection.schema_name
    if schema_name == "public":
        raise RuntimeError("Jobs belong to a tenant; enqueue them inside a tenant's schema.")
    options: dict[str, Any] = {"headers": {"_schema_name": schema_name}}
    if queue:
        options["queue"] = queue
    job_id = str(job.id)
    transaction.on_commit(lambda: task.apply_async(kwargs={"job_id": job_id}, **options))


def job_report_progress(*, job: Job, percent: int) -> None:
    percent = max(0, min(100, int(percent)))
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(progress=percent)
    job.progress = percent


def job_run(*, job_id: str, handler: JobHandler) -> Job | None:
    """Run ``handler`` for a queued job and record its outcome.

    Domain errors become the job's error message (the user can act on them); anything else is
    logged with its traceback and reported as an internal error without internals leaking out.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("Job %s not found in schema %s; nothing to run.", job_id, connection.schema_name)
            return None
        if job.is_finished:
            logger.info("Job %s already %s; not running it again.", job_id, job.status)
            return job
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])

    def report(percent: int) -> None:
        job_report_progress(job=job, percent=percent)

    try:
        result = handler(job, report)
    except DomainError as exc:
        _job_finish(job=job, status=JobStatus.FAILED, error=exc.message)
    except Exception:
        logger.exception("Job %s (%s) failed", job.id, job.kind)
        _job_finish(job=job, status=JobStatus.FAILED, error="The job failed because of an internal error.")
    else:
        _job_finish(job=job, status=JobStatus.SUCCEEDED, result=result)
    return job


def _job_finish(*, job: Job, status: str, result: dict[str, Any] | None = None, error: str = "") -> None:
    job.status = status
    job.result = result
    job.error = error
    job.finished_at = timezone.now()
    if status == JobStatus.SUCCEEDED:
        job.progress = 100
    job.save(update_fields=["status", "result", "error", "finished_at", "progress"])


def job_purge_finished(*, older_than_days: int) -> int:
    """Delete finished jobs older than the given age in the current schema; returns the count."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Job.objects.filter(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED], finished_at__lt=cutoff).delete()
    return deleted
