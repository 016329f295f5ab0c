"""Erasing a person: nothing left in any provider or in the S3 API server, the audit trail keeps
its events under a pseudonym only, and the verification report says so."""

from __future__ import annotations

import boto3
import pytest
from django.db import DatabaseError, connection, transaction

from conftest import S3_TEST_ENV
from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.audit.services import audit_record
from crm_saas.jobs.services import job_run
from crm_saas.privacy.models import PrivacyRequest
from crm_saas.privacy.registry import providers
from crm_saas.privacy.services import (
    privacy_erasure_request,
    privacy_erasure_run,
    privacy_export_request,
    privacy_export_run,
)
from crm_saas.privacy.subjects import SubjectQuery, subject_resolve
from crm_saas.privacy.tests.people import EMAIL, Person, person_build
from leads.models import Lead
from tests.surface import ADMIN, MANAGER

pytestmark = pytest.mark.django_db


def _erase(world, data: dict) -> PrivacyRequest:
    with world.active():
        erasure = privacy_erasure_request(actor=world.users[ADMIN], data=data)
        job_run(job_id=str(erasure.job_id), handler=privacy_erasure_run)
        erasure.refresh_from_db()
    return erasure


def _assert_no_residue(world, person: Person) -> None:
    """Ask the database directly: no row of any provider about her, by id or by e-mail."""
    with world.active():
        subject = subject_resolve(SubjectQuery(field="email", value=EMAIL))
        assert subject.lead_ids == frozenset() and subject.customer_ids == frozenset()
        for provider in providers():
            for record_set in provider.record_sets(subject):
                assert not record_set.queryset.exists(), record_set.label
        with connection.cursor() as cursor:
            for table, column, value in [
                ("leads_lead", "id", person.lead.pk),
                ("leads_leadnote", "lead_id", person.lead.pk),
                ("leads_leadscore", "lead_id", person.lead.pk),
                ("leads_followup", "lead_id", person.lead.pk),
                ("lifecycle_customer", "id", person.customer.pk),
                ("lifecycle_lifecycleevent", "customer_id", person.customer.pk),
                ("voice_voicelog", "id", str(person.voice_log.id)),
                ("voice_voicecommand", "id", str(person.command.id)),
            ]:
                table_sql, column_sql = connection.ops.quote_name(table), connection.ops.quote_name(column)
                # sql-safe: quoted names from the literal list above; the value is a parameter
                cursor.execute(f"SELECT count(*) FROM {table_sql} WHERE {column_sql} = %s", [value])  # noqa: S608
                assert cursor.fetchone()[0] == 0, table
            cursor.execute("SELECT count(*) FROM leads_lead WHERE lower(email) = %s", [EMAIL])
            assert cursor.fetchone()[0] == 0
            cursor.execute("SELECT count(*) FROM lifecycle_customer WHERE lower(email) = %s", [EMAIL])
            assert cursor.fetchone()[0] == 0
        assert Lead.objects.filter(pk=person.bystander.pk).exists()


@pytest.mark.s3
def test_erasure_leaves_nothing_in_the_database_or_the_s3_server(alpha, s3_storage) -> None:
    with alpha.active():
        person = person_build(alpha)
        export = privacy_export_request(actor=alpha.users[ADMIN], data={"email": EMAIL})
        job_run(job_id=str(export.job_id), handler=privacy_export_run)
        export.refresh_from_db()
    s3 = boto3.client("s3", endpoint_url=s3_storage["S3_ENDPOINT_URL"], region_name="us-east-1")
    bucket = S3_TEST_ENV["S3_BUCKET"]
    voice_key = person.voice_log.storage_key
    assert s3.head_object(Bucket=bucket, Key=voice_key)["ContentLength"] > 0
    assert s3.head_object(Bucket=bucket, Key=export.bundle_key)["ContentLength"] > 0

    erasure = _erase(alpha, {"email": EMAIL, "confirm": "JANE.DOE@example.com"})

    assert erasure.status == "succeeded", erasure.error
    report = erasure.report
    assert report["deleted"]["leads.lead"] == 1 and report["deleted"]["lifecycle.customer"] == 1
    assert report["deleted"]["voice.voicelog"] == 1 and report["deleted"]["voice.voicecommand"] == 1
    assert report["deleted"]["leads.followup"] == 2
    assert report["objects_deleted"] == 2  # the recording and the earlier export's bundle
    assert report["verification"]["clean"] is True
    assert report["verification"]["objects_remaining"] == []
    assert all(count == 0 for counts in report["verification"]["providers"].values() for count in counts.values())
    # The S3 API server itself: neither object is there any more.
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"tenants/{alpha.schema}/").get("Contents", [])
    assert not {voice_key, export.bundle_key} & {item["Key"] for item in listed}
    _assert_no_residue(alpha, person)
    # Requests about her now show the pseudonym only, and keep no identifier.
    with alpha.active():
        for request in PrivacyRequest.objects.filter(subject_ref=erasure.subject_ref):
            assert request.subject_label == f"Erased person {erasure.subject_ref}"
            assert request.query == {} and request.bundle_key == ""


