"""Creating, running and reporting on jobs.

A job row is written in the request's transaction and its task is sent only once that transaction
commits, so a worker never looks for a job that was rolled back. Running a job that already
finished does nothing, which makes redelivered or retried tasks harmless.

Nothing a user asked for is lost when the broker or a worker fails. If the broker cannot be
reached when the transaction commits, the job stays ``queued`` (the user's upload or request is
kept and answered) and ``job_requeue_stale`` sends it again once the broker is back; a job whose
worker died mid-run is sent again the same way. A run holds the job's advisory lock
(``crm_saas.jobs.locks``), so a duplicate delivery never runs a job twice at the same time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import Task
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from crm_saas.errors import DomainError
from crm_saas.jobs.locks import job_run_lock, job_run_lock_is_held
from crm_saas.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int], None]
JobHandler = Callable[[Job, ProgressCallback], dict[str, Any]]

# Where a job's task is recorded in its params, so that it can be sent again by name.
DISPATCH_KEY = "_dispatch"


def job_create(*, kind: str, created_by: Any = None, params: dict[str, Any] | None = None) -> Job:
    return Job.objects.create(kind=kind, created_by=created_by, params=params or {})


def job_enqueue(*, job: Job, task: Task, queue: str | None = None) -> None:
    """Send ``task(job_id=...)`` to the workers once the current transaction commits.

    The schema is captured now and sent with the task, so the worker runs in this tenant's schema
    whatever the connection's state is by the time the transaction commits. The task's name is
    recorded on the job so that the requeue sweeper can send it again; a broker that cannot be
    reached at commit leaves the job queued for that sweeper instead of failing the request.
    """
    schema_name = connection.schema_name
    if schema_name == "public":
        raise RuntimeError("Jobs belong to a tenant; enqueue them inside a tenant's schema.")
    task_name = getattr(task, "name", None)
    if task_name:
        job.params = {**job.params, DISPATCH_KEY: {"task": task_name, "queue": queue}}
        Job.objects.filter(pk=job.pk).update(params=job.params)
    options: dict[str, Any] = {"headers": {"_schema_name": schema_name}}
    if queue:
        options["queue"] = queue
    job_id = str(job.id)
    transaction.on_commit(lambda: _job_send(job_id, lambda: task.apply_async(kwargs={"job_id": job_id}, **options)))


def _job_send(job_id: str, send: Callable[[], Any]) -> bool:
    try:
        send()
    except (BrokerUnavailable, ConnectionError, OSError):
        # The job row is committed and stays queued; jobs.requeue_stale sends it once the broker
        # answers again. The caller's request succeeded and must not turn into an error now.
        logger.warning("Task broker unreachable; job %s stays queued until it can be sent.", job_id, exc_info=True)
        return False
    return True


def job_requeue_stale(*, queued_for_seconds: int) -> list[str]:
    """Send again, in the current schema, the jobs that no worker will otherwise run.

    Those are jobs still queued ``queued_for_seconds`` after they were created (their message
    never reached the broker, or the broker lost it) and running jobs whose worker died (nobody
    holds their run lock). A job sent twice still runs once: ``job_run`` skips finished jobs and
    jobs another worker is running. Returns the ids sent.
    """
    from crm_saas.celery import app

    cutoff = timezone.now() - timedelta(seconds=queued_for_seconds)
    candidates = Job.objects.filter(status=JobStatus.QUEUED, created_at__lte=cutoff) | Job.objects.filter(
        status=JobStatus.RUNNING
    )
    sent: list[str] = []
    for job in candidates.order_by("created_at"):
        dispatch = (job.params or {}).get(DISPATCH_KEY) or {}
        task_name = dispatch.get("task")
        job_id = str(job.id)
        if not task_name:
            continue  # a job run in-process by its caller, never through a worker
        if job.status == JobStatus.RUNNING and job_run_lock_is_held(job_id):
            continue
        options: dict[str, Any] = {"headers": {"_schema_name": connection.schema_name}}
        if dispatch.get("queue"):
            options["queue"] = dispatch["queue"]
        if _job_send(job_id, lambda: app.send_task(task_name, kwargs={"job_id": job_id}, **options)):  # noqa: B023
            logger.info("Sent %s job %s (%s) to the workers again.", job.kind, job_id, job.status)
            sent.append(job_id)
    return sent


def job_report_progress(*, job: Job, percent: int) -> None:
    percent = max(0, min(100, int(percent)))
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(progress=percent)
    job.progress = percent


def job_run(*, job_id: str, handler: JobHandler) -> Job | None:
    """Run ``handler`` for a queued job and record its outcome.

    Domain errors become the job's error message (the user can act on them); anything else is
    logged with its traceback and reported as an internal error without internals leaking out.
    The run holds the job's lock: a second delivery while it runs does nothing, and a job left
    ``running`` by a worker that died is simply run again.
    """
    with job_run_lock(str(job_id)) as acquired:
        if not acquired:
            logger.info("Job %s is being run by another worker; this delivery is a duplicate.", job_id)
            return None
        return _job_run_locked(job_id=job_id, handler=handler)


def _job_run_locked(*, job_id: str, handler: JobHandler) -> Job | None:
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
