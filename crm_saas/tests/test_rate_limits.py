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
