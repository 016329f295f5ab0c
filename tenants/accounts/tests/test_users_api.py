"""Tenant admins manage users: /api/v1/users/ and the invitation flow."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.testing.world import PASSWORD
from tenants.accounts.models import AuthToken, User
from tests.surface import ADMIN, MANAGER, REP, VIEWER

pytestmark = pytest.mark.django_db


def test_admin_creates_a_user_with_a_password(alpha) -> None:
    response = alpha.api(ADMIN).post(
        "/api/v1/users/", {"email": "New@Example.test", "role": MANAGER, "full_name": "Nia", "password": PASSWORD}
    )
    assert response.status_code == 201
    assert response.json()["email"] == "new@example.test"
    token = alpha.api().post("/api/v1/auth/token/", {"email": "new@example.test", "password": PASSWORD})
    assert token.status_code == 201


def test_invited_user_chooses_a_password_from_the_emailed_link(alpha) -> None:
    response = alpha.api(ADMIN).post("/api/v1/users/", {"email": "invitee@example.test", "role": VIEWER})
    assert response.status_code == 201
    assert len(mail.outbox) == 1
    link = re.search(r"http://alpha\.localhost/accounts/password/\S+/", mail.outbox[0].body).group(0)
    path = link.removeprefix("http://alpha.localhost")

    page = alpha.web()
    assert page.get(path).status_code == 200
    weak = page.post(path, {"password": "123", "password_again": "123"})
    assert weak.status_code == 200 and b"too short" in weak.content
    done = page.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    assert done.status_code == 302
    # The link works once.
    assert page.get(path).status_code == 400
    assert (
        alpha.api().post("/api/v1/auth/token/", {"email": "invitee@example.test", "password": PASSWORD}).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"email": "admin@alpha.test", "role": VIEWER, "password": PASSWORD}, 409, "email"),
        ({"email": "bad-address", "role": VIEWER}, 400, "email"),
        ({"email": "x@example.test", "role": "owner"}, 400, "role"),
        ({"email": "x@example.test", "role": VIEWER, "password": "short"}, 400, "password"),
        ({"role": VIEWER}, 400, "email"),
    ],
)
def test_bad_user_input_gets_a_field_error(alpha, body: dict, status: int, field: str) -> None:
    with alpha.active():
        before = User.objects.count()
    response = alpha.api(ADMIN).post("/api/v1/users/", body)
    assert response.status_code == status
    assert field in response.json()["errors"], response.json()
    with alpha.active():
        assert User.objects.count() == before


def test_role_change_is_audited(alpha) -> None:
    rep = alpha.users[REP]
    response = alpha.api(ADMIN).patch(f"/api/v1/users/{rep.pk}/", {"role": MANAGER})
    assert response.status_code == 200 and response.json()["role"] == MANAGER
    with alpha.active():
        event = AuditEvent.objects.get(action=AuditAction.USER_ROLE_CHANGED)
    assert event.metadata == {"from": REP, "to": MANAGER}
    assert event.actor_id == alpha.users[ADMIN].pk


def test_the_last_admin_cannot_be_demoted_or_deactivated(alpha) -> None:
    admin = alpha.users[ADMIN]
    client = alpha.api(ADMIN)
    demote = client.patch(f"/api/v1/users/{admin.pk}/", {"role": VIEWER})
    assert demote.status_code == 400
    assert "at least one active admin" in demote.json()["detail"]
    itself = client.patch(f"/api/v1/users/{admin.pk}/", {"is_active": False})
    assert itself.status_code == 400
    assert itself.json()["errors"] == {"is_active": ["You cannot deactivate yourself."]}


def test_deactivation_revokes_tokens_and_reactivation_restores_sign_in(alpha) -> None:
    rep = alpha.users[REP]
    rep_token = alpha.token(REP)
    client = alpha.api(ADMIN)
    assert client.patch(f"/api/v1/users/{rep.pk}/", {"is_active": False}).json()["is_active"] is False
    assert alpha.api().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {rep_token}").status_code == 401
    with alpha.active():
        assert not AuthToken.objects.filter(user=rep, revoked_at__isnull=True).exists()
    assert alpha.api().post("/api/v1/auth/token/", {"email": rep.email, "password": PASSWORD}).status_code == 400

    assert client.patch(f"/api/v1/users/{rep.pk}/", {"is_active": True}).json()["is_active"] is True
    assert alpha.api().post("/api/v1/auth/token/", {"email": rep.email, "password": PASSWORD}).status_code == 201


def test_user_list_filters_paginates_and_runs_a_fixed_number_of_queries(alpha) -> None:
    client = alpha.api(ADMIN)
    response = client.get("/api/v1/users/", {"role": VIEWER})
    assert [u["email"] for u in response.json()["results"]] == [alpha.email(VIEWER)]
    page = client.get("/api/v1/users/", {"page_size": 2})
    assert page.json()["count"] == 4 and len(page.json()["results"]) == 2 and page.json()["next"]

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/users/", {"page_size": 100}).status_code == 200
        return len(queries)

    queries_for_listing()  # warm-up: the first request also records the token's use
    few = queries_for_listing()
    with alpha.active():
        User.objects.bulk_create([User(email=f"bulk{index}@example.test", role=REP) for index in range(30)])
    assert queries_for_listing() == few  # no query per user
    assert few <= 8


@pytest.mark.parametrize("user_id", ["999999", "0"])
def test_unknown_user_is_404(alpha, user_id: str) -> None:
    response = alpha.api(ADMIN).get(f"/api/v1/users/{user_id}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "User not found.", "errors": {}}
