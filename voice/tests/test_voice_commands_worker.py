"""Spoken commands through the real pipeline: API upload -> S3 API server -> Celery worker ->
Whisper transcript -> parsed action, in several voices and speeds."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest

from crm_saas.testing.world import TenantWorld, world_build, world_drop
from leads.services import lead_create
from tests.surface import REP
from voice.speech import speak

pytestmark = pytest.mark.worker
URL = "/api/v1/voice/commands/"


@pytest.fixture
def speaking_world(celery_worker, s3_storage, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("wkr_voice")
        try:
            with world.active():
                lead_create(actor=world.users[REP], data={"company": "Globex Corporation"})
                lead_create(actor=world.users[REP], data={"company": "Initech", "name": "Peter Gibbons"})
            yield world
        finally:
            world_drop(world)


def wait_for(client, command: dict, *, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while command["status"] == "transcribing" and time.monotonic() < deadline:
        time.sleep(0.3)
        command = client.get(f"{URL}{command['id']}/").json()
    return command


@pytest.mark.parametrize(
    ("text", "voice", "speed", "intent", "entities", "lead"),
    [
        ("add a new lead from ABC Corp", "en-us", 150, "create_lead", {"company": "ABC Corp"}, None),
        ("mark globex as qualified", "en-gb", 175, "update_lead_status", {"status": "qualified"}, "Globex Corporation"),
        ("show my hot leads", "en-us", 185, "query_leads", {"owner": "me", "band": ["A"]}, None),
        ("what is the score of initech", "en-gb", 140, "read_lead_score", {}, "Initech"),
    ],
)
def test_spoken_commands_become_actions(speaking_world, text, voice, speed, intent, entities, lead) -> None:
    from leads.models import Lead

    client = speaking_world.api(REP)
    recording = io.BytesIO(speak(text, voice=voice, speed_wpm=speed))
    recording.name = "command.wav"
    started = client.post(URL, {"audio": recording}, format="multipart")
    assert started.status_code == 202, started.content
    assert started.json()["status"] == "transcribing" and started.json()["job"]

    command = wait_for(client, started.json())
    assert command["status"] != "transcribing", "the worker did not finish in time"
    assert command["action"]["intent"] == intent, (command["text"], command["action"])
    assert entities.items() <= command["action"]["entities"].items(), command["action"]
    assert command["voice_log"]  # linked to its encrypted recording
    # The log tells how the command engine decided between its recognisers.
    log = client.get(f"/api/v1/voice/logs/{command['voice_log']}/").json()
    assert log["recognition"]["winner"] and set(log["recognition"]["hypotheses"]) >= {log["recognition"]["winner"]}
    if lead:
        with speaking_world.active():
            expected = Lead.objects.get(company=lead)
        assert command["action"]["entities"]["lead_id"] == expected.pk
