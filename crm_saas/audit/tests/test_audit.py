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
