"""Lead import end to end: API upload -> S3 API server -> real Celery worker -> leads + report."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest

from crm_saas.testing.world import TenantWorld, world_build, world_drop
from leads.models import Lead
from tests.surface import MANAGER

pytestmark = pytest.mark.worker


@pytest.fixture
def importing_world(celery_worker, s3_storage, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("wkr_leads")
        try:
            yield world
        finally:
            world_drop(world)


def test_a_queued_import_runs_on_the_worker_and_reports_rows(importing_world: TenantWorld) -> None:
    rows = "".join(f"ID-{n},Company {n},{'yes' if n % 3 == 0 else 'no'},{n % 7}\n" for n in range(2500))
    upload = io.BytesIO(f"Ref,Company,Won,Visits\n{rows}ID-x,,maybe,1\n".encode())
    upload.name = "leads.csv"
    client = importing_world.api(MANAGER)
    started = client.post(
        "/api/v1/leads/import/",
        {"file": upload, "outcome_column": "Won", "external_id_column": "Ref"},
        format="multipart",
    )
    assert started.status_code == 202, started.content

    deadline = time.monotonic() + 60
    job = started.json()
    while job["status"] not in {"succeeded", "failed"} and time.monotonic() < deadline:
        time.sleep(0.25)
        job = client.get(f"/api/v1/jobs/{job['id']}/").json()

    assert job["status"] == "succeeded", job
    assert job["result"]["rows"] == 2501
    assert (job["result"]["created"], job["result"]["failed"]) == (2500, 1)
    assert job["result"]["errors"] == [
        {
            "row": 2502,
            "column": "Won",
            "message": "'maybe' is not an outcome (use 1/0, yes/no, true/false or converted/lost).",
        }
    ]
    with importing_world.active():
        assert Lead.objects.count() == 2500
        assert Lead.objects.filter(status="converted").count() == 834
        assert Lead.objects.get(external_id="ID-12").attributes == {"visits": 5}
