"""/api/v1/voice/logs/ and /api/v1/voice/settings/: upload every format, refuse bad audio leaving
nothing behind, keep audio encrypted at rest, detect tampering, play back only to those allowed."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.jobs.models import Job
from crm_saas.roles import Role
from crm_saas.storage import get_object_store
from crm_saas.storage.keys import tenant_prefix
from crm_saas.testing.processes import free_port
from crm_saas.testing.world import TenantWorld
from leads.services import lead_create
from tenants.accounts.services import user_create
from tests.surface import ADMIN, MANAGER, REP, VIEWER
from voice.models import VoiceLog, VoiceLogKind, VoiceLogStatus, VoiceSettings
from voice.services.logs import voice_log_create
from voice.tests.samples import CONTENT_TYPES, MAGIC, encoded, silence_wav, spoken_wav

pytestmark = pytest.mark.django_db

LOGS = "/api/v1/voice/logs/"
LONG_TEXT = (
    "This is a long voice note about the customer meeting, which went on for quite a while and covered "
    "the pricing, the contract terms and the next steps for the rollout."
)


def upload(data: bytes, name: str = "note.wav") -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def stored_keys(world: TenantWorld) -> list[str]:
    return get_object_store().list_keys(tenant_prefix(world.schema))


def stored_blob(world: TenantWorld, log_id: str) -> bytes:
    return get_object_store().get(f"tenants/{world.schema}/voice/{log_id}")


def rep_lead(world: TenantWorld, owner: str = REP):
    with world.active():
        return lead_create(actor=world.users[owner], data={"name": "Pat Prospect", "company": "Prospect Ltd"})


def recorded(world: TenantWorld, role: str = REP, data: bytes | None = None) -> VoiceLog:
    with world.active():
        return voice_log_create(actor=world.users[role], upload=io.BytesIO(data or spoken_wav()))


def assert_nothing_kept(world: TenantWorld) -> None:
    with world.active():
        assert not VoiceLog.objects.exists()
        assert not Job.objects.filter(kind="voice.transcribe").exists()
    assert stored_keys(world) == []


@pytest.mark.parametrize("fmt", ["wav", "mp3", "m4a", "ogg", "webm", "flac"])
def test_each_format_is_accepted_encrypted_and_queued(alpha, fmt: str) -> None:
    data = encoded(fmt)
    lead = rep_lead(alpha)
    # A name that says something personal (and the wrong type): neither may matter or be kept.
    response = alpha.api(REP).post(
        LOGS, {"audio": upload(data, "Maria Lopez call.pdf"), "lead": lead.pk}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["status"], body["format"]) == ("note", "uploaded", fmt)
    assert body["size_bytes"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert 3.0 < body["duration_seconds"] < 6.0
    assert body["lead"] == {"id": lead.pk, "name": "Pat Prospect", "company": "Prospect Ltd"}
    assert body["uploaded_by"]["email"] == alpha.email(REP)
    assert body["job"]["kind"] == "voice.transcribe" and body["job"]["status"] == "queued"
    assert body["audio_url"] == f"/api/v1/voice/logs/{body['id']}/audio/"
    assert body["has_audio"] is True

    # At rest: one object, keyed by ids only, that is ciphertext and nothing a player could play.
    assert stored_keys(alpha) == [f"tenants/alpha/voice/{body['id']}"]
    blob = stored_blob(alpha, body["id"])
    assert blob != data and len(blob) == len(data) + 37
    assert not any(magic in blob for magic in MAGIC)
    assert all(data[at : at + 32] not in blob for at in range(0, len(data) - 32, max(1, len(data) // 16)))
    with alpha.active():
        log = VoiceLog.objects.get(pk=body["id"])
    assert "maria" not in log.storage_key.lower()


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("missing", 400, "Attach a recording"),
        ("empty", 400, "The recording is empty."),
        ("pdf", 415, "detected: PDF document"),
        ("truncated", 400, "cut off"),
        ("too_long", 400, "the limit is 5 s"),
        ("too_big", 413, "the limit is 1.0 MB"),
    ],
)
def test_bad_audio_is_refused_clearly_and_nothing_is_kept(alpha, case: str, status: int, message: str) -> None:
    with alpha.active():
        VoiceSettings.objects.all().delete()
        VoiceSettings.objects.create(max_note_seconds=5, max_upload_mb=1)
    data = {
        "missing": None,
        "empty": b"",
        "pdf": b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 50,
        "truncated": encoded("ogg")[: len(encoded("ogg")) // 2],
        "too_long": spoken_wav(LONG_TEXT),
        "too_big": silence_wav(size_bytes=1_200_000),
    }[case]
    payload = {} if data is None else {"audio": upload(data, "note.wav")}

    response = alpha.api(REP).post(LOGS, payload, format="multipart")

    assert response.status_code == status, response.json()
    assert message in response.json()["detail"], response.json()
    assert message in response.json()["errors"]["audio"][0]
    assert_nothing_kept(alpha)


def test_a_lead_that_is_missing_or_not_yours_is_a_field_error(alpha) -> None:
    managers_lead = rep_lead(alpha, owner=MANAGER)  # a sales rep does not see it
    for lead_id in (managers_lead.pk, 999_999, "abc"):
        response = alpha.api(REP).post(LOGS, {"audio": upload(spoken_wav()), "lead": lead_id}, format="multipart")
        assert response.status_code == 400
        assert response.json()["errors"] == {"lead": ["No such lead, or it is not one of yours."]}
    assert_nothing_kept(alpha)
    # The manager may attach a note to it.
    response = alpha.api(MANAGER).post(
        LOGS, {"audio": upload(spoken_wav()), "lead": managers_lead.pk}, format="multipart"
    )
    assert response.status_code == 201


def test_unreachable_storage_answers_503_and_keeps_no_row(alpha, settings) -> None:
    from crm_saas.storage import reset_object_store

    settings.OBJECT_STORAGE = {
        **settings.OBJECT_STORAGE,
        "BACKEND": "s3",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens there
        "S3_BUCKET": "crm-test",
        "S3_CREATE_BUCKET": True,
    }
    reset_object_store()

    response = alpha.api(REP).post(LOGS, {"audio": upload(spoken_wav())}, format="multipart")

    assert response.status_code == 503
    assert response.json()["detail"] == "Object storage is unreachable."
    with alpha.active():
        assert not VoiceLog.objects.exists()
        assert not Job.objects.filter(kind="voice.transcribe").exists()


def test_a_row_that_cannot_be_written_takes_its_object_with_it(alpha) -> None:
    """A real database failure (a trigger refusing the insert) after the object was stored."""
    from django.db import DatabaseError

    with alpha.active(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION alpha.refuse_voice_log() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON alpha.voice_voicelog "
            "FOR EACH ROW EXECUTE FUNCTION alpha.refuse_voice_log()"
        )
        with pytest.raises(DatabaseError, match="refused for the test"):
            voice_log_create(actor=alpha.users[REP], upload=io.BytesIO(spoken_wav()))
    assert_nothing_kept(alpha)


def test_playback_streams_the_original_only_to_those_allowed_and_is_audited(alpha, beta) -> None:
    data = encoded("m4a")
    created = alpha.api(REP).post(LOGS, {"audio": upload(data, "memo.m4a")}, format="multipart").json()
    audio_url = created["audio_url"]
    with alpha.active():
        other_rep = user_create(email="other.rep@alpha.test", password="Another-pass-123", role=Role.SALES_REP)
    other = alpha.api()
    with alpha.active():
        from tenants.accounts.services import token_issue

        other.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=other_rep).key}")

    played = {role: alpha.api(role).get(audio_url) for role in (REP, MANAGER, ADMIN)}
    for response in played.values():
        assert response.status_code == 200
        assert response.content == data
        assert response["Content-Type"] == "audio/mp4"
        assert response["Content-Disposition"] == f'inline; filename="voice-{created["id"]}.m4a"'
        assert "no-store" in response["Cache-Control"]

    assert other.get(audio_url).status_code == 404
    assert other.get(f"{LOGS}{created['id']}/").json() == {"detail": "Voice note not found.", "errors": {}}
    refused = alpha.api(VIEWER).get(audio_url, HTTP_ACCEPT="audio/*")  # as a media player asks
    assert refused.status_code == 403 and refused.json()["detail"] == "Your role does not allow this action."
    assert alpha.api().get(audio_url).status_code == 401
    assert beta.api(ADMIN).get(audio_url).status_code == 404
    with alpha.active():
        events = AuditEvent.objects.filter(action=AuditAction.VOICE_PLAYED, target_id=created["id"])
        assert sorted(event.actor.email for event in events) == sorted(alpha.email(role) for role in played)


def test_tampered_or_moved_audio_is_refused_with_409(alpha, beta) -> None:
    first, second = recorded(alpha), recorded(alpha, data=encoded("flac"))
    store = get_object_store()
    a, b = store.get(first.storage_key), store.get(second.storage_key)

    # Swapped between two logs of the same tenant.
    store.put(first.storage_key, b)
    store.put(second.storage_key, a)
    for log in (first, second):
        response = alpha.api(MANAGER).get(f"{LOGS}{log.id}/audio/")
        assert response.status_code == 409
        assert "cannot be decrypted" in response.json()["detail"]

    # One byte flipped in the ciphertext.
    flipped = bytearray(a)
    flipped[len(flipped) // 2] ^= 0x01
    store.put(first.storage_key, bytes(flipped))
    assert alpha.api(REP).get(f"{LOGS}{first.id}/audio/").status_code == 409

    # Copied into another workspace, over one of its own notes.
    theirs = recorded(beta)
    store.put(theirs.storage_key, a)
    assert beta.api(REP).get(f"{LOGS}{theirs.id}/audio/").status_code == 409

    # The untouched original still plays where it belongs, and refusals were not audited as plays.
    store.put(first.storage_key, a)
    assert alpha.api(REP).get(f"{LOGS}{first.id}/audio/").content == spoken_wav()
    with alpha.active():
        assert AuditEvent.objects.filter(action=AuditAction.VOICE_PLAYED).count() == 1


def make_log(world: TenantWorld, role: str, **fields) -> VoiceLog:
    """A row only (no audio object): enough for lists and filters."""
    values = {"format": "wav", "duration_seconds": 2.5, "size_bytes": 1000, "sha256": "0" * 64, **fields}
    with world.active():
        return VoiceLog.objects.create(uploaded_by=world.users[role], **values)


def test_lists_are_scoped_filtered_and_paginated(alpha) -> None:
    lead = rep_lead(alpha)
    mine = make_log(alpha, REP, lead=lead, status=VoiceLogStatus.TRANSCRIBED, transcript="Call them")
    make_log(alpha, REP, kind=VoiceLogKind.COMMAND)
    make_log(alpha, MANAGER)

    rep_view = alpha.api(REP).get(LOGS).json()
    assert rep_view["count"] == 2
    assert {row["uploaded_by"]["email"] for row in rep_view["results"]} == {alpha.email(REP)}
    assert alpha.api(MANAGER).get(LOGS).json()["count"] == 3
    assert alpha.api(ADMIN).get(f"{LOGS}?page_size=2").json()["next"]

    by_lead = alpha.api(MANAGER).get(f"{LOGS}?lead={lead.pk}").json()
    assert [row["id"] for row in by_lead["results"]] == [str(mine.id)]
    assert alpha.api(REP).get(f"{LOGS}?status=transcribed").json()["results"][0]["transcript"] == "Call them"
    assert alpha.api(REP).get(f"{LOGS}?kind=command").json()["count"] == 1
    bad = alpha.api(REP).get(f"{LOGS}?status=done&lead=x")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"status", "lead"}


def test_the_list_costs_the_same_queries_for_many_logs(alpha) -> None:
    lead = rep_lead(alpha)

    def queries() -> int:
        client = alpha.api(MANAGER)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LOGS).status_code == 200
        return len(captured)

    make_log(alpha, REP, lead=lead)
    queries()  # the first request also looks the tenant up (cached after)
    few = queries()
    for _ in range(8):
        make_log(alpha, REP, lead=lead)
        make_log(alpha, MANAGER)
    assert queries() == few


def test_delete_removes_the_row_and_the_audio_and_is_audited(alpha) -> None:
    log = recorded(alpha)
    key = log.storage_key
    assert alpha.api(VIEWER).delete(f"{LOGS}{log.id}/").status_code == 403

    response = alpha.api(REP).delete(f"{LOGS}{log.id}/")

    assert response.status_code == 204
    assert not get_object_store().exists(key)
    with alpha.active():
        assert not VoiceLog.objects.filter(pk=log.id).exists()
        event = AuditEvent.objects.get(action=AuditAction.VOICE_DELETED)
        assert (event.target_id, event.actor.email) == (str(log.id), alpha.email(REP))
    assert alpha.api(REP).get(f"{LOGS}{log.id}/").status_code == 404
    # A manager may delete a rep's note.
    other = recorded(alpha)
    assert alpha.api(MANAGER).delete(f"{LOGS}{other.id}/").status_code == 204


def test_settings_are_validated_field_by_field_and_audited(alpha) -> None:
    admin = alpha.api(ADMIN)
    assert admin.get("/api/v1/voice/settings/").json()["note_engine"] == "whisper-tiny-en"
    assert alpha.api(MANAGER).get("/api/v1/voice/settings/").status_code == 403

    bad = admin.patch(
        "/api/v1/voice/settings/",
        {"retention_days": 0, "max_upload_mb": 500, "note_engine": "nope", "timezone": "Mars/Olympus"},
        format="json",
    )
    assert bad.status_code == 400
    errors = bad.json()["errors"]
    assert set(errors) == {"retention_days", "max_upload_mb", "note_engine", "timezone"}
    assert "Unknown transcription engine 'nope'" in errors["note_engine"][0]
    assert "not a time zone" in errors["timezone"][0]
    assert admin.patch("/api/v1/voice/settings/", {"retention_days": 3651}, format="json").status_code == 400

    online = admin.patch("/api/v1/voice/settings/", {"command_engine": "google-web"}, format="json")
    assert online.status_code == 400
    assert "allow online engines first" in online.json()["errors"]["command_engine"][0]

    ok = admin.patch(
        "/api/v1/voice/settings/",
        {
            "retention_days": 30,
            "command_engine": "google-web",
            "allow_online_engine": True,
            "timezone": "Europe/Berlin",
        },
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    assert (ok.json()["retention_days"], ok.json()["command_engine"]) == (30, "google-web")
    with alpha.active():
        event = AuditEvent.objects.get(action=AuditAction.VOICE_SETTINGS_CHANGED)
        assert event.metadata["changed"]["retention_days"] == [365, 30]
        assert set(event.metadata["changed"]) == {"retention_days", "command_engine", "allow_online_engine", "timezone"}
    # Turning the opt-in off while an online engine is chosen is refused, not silently kept.
    off = admin.patch("/api/v1/voice/settings/", {"allow_online_engine": False}, format="json")
    assert off.status_code == 400 and "command_engine" in off.json()["errors"]


def test_other_tenants_and_strangers_get_nothing(alpha, beta) -> None:
    log = recorded(alpha)
    assert alpha.api().get(LOGS).status_code == 401
    assert alpha.api(VIEWER).get(LOGS).status_code == 403
    assert beta.api(ADMIN).get(f"{LOGS}{log.id}/").status_code == 404
    assert beta.api(ADMIN).delete(f"{LOGS}{log.id}/").status_code == 404
    assert beta.api(ADMIN).get(LOGS).json()["count"] == 0
    alpha_on_beta = alpha.api(host=beta.host)
    alpha_on_beta.credentials(HTTP_AUTHORIZATION=f"Token {alpha.token(ADMIN)}")
    assert alpha_on_beta.get(f"{LOGS}{log.id}/audio/").status_code == 401
    assert stored_keys(alpha) == [log.storage_key]


def test_a_media_player_seeks_with_byte_ranges_and_one_playback_is_audited_once(alpha) -> None:
    data = spoken_wav()
    log = recorded(alpha, REP, data)
    audio_url = f"{LOGS}{log.id}/audio/"
    player = alpha.api(REP)

    first = player.get(audio_url, HTTP_RANGE="bytes=0-")
    assert first.status_code == 206
    assert first.content == data
    assert first["Content-Range"] == f"bytes 0-{len(data) - 1}/{len(data)}"
    assert first["Accept-Ranges"] == "bytes"
    middle = player.get(audio_url, HTTP_RANGE="bytes=100-199")
    assert middle.status_code == 206
    assert middle.content == data[100:200]
    assert middle["Content-Length"] == "100"
    assert middle["Content-Range"] == f"bytes 100-199/{len(data)}"
    tail = player.get(audio_url, HTTP_RANGE="bytes=-10")
    assert tail.status_code == 206 and tail.content == data[-10:]
    beyond = player.get(audio_url, HTTP_RANGE=f"bytes={len(data)}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(data)}"
    several = player.get(audio_url, HTTP_RANGE="bytes=0-1,5-6")  # not served as parts: the whole file
    assert several.status_code == 200 and several.content == data
    # A range the viewer may not read is refused like the whole file.
    assert alpha.api(VIEWER).get(audio_url, HTTP_RANGE="bytes=0-").status_code == 403
    with alpha.active():
        # The first read and the multi-range read (served whole) are playbacks; seeks are not.
        assert AuditEvent.objects.filter(action=AuditAction.VOICE_PLAYED, target_id=str(log.id)).count() == 2


def test_the_schema_documents_the_voice_endpoints(alpha) -> None:
    schema = alpha.api().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/voice/logs/"]) >= {"get", "post"}
    assert set(paths["/api/v1/voice/logs/{log_id}/"]) >= {"get", "delete"}
    assert set(paths["/api/v1/voice/settings/"]) >= {"get", "patch"}
    audio = paths["/api/v1/voice/logs/{log_id}/audio/"]["get"]["responses"]
    assert set(audio["200"]["content"]) == set(CONTENT_TYPES.values())
    assert {"206", "409", "410", "416"} <= set(audio)
    upload_responses = paths["/api/v1/voice/logs/"]["post"]["responses"]
    assert {"201", "400", "413", "415"} <= set(upload_responses)
    assert "multipart/form-data" in paths["/api/v1/voice/logs/"]["post"]["requestBody"]["content"]
