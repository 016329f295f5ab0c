from __future__ import annotations

import pytest

from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.audit.services import audit_record
from tests.surface import ADMIN

pytestmark = pytest.mark.django_db


def test_audit_events_are_append_only(alpha) -> None:
    with alpha.active():
        event = audit_record(action=AuditAction.LOGIN, actor=alpha.users[ADMIN])
        event.actor_label = "someone else"
        with pytest.raises(RuntimeError, match="append-only"):
            event.save()
        assert AuditEvent.objects.get(pk=event.pk).actor_label == alpha.email(ADMIN)


def test_audit_api_filters_by_action_and_actor(alpha) -> None:
    alpha.api().post("/api/v1/auth/token/", {"email": alpha.email(ADMIN), "password": "wrong"})
    client = alpha.api(ADMIN)
    failed = client.get("/api/v1/audit-events/", {"action": "auth.login_failed"}).json()
    assert failed["count"] == 1
    assert failed["results"][0]["actor_label"] == alpha.email(ADMIN)
    assert failed["results"][0]["ip_address"] == "127.0.0.1"
    mine = client.get("/api/v1/audit-events/", {"actor": alpha.users[ADMIN].pk}).json()
    assert mine["count"] >= 1
    assert all(event["actor"] == alpha.users[ADMIN].pk for event in mine["results"])


def test_audit_page_lists_and_filters(alpha) -> None:
    alpha.api().post("/api/v1/auth/token/", {"email": alpha.email(ADMIN), "password": "wrong"})
    page = alpha.web(ADMIN).get("/audit/", {"action": "auth.login_failed"})
    assert page.status_code == 200
    assert b"Failed sign-in" in page.content
    assert alpha.email(ADMIN).encode() in page.content


def test_audit_api_and_page_filter_by_person_pseudonym(alpha) -> None:
    with alpha.active():
        audit_record(
            action=AuditAction.VOICE_PLAYED, actor=alpha.users[ADMIN], target_label="x", subject_ref="subj_abc"
        )
        audit_record(action=AuditAction.VOICE_PLAYED, actor=alpha.users[ADMIN], target_label="y")
    about = alpha.api(ADMIN).get("/api/v1/audit-events/", {"subject": "subj_abc"}).json()
    assert about["count"] == 1 and about["results"][0]["subject_ref"] == "subj_abc"
    page = alpha.web(ADMIN).get("/audit/", {"subject": "subj_abc"})
    assert page.status_code == 200 and b'href="?subject=subj_abc"' in page.content


def test_api_key_use_is_recorded_without_the_secret(alpha) -> None:
    from django.test import RequestFactory

    from crm_saas.audit.services import audit_api_key_used

    request = RequestFactory().get("/api/v1/leads/", REMOTE_ADDR="10.1.2.3")
    with alpha.active():
        event = audit_api_key_used(request=request, key_id=7, key_label="Zapier sync", scopes=["leads:read"])
    assert event.action == AuditAction.API_KEY_USED
    assert event.metadata == {"key_id": "7", "method": "GET", "path": "/api/v1/leads/", "scopes": ["leads:read"]}
    assert event.ip_address == "10.1.2.3" and event.actor_label == "API key Zapier sync"
