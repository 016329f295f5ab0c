"""Jobs survive a broker outage and a dead worker: they stay queued, are sent again, run once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from celery import Celery
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from crm_saas.jobs.models import Job, JobStatus
from crm_saas.jobs.services import DISPATCH_KEY, job_create, job_enqueue, job_requeue_stale, job_run
from crm_saas.testing.processes import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_session() -> Iterator[psycopg.Connection]:
    """A second database session, standing for another worker."""
    db = connection.settings_dict
    conn = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    )
    yield conn
    conn.close()


def _hold_run_lock(session: psycopg.Connection, job_id: str) -> None:
    session.execute("SELECT pg_advisory_lock(hashtext('crm_saas.jobs'), hashtext(%s))", [job_id])


def test_an_unreachable_broker_leaves_the_job_queued_and_the_caller_unharmed(alpha) -> None:
    dead_broker = Celery("dead", broker=f"redis://127.0.0.1:{free_port()}/0")
    dead_broker.conf.broker_connection_timeout = 1
    dead_broker.conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1}

    @dead_broker.task(name="tests.unreachable")
    def unreachable(job_id: str) -> None:  # pragma: no cover - never delivered
        raise AssertionError

    with alpha.active(), TestCase.captureOnCommitCallbacks(execute=True):
        job = job_create(kind="test.offline")
        job_enqueue(job=job, task=unreachable)  # the commit callback swallows nothing but the outage
    with alpha.active():
        job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert job.params[DISPATCH_KEY] == {"task": "tests.unreachable", "queue": None}


def test_requeue_sends_old_queued_jobs_and_orphaned_running_jobs_only(alpha, other_session) -> None:
    dispatch = {DISPATCH_KEY: {"task": "tests.requeued", "queue": None}}
    with alpha.active():
        stale = job_create(kind="test.stale", params=dispatch)
        fresh = job_create(kind="test.fresh", params=dispatch)
        orphan = job_create(kind="test.orphan", params=dispatch)
        alive = job_create(kind="test.alive", params=dispatch)
        in_process = job_create(kind="test.inline")  # never went through a worker
        done = job_create(kind="test.done", params=dispatch)
        Job.objects.filter(pk__in=[stale.pk, in_process.pk, done.pk]).update(
            created_at=timezone.now() - timedelta(hours=1)
        )
        Job.objects.filter(pk__in=[orphan.pk, alive.pk]).update(status=JobStatus.RUNNING)
        Job.objects.filter(pk=done.pk).update(status=JobStatus.SUCCEEDED)
        _hold_run_lock(other_session, str(alive.pk))  # a live worker is running this one

        sent = job_requeue_stale(queued_for_seconds=600)

    assert sorted(sent) == sorted([str(stale.pk), str(orphan.pk)])
    assert str(fresh.pk) not in sent and str(alive.pk) not in sent


def test_a_duplicate_delivery_does_not_run_a_job_another_worker_is_running(alpha, other_session) -> None:
    calls: list[str] = []
    with alpha.active():
        job = job_create(kind="test.busy")
        _hold_run_lock(other_session, str(job.pk))
        assert job_run(job_id=str(job.pk), handler=lambda job, report: calls.append("ran") or {}) is None
        other_session.execute("SELECT pg_advisory_unlock_all()")
        job_run(job_id=str(job.pk), handler=lambda job, report: calls.append("ran") or {})
        job.refresh_from_db()
    assert calls == ["ran"]
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 1)


def test_a_job_left_running_by_a_dead_worker_runs_again_to_completion(alpha) -> None:
    with alpha.active():
        job = job_create(kind="test.crashed")
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1, started_at=timezone.now())
        job_run(job_id=str(job.pk), handler=lambda job, report: {"ok": True})
        job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (JobStatus.SUCCEEDED, 2, {"ok": True})
