"""API keys: shown once and stored hashed, scopes that really restrict, the tenant's host only,
expiry, revocation, last use and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from crm_saas.audit.models import AuditEvent
from crm_saas.integrations.models import ApiKey
from crm_saas.integrations.services.api_keys import api_key_create
from crm_saas.testing.world import TenantWorld
from leads.models import Lead
from tests.surface import ADMIN, MANAGER, REP

pytestmark = pytest.mark.django_db


def key_client(world: TenantWorld, key: str, *, host: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=host or world.host)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def issue(world: TenantWorld, scopes: list[str], **options) -> str:
    with world.active():
        return api_key_create(actor=world.users[ADMIN], name="Sync", scopes=scopes, **options).key


def test_admin_creates_a_key_shown_once_and_stored_hashed(alpha) -> None:
    response = alpha.api(ADMIN).post(
        "/api/v1/api-keys/", {"name": "ERP sync", "scopes": ["leads:write", "leads:read"]}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    key = body["key"]
    assert key.startswith("crmk_") and body["key_prefix"] == key[:12]
    assert body["scopes"] == ["leads:read", "leads:write"]
    assert body["state"] == "active"
    with alpha.active():
        stored = ApiKey.objects.get(pk=body["id"])
        assert key not in (stored.key_digest, stored.key_prefix)
        event = AuditEvent.objects.get(action="api_key.created", target_id=str(stored.pk))
        assert event.actor == alpha.users[ADMIN]
        assert event.metadata["scopes"] == ["leads:read", "leads:write"]
    listed = alpha.api(ADMIN).get("/api/v1/api-keys/").json()["results"]
    assert all("key" not in item for item in listed)
    detail = alpha.api(ADMIN).get(f"/api/v1/api-keys/{body['id']}/").json()
    assert "key" not in detail and detail["name"] == "ERP sync"


def test_bad_scopes_and_names_are_clear_400s(alpha) -> None:
    client = alpha.api(ADMIN)
    unknown = client.post("/api/v1/api-keys/", {"name": "x", "scopes": ["leads:everything"]}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"scopes.0": ['"leads:everything" is not a valid choice.']}
    empty = client.post("/api/v1/api-keys/", {"name": "x", "scopes": []}, format="json")
    assert empty.status_code == 400
    past = client.post(
        "/api/v1/api-keys/",
        {"name": "x", "scopes": ["leads:read"], "expires_at": (timezone.now() - timedelta(days=1)).isoformat()},
        format="json",
    )
    assert past.status_code == 400
    assert past.json()["errors"] == {"expires_at": ["The expiry date must be in the future."]}


def test_only_admins_manage_keys(alpha) -> None:
    for role in (MANAGER, REP):
        response = alpha.api(role).post("/api/v1/api-keys/", {"name": "x", "scopes": ["leads:read"]}, format="json")
        assert response.status_code == 403


def test_a_key_works_on_its_tenant_and_updates_last_used(alpha) -> None:
    key = issue(alpha, ["leads:read"])
    response = key_client(alpha, key).get("/api/v1/leads/")
    assert response.status_code == 200
    me = key_client(alpha, key).get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["user"]["email"] == alpha.email(ADMIN)
    with alpha.active():
        assert ApiKey.objects.get().last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(alpha) -> None:
    key = issue(alpha, ["leads:read"])
    client = key_client(alpha, key)
    client.get("/api/v1/me/")
    with alpha.active():
        first = ApiKey.objects.get().last_used_at
    client.get("/api/v1/me/")
    with alpha.active():
        assert ApiKey.objects.get().last_used_at == first
        # Machine access is in the audit log as often as last_used_at moves, with the endpoint.
        used = list(AuditEvent.objects.filter(action="api_key.used"))
        key_row = ApiKey.objects.get()
    assert len(used) == 1
    assert used[0].metadata["key_id"] == str(key_row.pk) and used[0].metadata["path"] == "/api/v1/me/"
    assert used[0].actor_label == f"API key {key_row.name}"


def test_scopes_restrict_what_a_key_can_do(alpha) -> None:
    reader = key_client(alpha, issue(alpha, ["leads:read"]))
    denied = reader.post("/api/v1/leads/", {"company": "Key Co"}, format="json")
    assert denied.status_code == 403
    assert denied.json()["detail"] == "This API key lacks the scope this action needs: leads:write."
    with alpha.active():
        assert not Lead.objects.filter(company="Key Co").exists()

    writer = key_client(alpha, issue(alpha, ["leads:write"]))
    created = writer.post("/api/v1/leads/", {"company": "Key Co"}, format="json")
    assert created.status_code == 201
    with alpha.active():
        assert Lead.objects.get(company="Key Co").owner == alpha.users[ADMIN]  # acts as its creator

    # leads:write reaches leads only: customers, voice, training and the team need their own scopes.
    assert writer.post("/api/v1/customers/", {"name": "C"}, format="json").status_code == 403
    assert writer.get("/api/v1/customers/").json()["detail"].endswith("customers:read or customers:write.")
    assert writer.get("/api/v1/voice/logs/").status_code == 403
    assert writer.post("/api/v1/leads/score/train-model").json()["detail"].endswith("models:train.")
    team = writer.get("/api/v1/users/")
    assert team.status_code == 403 and team.json()["detail"] == "API keys cannot be used for this action."


def test_a_key_cannot_manage_api_keys_even_with_every_scope(alpha) -> None:
    from crm_saas.integrations.scopes import SCOPE_NAMES

    client = key_client(alpha, issue(alpha, SCOPE_NAMES))
    response = client.post("/api/v1/api-keys/", {"name": "child", "scopes": ["leads:read"]}, format="json")
    assert response.status_code == 403
    assert "API keys cannot be used here" in response.json()["detail"]
    assert client.get("/api/v1/webhooks/").status_code == 200  # webhooks:manage is a real scope


def test_a_key_never_exceeds_its_creators_role(alpha) -> None:
    """The scope narrows a role; a manager-created key cannot manage settings, and an admin who
    loses the role takes the key's powers with them."""
    key = issue(alpha, ["leads:write"])
    with alpha.active():
        admin = alpha.users[ADMIN]
        admin.role = REP
        admin.save(update_fields=["role"])
    try:
        client = key_client(alpha, key)
        # A rep may create leads but not import them (records:write_all).
        assert client.post("/api/v1/leads/", {"company": "Rep Co"}, format="json").status_code == 201
        assert client.post("/api/v1/leads/import/", {}, format="multipart").status_code == 403
    finally:
        with alpha.active():
            admin.role = ADMIN
            admin.save(update_fields=["role"])


