"""Stages kept fresh end to end: API calls queue tasks that a real Celery worker runs in the
tenant's schema (an event refreshes that customer; new rules recompute everyone)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from crm_saas.testing.world import TenantWorld, world_build, world_drop
from lifecycle.models import Customer
from lifecycle.stages import service
from lifecycle.tests.factories import make_customer
from tests.surface import ADMIN, REP

pytestmark = pytest.mark.worker


@pytest.fixture
def staging_world(celery_worker, s3_storage, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("wkr_stages")
        try:
            yield world
        finally:
            world_drop(world)


def wait_for(check: Callable[[], bool], *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.25)


def test_events_and_rule_changes_reach_stages_through_the_worker(staging_world: TenantWorld, monkeypatch) -> None:
    monkeypatch.setattr(service, "REFRESH_DELAY_SECONDS", 0)  # no need to wait out the debounce here
    with staging_world.active():
        customer = make_customer(actor=staging_world.users[REP], days_ago=200)
        Customer.objects.filter(pk=customer.pk).update(stage=None)

    def stage() -> str | None:
        with staging_world.active():
            return Customer.objects.get(pk=customer.pk).stage

    def reason() -> str:
        with staging_world.active():
            return Customer.objects.get(pk=customer.pk).stage_reason

    yesterday = (timezone.now() - timedelta(days=1)).isoformat()
    added = staging_world.api(REP).post(
        f"/api/v1/customers/{customer.pk}/events/", {"kind": "payment_failed", "occurred_at": yesterday}
    )
    assert added.status_code == 201, added.content
    wait_for(lambda: stage() == "at_risk")
    assert reason().startswith("1 failed payment in the last 60 days")

    changed = staging_world.api(ADMIN).patch(
        "/api/v1/customers/stage-rules/", {"payment_failures": 0, "inactive_days": 0}
    )
    assert changed.status_code == 200, changed.content
    wait_for(lambda: stage() == "active")
    with staging_world.active():
        history = list(
            Customer.objects.get(pk=customer.pk).stage_changes.order_by("changed_at").values_list("stage", flat=True)
        )
    assert history == ["new", "active"]  # replayed under the new rules
