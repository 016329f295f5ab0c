"""Faults around a voice upload, injected into services the test starts itself: the broker goes
down while a note is uploaded, and the worker is killed in the middle of its transcription.

Nothing is lost in either case: the upload is kept and answered, and the note is transcribed
exactly once (one transcript, one note on the lead's timeline) once the fault is gone.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crm_saas.celery import app
from crm_saas.jobs.models import Job, JobStatus
from crm_saas.storage import get_object_store
from crm_saas.testing.faults import PrivateRedis, http, multipart, start_web, start_worker
from crm_saas.testing.processes import ManagedProcess, child_database_url, wait_until
from crm_saas.testing.world import TenantWorld, world_build, world_drop
from leads.models import LeadNote
from leads.services import lead_create
from tests.surface import REP
from voice.models import VoiceLog
from voice.tests.samples import encoded

pytestmark = pytest.mark.worker


@dataclass
class Stack:
    world: TenantWorld
    redis: PrivateRedis
    web_port: int
    env: dict[str, str]
    log_dir: Path

    def worker(self, name: str) -> ManagedProcess:
        return start_worker(log_path=self.log_dir / f"fault-worker-{name}.log", **self.env)

    def upload_note(self, lead_id: int, audio: bytes) -> tuple[int, dict]:
        body, content_type = multipart({"lead": str(lead_id)}, {"audio": ("note.webm", audio, "audio/webm")})
        return http(
            self.web_port,
            "POST",
            "/api/v1/voice/logs/",
            host=self.world.host,
            token=self.world.token(REP),
            body=body,
            content_type=content_type,
            timeout=30,
        )

    def requeue_stale(self) -> None:
        """What the periodic sweeper does, sent now to this stack's broker for this tenant."""
        with self.world.active(), app.connection_for_write(self.redis.url) as connection:
            app.send_task(
                "jobs.requeue_stale",
                kwargs={"queued_for_seconds": 0},
                headers={"_schema_name": self.world.schema},
                connection=connection,
            )

    def wait_for_log(
        self, log_id: str, statuses: set[str], *, job_finished: bool = True, timeout: float = 120
    ) -> VoiceLog:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.world.active():
                log = VoiceLog.objects.select_related("job").get(pk=log_id)
            if log.status in statuses and (log.job.is_finished or not job_finished):
                return log
            time.sleep(0.2)
        raise AssertionError(f"voice log {log_id} stayed {log.status}")


@pytest.fixture
def stack(django_db_setup, s3_endpoint: str, s3_storage, artifacts_dir: Path, django_db_blocker) -> Iterator[Stack]:
    from conftest import S3_TEST_ENV

    with django_db_blocker.unblock():
        world = world_build("flt_voice")
        redis = PrivateRedis(artifacts_dir)
        env = {
            "DATABASE_URL": child_database_url(),
            "CELERY_BROKER_URL": redis.url,
            **S3_TEST_ENV,
            "S3_ENDPOINT_URL": s3_endpoint,
        }
        web, port = start_web(log_path=artifacts_dir / "fault-web.log", **env)
        try:
            yield Stack(world=world, redis=redis, web_port=port, env=env, log_dir=artifacts_dir)
        finally:
            web.stop()
            redis.stop()
            world_drop(world)


def _assert_transcribed_once(stack: Stack, log: VoiceLog, lead_id: int) -> None:
    with stack.world.active():
        assert log.status == "transcribed" and log.transcript
        assert log.job.status == JobStatus.SUCCEEDED
        assert VoiceLog.objects.count() == 1
        assert Job.objects.filter(kind="voice.transcribe").count() == 1
        assert list(LeadNote.objects.filter(lead_id=lead_id).values_list("text", flat=True)) == [log.transcript]


def test_a_note_uploaded_while_the_broker_is_down_is_kept_and_transcribed_once_it_is_back(stack: Stack) -> None:
    with stack.world.active():
        lead = lead_create(actor=stack.world.users[REP], data={"company": "Broker Outage Ltd"})
    worker = stack.worker("outage")
    try:
        audio = encoded("webm")
        stack.redis.stop()
        started = time.monotonic()
        status, body = stack.upload_note(lead.pk, audio)
        answered_in = time.monotonic() - started

        # Kept and answered: the row, its queued job and the encrypted recording all exist.
        assert status == 201, body
        assert answered_in < 15  # the broker is given up on after ~1 s; the request does not hang on it
        with stack.world.active():
            log = VoiceLog.objects.select_related("job").get(pk=body["id"])
            assert log.status == "uploaded" and log.job.status == JobStatus.QUEUED
            assert get_object_store().get(log.storage_key)[:4] == b"CRME"

        stack.redis.start()  # same port: the worker reconnects on its own
        wait_until(lambda: worker.log().count("Connected to redis") >= 2, timeout=60, what="worker reconnect")
        stack.requeue_stale()
        log = stack.wait_for_log(body["id"], {"transcribed", "failed"})
        _assert_transcribed_once(stack, log, lead.pk)
        assert log.job.attempts == 1
    finally:
        worker.stop()


def test_a_worker_killed_mid_transcription_is_replaced_and_the_note_is_transcribed_exactly_once(
    stack: Stack,
) -> None:
    with stack.world.active():
        lead = lead_create(actor=stack.world.users[REP], data={"company": "Worker Crash Ltd"})
    first = stack.worker("doomed")
    try:
        status, body = stack.upload_note(lead.pk, encoded("webm"))
        assert status == 201, body
        log = stack.wait_for_log(body["id"], {"transcribing", "transcribed", "failed"}, job_finished=False, timeout=60)
        assert log.status == "transcribing", "the transcription finished before the worker could be killed"
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=10)
    finally:
        first.stop()
    with stack.world.active():
        assert VoiceLog.objects.get(pk=body["id"]).job.status == JobStatus.RUNNING  # orphaned mid-run

    second = stack.worker("replacement")
    try:
        stack.requeue_stale()
        log = stack.wait_for_log(body["id"], {"transcribed", "failed"})
        _assert_transcribed_once(stack, log, lead.pk)
        assert log.job.attempts == 2  # the killed run and the one that finished
    finally:
        second.stop()