def test_tenant_a_key_is_rejected_on_tenant_b_host(alpha, beta) -> None:
    key = issue(alpha, ["leads:read"])
    response = key_client(alpha, key, host=beta.host).get("/api/v1/leads/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid, expired or revoked API key."
    assert b"alpha" not in response.content.lower()


def test_expired_and_revoked_keys_are_refused(alpha) -> None:
    expiring = issue(alpha, ["leads:read"], expires_at=timezone.now() + timedelta(hours=1))
    client = key_client(alpha, expiring)
    assert client.get("/api/v1/leads/").status_code == 200
    with alpha.active():
        ApiKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/leads/").status_code == 401

    key = issue(alpha, ["leads:read"])
    with alpha.active():
        key_id = ApiKey.objects.get(key_prefix=key[:12]).pk
    revoked = alpha.api(ADMIN).post(f"/api/v1/api-keys/{key_id}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    refused = key_client(alpha, key).get("/api/v1/leads/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    with alpha.active():
        assert AuditEvent.objects.filter(action="api_key.revoked", target_id=str(key_id)).count() == 1
    # Revoking twice is harmless and writes no second audit entry.
    alpha.api(ADMIN).post(f"/api/v1/api-keys/{key_id}/revoke/")
    with alpha.active():
        assert AuditEvent.objects.filter(action="api_key.revoked", target_id=str(key_id)).count() == 1


def test_a_deactivated_creator_takes_the_key_down(alpha) -> None:
    with alpha.active():
        key = api_key_create(actor=alpha.users[ADMIN], name="x", scopes=["leads:read"]).api_key
        ApiKey.objects.filter(pk=key.pk).update(created_by=alpha.users[MANAGER])
        manager = alpha.users[MANAGER]
        manager.is_active = False
        manager.save(update_fields=["is_active"])
    try:
        raw = issue(alpha, ["leads:read"])
        with alpha.active():
            ApiKey.objects.filter(key_prefix=raw[:12]).update(created_by=manager)
        assert key_client(alpha, raw).get("/api/v1/leads/").status_code == 401
    finally:
        with alpha.active():
            manager.is_active = True
            manager.save(update_fields=["is_active"])


@pytest.mark.parametrize("header", ["Api-Key", "Api-Key a b", "Api-Key crmk_nope"])
def test_malformed_or_unknown_keys_are_401(alpha, header: str) -> None:
    client = APIClient(HTTP_HOST=alpha.host)
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/leads/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_admin_page_shows_a_new_key_once_and_revokes(alpha) -> None:
    web = alpha.web(ADMIN)
    created = web.post("/integrations/api-keys/", {"name": "Page key", "scopes": ["leads:read", "voice:write"]})
    assert created.status_code == 302  # a reload of the next page cannot create a second key
    page = web.get(created["Location"])
    with alpha.active():
        key = ApiKey.objects.get(name="Page key")
    shown = page.context["issued"]["key"]
    assert shown.encode() in page.content and shown.startswith(key.key_prefix)
    again = web.get("/integrations/api-keys/")
    assert shown.encode() not in again.content and key.key_prefix.encode() in again.content
    assert key_client(alpha, shown).get("/api/v1/voice/logs/").status_code == 200

    assert web.post(f"/integrations/api-keys/{key.pk}/revoke/").status_code == 302
    assert key_client(alpha, shown).get("/api/v1/voice/logs/").status_code == 401
    invalid = web.post("/integrations/api-keys/", {"name": "", "scopes": []})
    assert b"This field is required." in invalid.content
