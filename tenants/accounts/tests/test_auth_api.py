"""POST/DELETE /api/v1/auth/token/ and GET /api/v1/me/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.testing.world import PASSWORD
from tenants.accounts.models import AuthToken
from tenants.accounts.services import user_deactivate
from tests.surface import ADMIN, REP

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_good_credentials_and_stored_only_as_a_digest(alpha) -> None:
    response = alpha.api().post("/api/v1/auth/token/", {"email": "SALES_REP@alpha.test ", "password": PASSWORD})

    assert response.status_code == 201
    key = response.json()["token"]
    assert key.startswith("crm_") and len(key) > 40
    assert response.json()["user"]["email"] == alpha.email(REP)
    with alpha.active():
        assert not AuthToken.objects.filter(key_digest=key).exists()
        assert AuthToken.objects.filter(key_prefix=key[:12]).count() == 1
        assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=alpha.users[REP]).exists()

    me = alpha.api().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200
    assert me.json()["role"] == REP
    assert me.json()["tenant"] == {"schema_name": "alpha", "name": "Alpha Corp", "domain": "alpha.localhost"}
    assert "voice:use" in me.json()["capabilities"]
    assert "users:manage" not in me.json()["capabilities"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "email"), ({"email": "admin@alpha.test"}, "password"), ({"password": "x"}, "email")],
)
def test_missing_fields_are_named(alpha, body: dict, field: str) -> None:
    response = alpha.api().post("/api/v1/auth/token/", body)
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid input."
    assert field in response.json()["errors"]


def test_wrong_password_is_refused_and_audited(alpha) -> None:
    response = alpha.api().post("/api/v1/auth/token/", {"email": alpha.email(ADMIN), "password": "nope"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "E-mail or password is incorrect, or the account is inactive.",
        "errors": {},
    }
    with alpha.active():
        assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_label=alpha.email(ADMIN)).exists()


def test_repeated_failures_lock_the_account_out_for_that_client(alpha, settings) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    client = alpha.api()
    for _ in range(3):
        assert client.post("/api/v1/auth/token/", {"email": alpha.email(ADMIN), "password": "bad"}).status_code == 400

    blocked = client.post("/api/v1/auth/token/", {"email": alpha.email(ADMIN), "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.json()["detail"]
    # Another client address is not locked out by someone else's failures.
    other = client.post(
        "/api/v1/auth/token/", {"email": alpha.email(ADMIN), "password": PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    assert other.status_code == 201


def test_revoked_expired_and_deactivated_tokens_stop_working(alpha) -> None:
    revoked, expired, deactivated = alpha.token(ADMIN), alpha.token(ADMIN), alpha.token(REP)
    api = alpha.api()
    assert api.delete("/api/v1/auth/token/", HTTP_AUTHORIZATION=f"Token {revoked}").status_code == 204
    with alpha.active():
        AuthToken.objects.filter(key_prefix=expired[:12]).update(expires_at=timezone.now() - timedelta(seconds=1))
        user_deactivate(user=alpha.users[REP], actor=alpha.users[ADMIN])

    for key in (revoked, expired, deactivated):
        response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 401
        assert response.json()["detail"] == "Invalid or expired token."


@pytest.mark.parametrize(
    "header", ["Token", "Token a b", "Token crm_unknown", "Token \u00e9t\u00e9", "Token " + "x" * 500]
)
def test_malformed_token_headers_get_401(alpha, header: str) -> None:
    response = alpha.api().get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_sign_in_page_signs_in_and_out_with_audit(alpha) -> None:
    client = alpha.web()
    response = client.post("/accounts/login/", {"email": alpha.email(ADMIN), "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302
    with alpha.active():
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.LOGIN, AuditAction.LOGOUT} <= actions


def test_sign_in_page_ignores_offsite_next(alpha) -> None:
    response = alpha.web().post(
        "/accounts/login/?next=https://evil.test/", {"email": alpha.email(ADMIN), "password": PASSWORD}
    )
    assert response["Location"] == "/"
