"""A voice note end to end: API upload -> encrypted on the S3 API server -> real Celery worker
(Whisper, offline) -> transcript on the log and a note on the lead's timeline."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator

import pytest

from crm_saas.storage import get_object_store
from crm_saas.testing.world import TenantWorld, world_build, world_drop
from leads.models import LeadNote
from leads.services import lead_create
from tests.surface import REP
from voice.tests.samples import KEY_WORDS, MAGIC, encoded

pytestmark = pytest.mark.worker


@pytest.fixture
def noting_world(celery_worker, s3_storage, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("wkr_notes")
        try:
            yield world
        finally:
            world_drop(world)


def test_an_uploaded_note_is_stored_encrypted_and_transcribed_by_the_worker(noting_world: TenantWorld) -> None:
    with noting_world.active():
        lead = lead_create(actor=noting_world.users[REP], data={"company": "Worker Test Ltd"})
    data = encoded("webm")
    upload = io.BytesIO(data)
    upload.name = "recording.webm"
    client = noting_world.api(REP)

    created = client.post("/api/v1/voice/logs/", {"audio": upload, "lead": lead.pk}, format="multipart")
    assert created.status_code == 201, created.content
    log = created.json()

    # What the S3 server holds is ciphertext: not the upload, and nothing a player recognises.
    with noting_world.active():
        blob = get_object_store().get(f"tenants/wkr_notes/voice/{log['id']}")
    assert blob[:4] == b"CRME" and blob != data
    assert not any(magic in blob for magic in MAGIC)

    deadline = time.monotonic() + 120
    while log["status"] not in {"transcribed", "failed"} and time.monotonic() < deadline:
        time.sleep(0.5)
        log = client.get(f"/api/v1/voice/logs/{log['id']}/").json()

    assert log["status"] == "transcribed", log
    words = re.sub(r"[^a-z ]", "", log["transcript"].lower())
    assert all(word in words for word in KEY_WORDS), log["transcript"]
    assert log["engine"] == "whisper-tiny-en" and log["job"]["status"] == "succeeded"
    with noting_world.active():
        assert LeadNote.objects.get(lead=lead).text == log["transcript"]
    # And the original plays back, decrypted, to its uploader.
    played = client.get(log["audio_url"])
    assert played.status_code == 200 and played.content == data
