"""The host -> tenant lookup is cached, and every change of a tenant or domain drops it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import Domain
from tenants.services import tenant_deactivate, tenant_reactivate
from tests.surface import ADMIN

pytestmark = pytest.mark.django_db


def domain_lookups(captured: CaptureQueriesContext) -> int:
    return sum('WHERE "tenants_domain"."domain" =' in query["sql"] for query in captured.captured_queries)


def test_the_second_request_is_routed_without_a_query(alpha) -> None:
    api = alpha.api(ADMIN)
    with CaptureQueriesContext(connection) as first:
        assert api.get("/api/v1/me/").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert api.get("/api/v1/me/").status_code == 200
    assert domain_lookups(first) == 1
    assert domain_lookups(second) == 0


def test_deactivation_reactivation_and_domain_changes_take_effect_at_once(alpha) -> None:
    api = alpha.api(ADMIN)
    assert api.get("/api/v1/me/").status_code == 200  # cached now
    tenant_deactivate(tenant=alpha.tenant)
    assert api.get("/api/v1/me/").status_code == 404
    tenant_reactivate(tenant=alpha.tenant)
    assert api.get("/api/v1/me/").status_code == 200

    Domain.objects.filter(domain=alpha.host).delete()  # the host no longer routes anywhere
    gone = api.get("/api/v1/me/")
    assert gone.status_code == 404 and gone.json()["detail"] == "No active workspace at this address."


def test_requests_are_routed_when_the_cache_is_unreachable(alpha, monkeypatch) -> None:
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    assert alpha.api(ADMIN).get("/api/v1/me/").status_code == 200
