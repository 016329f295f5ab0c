"""Token lookups are cached, and nothing that should stop or change a token waits for the cache."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenants.accounts.models import AuthToken, User
from tenants.accounts.services import user_deactivate, user_update
from tenants.accounts.services.tokens import _digest, token_authenticate
from tenants.accounts.token_cache import _key
from tests.surface import ADMIN, MANAGER, REP, VIEWER

pytestmark = pytest.mark.django_db


def me(alpha, key: str):
    return alpha.api().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")


def token_queries(alpha, key: str) -> int:
    with alpha.active(), CaptureQueriesContext(connection) as queries:
        token_authenticate(raw_key=key)
    return sum('"accounts_authtoken"' in query["sql"] for query in queries.captured_queries)


def test_a_used_token_is_looked_up_once_then_read_from_the_cache(alpha) -> None:
    key = alpha.token(REP)
    assert token_queries(alpha, key) == 2  # the lookup, and recording its first use
    assert token_queries(alpha, key) == 0
    with alpha.active():
        cached = cache.get(_key(_digest(key)))
    assert cached.user.email == alpha.email(REP)
    # The password hash is not in the cache: it is deferred, loaded only if something reads it.
    assert "password" not in cached.user.__dict__


def test_the_cache_is_per_tenant(alpha, beta) -> None:
    key = alpha.token(REP)
    assert me(alpha, key).status_code == 200
    assert beta.api().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_revoking_a_cached_token_stops_it_at_once(alpha) -> None:
    key = alpha.token(MANAGER)
    assert me(alpha, key).status_code == 200
    assert alpha.api().delete("/api/v1/auth/token/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 204
    assert me(alpha, key).status_code == 401


def test_deactivating_a_user_stops_their_cached_tokens_at_once(alpha) -> None:
    keys = [alpha.token(REP), alpha.token(REP)]
    assert [me(alpha, key).status_code for key in keys] == [200, 200]
    with alpha.active():
        user_deactivate(user=alpha.users[REP], actor=alpha.users[ADMIN])
    assert [me(alpha, key).status_code for key in keys] == [401, 401]


def test_a_role_change_applies_to_the_next_request(alpha) -> None:
    key = alpha.token(MANAGER)
    lead = {"name": "Role Change", "company": "Roles Ltd"}
    api = alpha.api()
    assert api.post("/api/v1/leads/", lead, format="json", HTTP_AUTHORIZATION=f"Token {key}").status_code == 201
    with alpha.active():
        user_update(user=alpha.users[MANAGER], actor=alpha.users[ADMIN], role=VIEWER)
    assert api.post("/api/v1/leads/", lead, format="json", HTTP_AUTHORIZATION=f"Token {key}").status_code == 403
    assert me(alpha, key).json()["role"] == VIEWER


def test_deleting_a_token_or_its_user_stops_it(alpha) -> None:
    token_key, user_key = alpha.token(ADMIN), alpha.token(VIEWER)
    assert [me(alpha, key).status_code for key in (token_key, user_key)] == [200, 200]
    with alpha.active():
        AuthToken.objects.get(key_digest=_digest(token_key)).delete()
        User.objects.filter(pk=alpha.users[VIEWER].pk).get().delete()
    assert [me(alpha, key).status_code for key in (token_key, user_key)] == [401, 401]


def test_expiry_is_checked_on_every_request_even_from_the_cache(alpha, monkeypatch) -> None:
    key = alpha.token(REP)
    assert me(alpha, key).status_code == 200
    later = timezone.now() + timedelta(days=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert me(alpha, key).status_code == 401


def test_tokens_work_when_the_cache_is_down(alpha, monkeypatch) -> None:
    key = alpha.token(REP)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "set", "delete_many"):
        monkeypatch.setattr(cache, name, down)
    assert me(alpha, key).status_code == 200
    assert alpha.api().delete("/api/v1/auth/token/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 204
    assert me(alpha, key).status_code == 401


def test_the_cache_can_be_turned_off(alpha, settings) -> None:
    settings.API_TOKEN_CACHE_SECONDS = 0
    key = alpha.token(REP)
    token_queries(alpha, key)
    assert token_queries(alpha, key) == 1
    with alpha.active():
        assert cache.get(_key(_digest(key))) is None
