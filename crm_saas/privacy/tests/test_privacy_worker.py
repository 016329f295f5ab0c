"""Export and erasure end to end through the API, a real Celery worker, Redis and the S3 API server."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator

import boto3
import pytest

from conftest import S3_TEST_ENV
from crm_saas.privacy.tests.people import EMAIL, person_build
from crm_saas.testing.world import TenantWorld, world_build, world_drop
from tests.surface import ADMIN

pytestmark = pytest.mark.worker


@pytest.fixture
def privacy_world(celery_worker, s3_storage, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("wkr_privacy")
        try:
            yield world
        finally:
            world_drop(world)


def _until_finished(client, url: str) -> dict:
    deadline = time.monotonic() + 90
    body = client.get(url).json()
    while body["status"] not in {"succeeded", "failed"} and time.monotonic() < deadline:
        time.sleep(0.3)
        body = client.get(url).json()
    return body


@pytest.mark.s3
def test_the_worker_exports_then_erases_a_person(privacy_world: TenantWorld, s3_storage) -> None:
    with privacy_world.active():
        person = person_build(privacy_world)
    client = privacy_world.api(ADMIN)

    queued = client.post("/api/v1/privacy/exports/", {"email": EMAIL})
    assert queued.status_code == 202, queued.content
    export = _until_finished(client, f"/api/v1/privacy/exports/{queued.json()['id']}/")
    assert export["status"] == "succeeded", export
    assert export["job"]["status"] == "succeeded" and export["job"]["progress"] == 100
    download = client.get(export["download_url"])
    bundle = zipfile.ZipFile(io.BytesIO(download.content))
    [audio] = json.loads(bundle.read("manifest.json"))["files"]
    assert bundle.read(audio["file"]) == person.audio

    queued = client.post("/api/v1/privacy/erasures/", {"email": EMAIL, "confirm": EMAIL})
    assert queued.status_code == 202, queued.content
    erasure = _until_finished(client, f"/api/v1/privacy/erasures/{queued.json()['id']}/")
    assert erasure["status"] == "succeeded", erasure
    assert erasure["report"]["verification"]["clean"] is True
    assert erasure["report"]["objects_deleted"] == 2
    s3 = boto3.client("s3", endpoint_url=s3_storage["S3_ENDPOINT_URL"], region_name="us-east-1")
    listed = s3.list_objects_v2(Bucket=S3_TEST_ENV["S3_BUCKET"], Prefix="tenants/wkr_privacy/")
    assert listed["KeyCount"] == 0
    # The export's link is gone with the person.
    assert client.get(export["download_url"]).status_code == 410
