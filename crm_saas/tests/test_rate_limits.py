"""API rate limits: a counter per client and window, per tenant, with a Retry-After."""

from __future__ import annotations

import pytest

from crm_saas.api import throttling
from crm_saas.api.throttling import ScopedRateLimit, UserRateLimit
from tests.surface import ADMIN, REP

pytestmark = pytest.mark.django_db

NOW = 1_899_936_000.0  # a fixed clock at the start of a day (and of a minute): no boundary mid-test


@pytest.fixture
def fixed_clock(monkeypatch) -> list[float]:
    clock = [NOW + 7.0]
    monkeypatch.setattr(throttling.time, "time", lambda: clock[0])
    return clock


def test_each_user_gets_the_rate_then_a_429_until_the_window_ends(alpha, beta, fixed_clock, monkeypatch) -> None:
    monkeypatch.setattr(UserRateLimit, "THROTTLE_RATES", {**UserRateLimit.THROTTLE_RATES, "user": "3/min"})
    rep = alpha.api(REP)
    assert [rep.get("/api/v1/leads/").status_code for _ in range(3)] == [200, 200, 200]
    limited = rep.get("/api/v1/leads/")
    assert limited.status_code == 429
    assert set(limited.json()) == {"detail", "errors"}
    assert int(limited["Retry-After"]) == 53  # the window ends 53 s after the fixed clock

    # Other users, and the same user ids in another tenant, count on their own.
    assert alpha.api(ADMIN).get("/api/v1/leads/").status_code == 200
    assert beta.api(REP).get("/api/v1/leads/").status_code == 200

    fixed_clock[0] = NOW + 60  # the next window
    assert rep.get("/api/v1/leads/").status_code == 200


def test_sign_in_is_limited_per_client_address(alpha, fixed_clock, monkeypatch) -> None:
    monkeypatch.setattr(ScopedRateLimit, "THROTTLE_RATES", {**ScopedRateLimit.THROTTLE_RATES, "auth": "2/min"})
    client = alpha.api()
    body = {"email": "nobody@alpha.test", "password": "wrong"}
    assert [client.post("/api/v1/auth/token/", body).status_code for _ in range(2)] == [400, 400]
    assert client.post("/api/v1/auth/token/", body).status_code == 429


def test_a_window_counter_is_one_redis_key_that_expires_with_its_window(alpha, fixed_clock, monkeypatch) -> None:
    from django.core.cache import caches

    monkeypatch.setattr(UserRateLimit, "THROTTLE_RATES", {**UserRateLimit.THROTTLE_RATES, "user": "5/min"})
    redis_cache = caches["default"]
    rep = alpha.api(REP)
    assert [rep.get("/api/v1/leads/").status_code for _ in range(2)] == [200, 200]
    client = redis_cache._cache.get_client(write=True)
    counters = [key for key in client.keys("*throttle_user*") if key.decode().endswith(f":{int(NOW // 60)}")]
    assert len(counters) == 1
    assert int(client.get(counters[0])) == 2
    assert 0 < client.ttl(counters[0]) <= 61


def test_other_caches_count_with_add_and_incr(alpha, fixed_clock, monkeypatch) -> None:
    from django.core.cache.backends.locmem import LocMemCache

    monkeypatch.setattr(UserRateLimit, "THROTTLE_RATES", {**UserRateLimit.THROTTLE_RATES, "user": "2/min"})
    monkeypatch.setattr(UserRateLimit, "cache", LocMemCache("throttle-test", {}))
    rep = alpha.api(REP)
    assert [rep.get("/api/v1/leads/").status_code for _ in range(3)] == [200, 200, 429]
