"""A real Celery worker over real Redis: tasks run in the schema of the tenant that queued them."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from crm_saas.jobs.models import Job, JobStatus
from crm_saas.storage import get_object_store
from crm_saas.tasks import fan_out_to_tenants
from crm_saas.testing.world import TenantWorld, world_build, world_drop
from tenants.accounts.models import User
from tests.surface import ADMIN

pytestmark = pytest.mark.worker


@pytest.fixture
def two_tenants(celery_worker, s3_storage, django_db_blocker) -> Iterator[tuple[TenantWorld, TenantWorld]]:
    """Two committed tenants the worker can see (no test transaction around them)."""
    with django_db_blocker.unblock():
        first, second = world_build("wkr_one"), world_build("wkr_two")
        try:
            yield first, second
        finally:
            world_drop(first)
            world_drop(second)


def wait_for_job(world: TenantWorld, job_id: str, *, timeout: float = 60) -> dict:
    client = world.api(ADMIN)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/jobs/{job_id}/").json()
        if body["status"] in {JobStatus.SUCCEEDED, JobStatus.FAILED}:
            return body
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {body['status']} after {timeout}s")


def upload(text: str) -> io.BytesIO:
    data = io.BytesIO(text.encode())
    data.name = "people.csv"
    return data


def test_jobs_queued_from_two_tenants_each_run_in_their_own_schema(two_tenants) -> None:
    one, two = two_tenants
    started = {}
    for world, person in ((one, "ana"), (two, "bo")):
        response = world.api(ADMIN).post(
            "/api/v1/users/import/",
            {
                "file": upload(
                    f"email,full_name,role\n{person}@example.test,{person},sales_rep\nnot-an-email,x,viewer\n"
                )
            },
            format="multipart",
        )
        assert response.status_code == 202, response.content
        assert response.json()["status"] == "queued"
        started[world.schema] = response.json()["id"]

    results = {world.schema: wait_for_job(world, started[world.schema]) for world in (one, two)}

    for world, person, other in ((one, "ana", "bo"), (two, "bo", "ana")):
        job = results[world.schema]
        assert job["status"] == "succeeded", job
        assert job["progress"] == 100
        assert job["result"]["created"] == 1
        assert job["result"]["errors"] == [
            {"row": 3, "column": "email", "message": "'not-an-email' is not a valid e-mail address."}
        ]
        with world.active():
            assert User.objects.filter(email=f"{person}@example.test").exists()
            assert not User.objects.filter(email=f"{other}@example.test").exists()
            # The uploaded file went through the S3 API server and was removed once imported.
            assert get_object_store().list_keys(f"tenants/{world.schema}/") == []
    connection.set_schema_to_public()
    assert not User.objects.filter(email__in=["ana@example.test", "bo@example.test"]).exists()


def test_a_failing_job_reports_a_clear_error(two_tenants) -> None:
    one, _ = two_tenants
    response = one.api(ADMIN).post(
        "/api/v1/users/import/", {"file": upload("email,role\n" + "x@example.test,viewer\n" * 5001)}, format="multipart"
    )
    assert response.status_code == 202
    job = wait_for_job(one, response.json()["id"])
    assert job["status"] == "failed"
    assert job["error"] == "The file has more than 5000 rows; split it."


def test_periodic_work_fans_out_to_every_active_tenant(two_tenants) -> None:
    one, two = two_tenants
    long_ago = timezone.now() - timedelta(days=400)
    for world in (one, two):
        with world.active():
            Job.objects.create(kind="old", status=JobStatus.SUCCEEDED, finished_at=long_ago)
            Job.objects.create(kind="recent", status=JobStatus.SUCCEEDED, finished_at=timezone.now())

    connection.set_schema_to_public()
    fan_out_to_tenants.apply_async(args=("jobs.purge_finished",))

    deadline = time.monotonic() + 60
    remaining: dict[str, list[str]] = {}
    while time.monotonic() < deadline:
        for world in (one, two):
            with world.active():
                remaining[world.schema] = sorted(Job.objects.values_list("kind", flat=True))
        if all(kinds == ["recent"] for kinds in remaining.values()):
            break
        time.sleep(0.2)
    assert remaining == {one.schema: ["recent"], two.schema: ["recent"]}


def test_a_task_whose_tenant_is_gone_before_it_runs_is_dropped_not_run_in_public(two_tenants, celery_worker) -> None:
    """Work queued for a tenant that is offboarded while the message waits must not run at all.

    The fan-out is the sharpest case: it is a platform task that works in public, so had the
    worker run it there after failing to switch to the gone tenant, every tenant's jobs would be
    purged on that tenant's behalf."""
    one, _ = two_tenants
    long_ago = timezone.now() - timedelta(days=400)
    with one.active():
        Job.objects.create(kind="old", status=JobStatus.SUCCEEDED, finished_at=long_ago)
    gone = world_build("wkr_gone")
    world_drop(gone)

    connection.set_schema_to_public()
    refused = fan_out_to_tenants.apply_async(args=("jobs.purge_finished",), headers={"_schema_name": "wkr_gone"})
    line = f"Refused task crm_saas.fan_out_to_tenants[{refused.id}]"
    deadline = time.monotonic() + 60
    while line not in celery_worker.log() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert line in celery_worker.log()
    assert "queued for schema 'wkr_gone'" in celery_worker.log()

    # The same message from the platform itself is carried out, so the worker is alive and it was
    # the gone tenant that stopped the first one.
    fan_out_to_tenants.apply_async(args=("jobs.purge_finished",))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with one.active():
            if not Job.objects.filter(kind="old").exists():
                break
        time.sleep(0.2)
    log = celery_worker.log()
    assert f"crm_saas.fan_out_to_tenants[{refused.id}] reject requeue=False" in log
    assert f"crm_saas.fan_out_to_tenants[{refused.id}] succeeded" not in log
    with one.active():
        assert not Job.objects.filter(kind="old").exists()
