"""Guessing passwords gets blocked (per account and address pair, per account from any address,
per address across accounts), and every way of setting a password refuses weak ones."""

from __future__ import annotations

import pytest
from django.conf import settings

from crm_saas.audit.models import AuditAction, AuditEvent
from crm_saas.testing.world import PASSWORD
from tenants.accounts.models import User
from tenants.accounts.services import user_create
from tenants.accounts.services.users import password_set_path
from tests.surface import ADMIN, REP

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def fail(client, email: str, address: str, password: str = "wrong-guess-123") -> int:  # noqa: S107
    return client.post(TOKEN_URL, {"email": email, "password": password}, REMOTE_ADDR=address).status_code


def test_limits_are_configured_sensibly() -> None:
    assert settings.LOGIN_FAILURE_LIMIT <= settings.LOGIN_ACCOUNT_FAILURE_LIMIT <= settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert settings.LOGIN_FAILURE_WINDOW_SECONDS >= 300


def test_the_sign_in_page_blocks_a_guessing_client_even_with_the_right_password(alpha, settings) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    page = alpha.web()
    for _ in range(3):
        response = page.post("/accounts/login/", {"email": alpha.email(REP), "password": "guess-guess-1"})
        assert response.status_code == 200 and b"incorrect" in response.content
    blocked = page.post("/accounts/login/", {"email": alpha.email(REP), "password": PASSWORD})
    assert blocked.status_code == 429
    assert b"Too many failed sign-in attempts" in blocked.content
    assert "_auth_user_id" not in blocked.wsgi_request.session
    with alpha.active():
        assert AuditEvent.objects.filter(action=AuditAction.LOGIN_BLOCKED, actor_label=alpha.email(REP)).exists()


def test_one_account_guessed_from_many_addresses_is_blocked(alpha, settings) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 6
    api = alpha.api()
    for attempt in range(6):  # two per address: the pair limit alone never trips
        assert fail(api, alpha.email(ADMIN), f"198.51.100.{attempt // 2}") == 400
    assert fail(api, alpha.email(ADMIN), "203.0.113.77", password=PASSWORD) == 429
    # Other accounts are unaffected.
    assert fail(api, alpha.email(REP), "203.0.113.77", password=PASSWORD) == 201


def test_one_address_spraying_many_accounts_is_blocked(alpha, settings) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    api = alpha.api()
    for number in range(5):  # a different (made-up) account each time
        assert fail(api, f"user{number}@alpha.test", "192.0.2.10") == 400
    assert fail(api, alpha.email(REP), "192.0.2.10", password=PASSWORD) == 429
    assert fail(api, alpha.email(REP), "192.0.2.11", password=PASSWORD) == 201


def test_forwarded_for_is_only_believed_from_a_trusted_proxy(alpha, settings) -> None:
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    api = alpha.api()
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(2):
        response = api.post(
            TOKEN_URL,
            {"email": alpha.email(ADMIN), "password": "bad-guess-99"},
            HTTP_X_FORWARDED_FOR="203.0.113.5",
            **via_proxy,
        )
        assert response.status_code == 400
    # The real client behind the proxy is blocked; another client behind the same proxy is not.
    blocked = api.post(
        TOKEN_URL, {"email": alpha.email(ADMIN), "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.5", **via_proxy
    )
    assert blocked.status_code == 429
    other = api.post(
        TOKEN_URL, {"email": alpha.email(ADMIN), "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.6", **via_proxy
    )
    assert other.status_code == 201
    # A client talking directly cannot escape its own count by sending the header.
    for _ in range(2):
        fail(api, alpha.email(REP), "192.0.2.50")
    spoofed = api.post(
        TOKEN_URL,
        {"email": alpha.email(REP), "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="10.1.1.1",
        REMOTE_ADDR="192.0.2.50",
    )
    assert spoofed.status_code == 429


def test_failures_in_one_tenant_do_not_block_the_same_address_in_another(alpha, beta, settings) -> None:
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    for _ in range(2):
        fail(alpha.api(), alpha.email(ADMIN), "192.0.2.99")
    assert fail(alpha.api(), alpha.email(ADMIN), "192.0.2.99", password=PASSWORD) == 429
    assert fail(beta.api(), beta.email(ADMIN), "192.0.2.99", password=PASSWORD) == 201


WEAK = {
    "short": "Xy7#kq",  # under the minimum length
    "common": "password1234",
    "numeric": "83920174659321",
    "similar": "newhire@alpha.test",  # the e-mail address itself
}
REASON = {"short": "too short", "common": "too common", "numeric": "entirely numeric", "similar": "too similar"}


def test_password_validators_are_configured() -> None:
    names = {entry["NAME"].rsplit(".", 1)[-1]: entry for entry in settings.AUTH_PASSWORD_VALIDATORS}
    assert set(names) >= {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
    assert names["MinimumLengthValidator"]["OPTIONS"]["min_length"] >= 10


@pytest.mark.parametrize("kind", sorted(WEAK))
def test_api_user_creation_refuses_weak_passwords(alpha, kind: str) -> None:
    response = alpha.api(ADMIN).post(
        "/api/v1/users/", {"email": "newhire@alpha.test", "role": REP, "password": WEAK[kind], "full_name": "New Hire"}
    )
    assert response.status_code == 400, response.content
    assert REASON[kind] in " ".join(response.json()["errors"]["password"])
    with alpha.active():
        assert not User.objects.filter(email="newhire@alpha.test").exists()


@pytest.mark.parametrize("kind", sorted(WEAK))
def test_invitation_password_page_refuses_weak_passwords(alpha, kind: str) -> None:
    with alpha.active():
        user = user_create(email="newhire@alpha.test", role=REP, full_name="New Hire")
        path = password_set_path(user=user)
    response = alpha.web().post(path, {"password": WEAK[kind], "password_again": WEAK[kind]})
    assert response.status_code == 200
    assert REASON[kind] in response.content.decode()
    with alpha.active():
        user.refresh_from_db()
        assert not user.has_usable_password()

    strong = "Plum-orchard-ladder-42"
    accepted = alpha.web().post(path, {"password": strong, "password_again": strong})
    assert accepted.status_code == 302
    with alpha.active():
        user.refresh_from_db()
        assert user.check_password(strong)


@pytest.mark.parametrize("kind", sorted(WEAK))
def test_users_page_invite_with_password_refuses_weak_passwords(alpha, kind: str) -> None:
    response = alpha.web(ADMIN).post(
        "/accounts/users/",
        {
            "action": "invite",
            "email": "newhire@alpha.test",
            "role": REP,
            "full_name": "New Hire",
            "password": WEAK[kind],
        },
    )
    assert response.status_code in {200, 400}
    assert REASON[kind] in response.content.decode()
    with alpha.active():
        assert not User.objects.filter(email="newhire@alpha.test").exists()
