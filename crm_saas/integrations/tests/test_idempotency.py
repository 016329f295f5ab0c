"""Idempotency-Key on POSTs: replays, reuse with another body, keys per caller, in-progress
conflicts, multipart bodies, expiry and the OpenAPI description."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import yaml
from django.utils import timezone

from crm_saas.integrations.models import IdempotencyRecord
from crm_saas.integrations.services.api_keys import api_key_create
from crm_saas.integrations.services.idempotency import idempotency_records_purge
from crm_saas.integrations.tasks import purge_idempotency_records_task
from leads.models import Lead
from tests.surface import ADMIN, MANAGER

pytestmark = pytest.mark.django_db


def test_a_retried_post_returns_the_first_response_and_creates_nothing_twice(alpha) -> None:
    client = alpha.api(ADMIN)
    first = client.post("/api/v1/leads/", {"company": "Once Co"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/leads/", {"company": "Once Co"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    with alpha.active():
        assert Lead.objects.filter(company="Once Co").count() == 1
    other = client.post("/api/v1/leads/", {"company": "Once Co"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_without_the_header_nothing_changes(alpha) -> None:
    client = alpha.api(ADMIN)
    client.post("/api/v1/leads/", {"company": "Twice Co"}, format="json")
    client.post("/api/v1/leads/", {"company": "Twice Co"}, format="json")
    with alpha.active():
        assert Lead.objects.filter(company="Twice Co").count() == 2
        assert not IdempotencyRecord.objects.exists()


def test_reusing_a_key_for_another_request_is_422(alpha) -> None:
    client = alpha.api(ADMIN)
    client.post("/api/v1/leads/", {"company": "A Co"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    body = client.post("/api/v1/leads/", {"company": "B Co"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert body.status_code == 422
    assert body.json() == {
        "detail": "This Idempotency-Key was already used for a different request; use a new key for a new request.",
        "errors": {"Idempotency-Key": [body.json()["detail"]]},
    }
    endpoint = client.post("/api/v1/customers/", {"company": "A Co"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert endpoint.status_code == 422
    with alpha.active():
        assert not Lead.objects.filter(company="B Co").exists()


def test_keys_belong_to_one_caller(alpha) -> None:
    """The same key from another user, or from an API key of the same user, is a different request."""
    alpha.api(ADMIN).post("/api/v1/leads/", {"company": "Mine Co"}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    alpha.api(MANAGER).post("/api/v1/leads/", {"company": "Mine Co"}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    with alpha.active():
        raw = api_key_create(actor=alpha.users[ADMIN], name="k", scopes=["leads:write"]).key
    machine = alpha.api()
    machine.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    response = machine.post("/api/v1/leads/", {"company": "Mine Co"}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    with alpha.active():
        assert Lead.objects.filter(company="Mine Co").count() == 3
        assert IdempotencyRecord.objects.filter(key="shared").count() == 3


def test_keys_of_one_tenant_do_not_exist_in_another(alpha, beta) -> None:
    alpha.api(ADMIN).post("/api/v1/leads/", {"company": "Alpha Co"}, format="json", HTTP_IDEMPOTENCY_KEY="t")
    response = beta.api(ADMIN).post("/api/v1/leads/", {"company": "Alpha Co"}, format="json", HTTP_IDEMPOTENCY_KEY="t")
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")


def test_a_request_still_in_progress_gets_409(alpha) -> None:
    client = alpha.api(ADMIN)
    first = client.post("/api/v1/leads/", {"company": "Slow Co"}, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    with alpha.active():
        IdempotencyRecord.objects.filter(key="busy").update(completed_at=None, response_status=None)
    busy = client.post("/api/v1/leads/", {"company": "Slow Co"}, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    assert busy.status_code == 409
    assert "still being processed" in busy.json()["detail"]
    # A claim left unfinished for long belongs to a process that died; its work was rolled back.
    with alpha.active():
        IdempotencyRecord.objects.filter(key="busy").update(created_at=timezone.now() - timedelta(minutes=11))
    retried = client.post("/api/v1/leads/", {"company": "Slow Co"}, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    assert retried.status_code == 201 and retried.json()["id"] != first.json()["id"]


def test_client_errors_are_stored_too_and_bad_keys_are_refused(alpha) -> None:
    client = alpha.api(ADMIN)
    invalid = client.post("/api/v1/leads/", {"status": "nonsense"}, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    replay = client.post("/api/v1/leads/", {"status": "nonsense"}, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert invalid.status_code == replay.status_code == 400
    assert replay.json() == invalid.json() and replay["Idempotent-Replayed"] == "true"
    too_long = client.post("/api/v1/leads/", {"company": "X"}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert too_long.status_code == 400
    assert "Idempotency-Key" in too_long.json()["errors"]


def test_permission_failures_are_not_remembered(alpha) -> None:
    """A 403 happens before the key is claimed, so the same key works once the caller may act."""
    from crm_saas.integrations.services.api_keys import api_key_create as create

    with alpha.active():
        reader = create(actor=alpha.users[ADMIN], name="r", scopes=["leads:read"]).key
    client = alpha.api()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {reader}")
    denied = client.post("/api/v1/leads/", {"company": "Later Co"}, format="json", HTTP_IDEMPOTENCY_KEY="later")
    assert denied.status_code == 403
    with alpha.active():
        assert not IdempotencyRecord.objects.exists()


def test_multipart_bodies_compare_by_file_content(alpha) -> None:
    def upload(content: bytes) -> dict:
        handle = io.BytesIO(content)
        handle.name = "leads.csv"
        return {"file": handle, "outcome_column": "Converted"}

    client = alpha.api(ADMIN)
    csv = b"Company,Converted\nPreview Co,1\n"
    first = client.post("/api/v1/leads/import/", upload(csv), format="multipart", HTTP_IDEMPOTENCY_KEY="imp")
    again = client.post("/api/v1/leads/import/", upload(csv), format="multipart", HTTP_IDEMPOTENCY_KEY="imp")
    assert first.status_code == 202 and again.status_code == 202
    assert again.json()["id"] == first.json()["id"]  # the same import job, not a second one
    other = client.post(
        "/api/v1/leads/import/", upload(csv + b"Other Co,0\n"), format="multipart", HTTP_IDEMPOTENCY_KEY="imp"
    )
    assert other.status_code == 422


def test_records_expire_after_the_ttl_and_the_purge_task_removes_them(alpha, settings) -> None:
    client = alpha.api(ADMIN)
    client.post("/api/v1/leads/", {"company": "Old Co"}, format="json", HTTP_IDEMPOTENCY_KEY="old")
    client.post("/api/v1/leads/", {"company": "New Co"}, format="json", HTTP_IDEMPOTENCY_KEY="new")
    with alpha.active():
        IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    # An expired key is free again: the request runs as a new one.
    fresh = client.post("/api/v1/leads/", {"company": "Old Co"}, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert fresh.status_code == 201 and not fresh.has_header("Idempotent-Replayed")
    with alpha.active():
        IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
        assert purge_idempotency_records_task() == 1
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
        assert idempotency_records_purge(older_than_hours=0) == 1


def test_the_openapi_document_describes_idempotency_api_keys_and_errors(alpha) -> None:
    document = yaml.safe_load(alpha.api().get("/api/schema/").content)
    schemes = document["components"]["securitySchemes"]
    assert schemes["apiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schemes["apiKeyAuth"]["description"],
    }
    create_lead = document["paths"]["/api/v1/leads/"]["post"]
    header = next(p for p in create_lead["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and not header.get("required", False)
    assert {"apiKeyAuth": []} in create_lead["security"]
    for code in ("400", "401", "403", "409", "422", "429"):
        schema = create_lead["responses"][code]["content"]["application/json"]["schema"]
        assert schema["$ref"] == "#/components/schemas/ErrorBody", code
    assert set(document["components"]["schemas"]["ErrorBody"]["required"]) == {"detail", "errors"}
    detail = document["paths"]["/api/v1/leads/{lead_id}/"]["get"]["responses"]
    assert "404" in detail and "Idempotency-Key" not in str(document["paths"]["/api/v1/leads/"]["get"])
    for path in ("/api/v1/api-keys/", "/api/v1/webhooks/", "/api/v1/webhooks/deliveries/{delivery_id}/redeliver/"):
        assert path in document["paths"]


def test_an_answer_quoting_a_nul_character_is_kept_for_replay_and_the_connection_stays_usable(alpha) -> None:
    # Found by fuzzing: jsonb cannot hold U+0000, so storing this answer failed, left the request's
    # transaction open and broke every later request of the process.
    client = alpha.api(ADMIN)
    body = {"company": "Nul Co", "status": "new\x00"}
    first = client.post("/api/v1/leads/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-nul")
    again = client.post("/api/v1/leads/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-nul")
    assert first.status_code == again.status_code == 400, first.json()
    assert "status" in first.json()["errors"] and again["Idempotent-Replayed"] == "true"
    assert again.json()["errors"]["status"] == [
        message.replace("\x00", "\ufffd") for message in first.json()["errors"]["status"]
    ]
    after = client.post("/api/v1/leads/", {"company": "After Co"}, format="json", HTTP_IDEMPOTENCY_KEY="k-after")
    assert after.status_code == 201
