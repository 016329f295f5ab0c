"""A person's data export: every record type and the decrypted audio, only for the requester."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.jobs.services import job_run
from crm_saas.privacy.models import PrivacyRequest
from crm_saas.privacy.services import privacy_export_request, privacy_export_run, privacy_exports_purge_expired
from crm_saas.privacy.tests.people import EMAIL, person_build
from crm_saas.storage import get_object_store
from tenants.accounts.services import user_create
from tests.surface import ADMIN, MANAGER

pytestmark = pytest.mark.django_db

EVERY_RECORD_TYPE = {
    "leads.lead",
    "leads.leadscore",
    "leads.leadactivity",
    "leads.leadnote",
    "leads.followup",
    "lifecycle.customer",
    "lifecycle.lifecycleevent",
    "lifecycle.stagechange",
    "lifecycle.churnprediction",
    "lifecycle.nextaction",
    "voice.voicelog",
    "voice.voicecommand",
}


def _export(world, data: dict) -> PrivacyRequest:
    with world.active():
        export = privacy_export_request(actor=world.users[ADMIN], data=data)
        job_run(job_id=str(export.job_id), handler=privacy_export_run)
        export.refresh_from_db()
    return export


def test_export_by_email_holds_every_record_type_and_the_original_audio(alpha) -> None:
    with alpha.active():
        person = person_build(alpha)
    export = _export(alpha, {"email": "Jane.Doe@Example.com"})
    assert export.status == "succeeded", export.error

    response = alpha.api(ADMIN).get(f"/api/v1/privacy/exports/{export.id}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = json.loads(bundle.read("manifest.json"))
    counts = {entry["model"]: entry["count"] for entry in manifest["records"]}
    assert {model for model, count in counts.items() if count} == EVERY_RECORD_TYPE
    assert counts["leads.followup"] == 2  # the lead's and the customer's
    assert manifest["identities"] == {
        "emails": [EMAIL],
        "lead_ids": [person.lead.pk],
        "customer_ids": [person.customer.pk],
    }
    leads = json.loads(bundle.read("records/leads.lead.json"))
    assert [row["pk"] for row in leads] == [person.lead.pk]  # never the bystander
    assert leads[0]["fields"]["email"] == EMAIL
    [audio_entry] = manifest["files"]
    assert audio_entry["record"] == f"voice.voicelog:{person.voice_log.id}"
    assert bundle.read(audio_entry["file"]) == person.audio

    # The stored bundle is ciphertext under the tenant's key, and the trail shows the export.
    with alpha.active():
        stored = get_object_store().get(export.bundle_key)
        assert stored[:4] == b"CRME" and b"Jane" not in stored
        actions = set(AuditEvent.objects.filter(subject_ref=export.subject_ref).values_list("action", flat=True))
    assert {
        AuditAction.PRIVACY_EXPORT_REQUESTED,
        AuditAction.PRIVACY_EXPORTED,
        AuditAction.PRIVACY_EXPORT_DOWNLOADED,
    } <= actions


def test_asking_by_lead_id_finds_the_same_person_and_pseudonym(alpha) -> None:
    with alpha.active():
        person = person_build(alpha)
    by_email = _export(alpha, {"email": EMAIL})
    by_lead = _export(alpha, {"lead_id": str(person.lead.pk)})
    by_customer = _export(alpha, {"customer_id": str(person.customer.pk)})
    assert by_email.subject_ref == by_lead.subject_ref == by_customer.subject_ref
    assert by_email.subject_ref.startswith("subj_")
    assert by_lead.report["records"] == by_email.report["records"]


def test_only_the_requesting_admin_can_download_and_only_until_it_expires(alpha) -> None:
    with alpha.active():
        person_build(alpha)
        other_admin = user_create(email="second.admin@alpha.test", password="Another-pass-123", role="admin")
        from tenants.accounts.services import token_issue

        other_token = token_issue(user=other_admin).key
    export = _export(alpha, {"email": EMAIL})
    url = f"/api/v1/privacy/exports/{export.id}/download/"
    other = alpha.api()
    other.credentials(HTTP_AUTHORIZATION=f"Token {other_token}")
    assert other.get(url).status_code == 404
    assert alpha.api(MANAGER).get(url).status_code == 403
    # The requester sees the link in the API; another admin does not.
    assert alpha.api(ADMIN).get(f"/api/v1/privacy/exports/{export.id}/").json()["download_url"] == url
    assert other.get(f"/api/v1/privacy/exports/{export.id}/").json()["download_url"] is None

    with alpha.active():
        PrivacyRequest.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        assert privacy_exports_purge_expired() == 1
        assert not get_object_store().exists(export.bundle_key)
    gone = alpha.api(ADMIN).get(url)
    assert gone.status_code == 410
    assert "expired" in gone.json()["detail"]


def test_nobody_matching_and_bad_input_are_clear_errors(alpha) -> None:
    client = alpha.api(ADMIN)
    nobody = client.post("/api/v1/privacy/exports/", {"email": "nobody@example.com"})
    assert nobody.status_code == 404
    assert nobody.json()["detail"] == "No lead or customer matches nobody@example.com."
    assert client.post("/api/v1/privacy/exports/", {"email": "not-an-address"}).status_code == 400
    both = client.post("/api/v1/privacy/exports/", {"email": EMAIL, "lead_id": "3"})
    assert both.status_code == 400 and "exactly one" in both.json()["detail"]
    assert client.post("/api/v1/privacy/exports/", {"lead_id": "abc"}).status_code == 400
    with alpha.active():
        assert not PrivacyRequest.objects.exists()


def test_search_counts_everything_about_the_person(alpha) -> None:
    with alpha.active():
        person_build(alpha)
    found = alpha.api(ADMIN).get("/api/v1/privacy/search/", {"email": EMAIL}).json()
    assert found["records"]["Leads"]["leads.leadnote"] == 1
    assert found["records"]["Customers"]["lifecycle.customer"] == 1
    assert found["records"]["Voice notes and commands"] == {"voice.voicecommand": 1, "voice.voicelog": 1}
    assert found["files"] == 1
