"""job_run: one outcome per job, whatever happens and however often the task is delivered."""

from __future__ import annotations

import pytest
from django.test import TestCase

from crm_saas.errors import DomainError
from crm_saas.jobs.models import Job, JobStatus
from crm_saas.jobs.services import job_create, job_enqueue, job_run
from tests.surface import ADMIN, REP

pytestmark = pytest.mark.django_db


def test_a_successful_job_records_its_result_and_runs_only_once(alpha) -> None:
    calls = []

    def handler(job: Job, report) -> dict:
        calls.append(job.pk)
        report(40)
        assert Job.objects.get(pk=job.pk).progress == 40
        return {"created": 3}

    with alpha.active():
        job = job_create(kind="test.work", created_by=alpha.users[ADMIN])
        job_run(job_id=str(job.pk), handler=handler)
        job_run(job_id=str(job.pk), handler=handler)  # a redelivered message
        job.refresh_from_db()

    assert calls == [job.pk]
    assert (job.status, job.progress, job.result, job.attempts) == (JobStatus.SUCCEEDED, 100, {"created": 3}, 1)
    assert job.started_at <= job.finished_at


def test_domain_errors_become_the_job_error_and_crashes_a_generic_one(alpha) -> None:
    def refuse(job: Job, report) -> dict:
        raise DomainError("The file has no header row.")

    def crash(job: Job, report) -> dict:
        raise KeyError("internal detail")

    with alpha.active():
        refused = job_create(kind="test.refuse")
        crashed = job_create(kind="test.crash")
        job_run(job_id=str(refused.pk), handler=refuse)
        job_run(job_id=str(crashed.pk), handler=crash)
        refused.refresh_from_db()
        crashed.refresh_from_db()

    assert (refused.status, refused.error) == (JobStatus.FAILED, "The file has no header row.")
    assert crashed.status == JobStatus.FAILED
    assert crashed.error == "The job failed because of an internal error."
    assert "internal detail" not in crashed.error


def test_unknown_job_id_is_ignored(alpha) -> None:
    with alpha.active():
        assert job_run(job_id="00000000-0000-0000-0000-000000000000", handler=lambda job, report: {}) is None


def test_enqueue_waits_for_commit_and_carries_the_schema(alpha) -> None:
    sent = []

    class FakeTask:
        def apply_async(self, **kwargs) -> None:
            sent.append(kwargs)

    with alpha.active(), TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        job = job_create(kind="test.queue")
        job_enqueue(job=job, task=FakeTask())
        assert sent == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert sent == [{"kwargs": {"job_id": str(job.pk)}, "headers": {"_schema_name": "alpha"}}]


def test_enqueue_refuses_the_public_schema(alpha) -> None:
    with pytest.raises(RuntimeError, match="inside a tenant"):
        job_enqueue(job=Job(kind="x"), task=object())


def test_job_api_shape_and_visibility(alpha) -> None:
    with alpha.active():
        mine = job_create(kind="test.rep", created_by=alpha.users[REP])
    body = alpha.api(REP).get(f"/api/v1/jobs/{mine.pk}/").json()
    assert set(body) == {
        "id",
        "kind",
        "status",
        "progress",
        "result",
        "error",
        "created_at",
        "started_at",
        "finished_at",
    }
    assert body["status"] == "queued" and body["progress"] == 0
    assert alpha.api(ADMIN).get(f"/api/v1/jobs/{mine.pk}/").status_code == 200
    assert alpha.api(REP).get("/api/v1/jobs/not-a-uuid/").status_code == 404
