"""The object store goes down: a voice upload is refused with a clear 503 and leaves nothing
behind (no voice log, no job), and works again as soon as the store is back."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from conftest import S3_TEST_ENV
from crm_saas.jobs.models import Job
from crm_saas.storage import get_object_store, reset_object_store
from crm_saas.testing.processes import ManagedProcess, child_env, free_port, http_ok, venv_bin, wait_until
from tests.surface import REP
from voice.models import VoiceLog
from voice.tests.samples import encoded

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


class PrivateS3:
    def __init__(self, artifacts_dir) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server = ManagedProcess(
            [venv_bin("moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            env=child_env(),
            log_path=artifacts_dir / f"s3-private-{self.port}.log",
        )
        wait_until(lambda: http_ok(f"{self.endpoint}/moto-api/"), timeout=30, what="S3 API server")


@pytest.fixture
def private_s3(artifacts_dir, settings) -> Iterator[PrivateS3]:
    s3 = PrivateS3(artifacts_dir)
    settings.OBJECT_STORAGE = {
        **settings.OBJECT_STORAGE,
        "BACKEND": "s3",
        "S3_ENDPOINT_URL": s3.endpoint,
        "S3_BUCKET": S3_TEST_ENV["S3_BUCKET"],
        "S3_CREATE_BUCKET": True,
    }
    reset_object_store()
    try:
        yield s3
    finally:
        s3.server.stop()
        reset_object_store()


def _upload(alpha):
    upload = io.BytesIO(encoded("webm"))
    upload.name = "note.webm"
    return alpha.api(REP).post("/api/v1/voice/logs/", {"audio": upload}, format="multipart")


def test_an_upload_while_the_object_store_is_down_is_refused_with_503_and_leaves_nothing(alpha, private_s3) -> None:
    with alpha.active():
        stored = _upload(alpha)
        assert stored.status_code == 201, stored.content  # the store works before the outage
        assert get_object_store().list_keys("tenants/alpha/voice/") == [f"tenants/alpha/voice/{stored.json()['id']}"]
        logs, jobs = VoiceLog.objects.count(), Job.objects.count()

    private_s3.server.stop()
    refused = _upload(alpha)

    assert refused.status_code == 503, refused.content
    body = refused.json()
    assert set(body) == {"detail", "errors"} and "storage" in body["detail"].lower()
    with alpha.active():
        assert (VoiceLog.objects.count(), Job.objects.count()) == (logs, jobs)  # no orphan rows