def test_the_audit_trail_keeps_the_events_under_the_pseudonym_only(alpha) -> None:
    with alpha.active():
        person = person_build(alpha)
        audit_record(action=AuditAction.USER_UPDATED, actor=alpha.users[ADMIN], target=person.lead)
        audit_record(action=AuditAction.LOGIN_FAILED, actor_label=EMAIL)
        unrelated = audit_record(action=AuditAction.USER_UPDATED, actor=alpha.users[ADMIN], target=person.bystander)
        before = AuditEvent.objects.count()

    erasure = _erase(alpha, {"lead_id": str(person.lead.pk), "confirm": str(person.lead.pk)})

    assert erasure.status == "succeeded", erasure.error
    ref = erasure.subject_ref
    with alpha.active():
        assert AuditEvent.objects.count() == before + 2  # nothing deleted; requested + erased added
        about_her = AuditEvent.objects.filter(subject_ref=ref)
        actions = set(about_her.values_list("action", flat=True))
        assert {AuditAction.VOICE_PLAYED, AuditAction.USER_UPDATED, AuditAction.LOGIN_FAILED} <= actions
        assert {AuditAction.PRIVACY_ERASURE_REQUESTED, AuditAction.PRIVACY_ERASED} <= actions
        for event in about_her:
            assert "jane" not in f"{event.target_label} {event.actor_label} {event.metadata}".lower()
            assert event.target_id == ""
        played = about_her.get(action=AuditAction.VOICE_PLAYED)
        assert played.actor_id == alpha.users[ADMIN].pk and played.metadata["kind"] == "note"
        assert "lead_id" not in played.metadata
        assert not AuditEvent.objects.filter(target_label__icontains="jane").exists()
        unrelated.refresh_from_db()
        assert unrelated.subject_ref == "" and unrelated.target_label == "Bob Other"
    assert erasure.report["audit_events_pseudonymised"] >= 3
    assert erasure.report["verification"]["audit_events_identifying"] == 0


def test_the_same_address_gets_the_same_pseudonym_after_erasure(alpha) -> None:
    with alpha.active():
        person_build(alpha)
    first = _erase(alpha, {"email": EMAIL, "confirm": EMAIL})
    with alpha.active():
        person_build(alpha)  # she comes back as a new lead
    second = _erase(alpha, {"email": EMAIL, "confirm": EMAIL})
    assert first.subject_ref == second.subject_ref
    assert EMAIL not in first.subject_ref


def test_erasure_needs_the_typed_confirmation_and_an_admin(alpha) -> None:
    with alpha.active():
        person = person_build(alpha)
    client = alpha.api(ADMIN)
    wrong = client.post("/api/v1/privacy/erasures/", {"email": EMAIL, "confirm": "jane"})
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {"confirm": ["To confirm, type the e-mail address exactly as above."]}
    missing = client.post("/api/v1/privacy/erasures/", {"lead_id": str(person.lead.pk)})
    assert missing.status_code == 400 and "confirm" in missing.json()["errors"]
    manager = alpha.api(MANAGER).post("/api/v1/privacy/erasures/", {"email": EMAIL, "confirm": EMAIL})
    assert manager.status_code == 403
    with alpha.active():
        assert not PrivacyRequest.objects.exists()
        assert Lead.objects.filter(pk=person.lead.pk).exists()

    accepted = client.post("/api/v1/privacy/erasures/", {"email": EMAIL, "confirm": EMAIL})
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["subject_label"] == f"Erased person {body['subject_ref']}" and body["status"] == "queued"
    again = client.post("/api/v1/privacy/erasures/", {"email": EMAIL, "confirm": EMAIL})
    assert again.status_code == 409


def test_the_report_is_readable_through_the_api(alpha) -> None:
    with alpha.active():
        person_build(alpha)
    erasure = _erase(alpha, {"email": EMAIL, "confirm": EMAIL})
    detail = alpha.api(ADMIN).get(f"/api/v1/privacy/erasures/{erasure.id}/")
    assert detail.status_code == 200
    assert detail.json()["report"]["verification"]["clean"] is True
    assert EMAIL not in detail.content.decode()
    listed = alpha.api(ADMIN).get("/api/v1/privacy/erasures/").json()
    assert [item["id"] for item in listed["results"]] == [str(erasure.id)]


def test_audit_rows_cannot_be_updated_or_deleted(alpha) -> None:
    with alpha.active():
        event = audit_record(action=AuditAction.LOGIN, actor=alpha.users[ADMIN])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET actor_label = 'someone else' WHERE id = %s", [event.pk])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET subject_ref = 'subj_x', target_label = 'x' WHERE id = %s", [event.pk]
            )
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
        # The pseudonymisation switch does not open other columns.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('crm.audit_pseudonymise', 'on', true)")
            cursor.execute(
                "UPDATE audit_auditevent SET action = 'auth.logout', subject_ref = 'subj_x' WHERE id = %s", [event.pk]
            )
        event.refresh_from_db()
        assert event.actor_label == alpha.email(ADMIN) and event.action == AuditAction.LOGIN
    # The platform's own trail (public schema) is guarded the same way.
    with connection.cursor() as cursor, pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        cursor.execute("DELETE FROM public.audit_auditevent")


def test_removing_a_user_keeps_their_events(alpha) -> None:
    from tenants.accounts.services import user_create

    with alpha.active():
        user = user_create(email="leaver@alpha.test", password="Another-pass-123", role="viewer")
        event = audit_record(action=AuditAction.LOGIN, actor=user)
        user.delete()
        event.refresh_from_db()
        assert event.actor_id is None and event.actor_label == "leaver@alpha.test"
