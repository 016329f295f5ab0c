"""End to end with real processes: a Celery worker delivers signed webhooks to the example
receiver (docs/examples/webhook_receiver.py) and to a receiver that fails before it succeeds; the
product served by gunicorn runs concurrent duplicate POSTs exactly once."""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_saas.integrations.models import DeliveryStatus, WebhookDelivery
from crm_saas.integrations.services.api_keys import api_key_create
from crm_saas.integrations.tests.receivers import scripted_receiver
from crm_saas.testing.processes import ManagedProcess, child_env, free_port, wait_until
from crm_saas.testing.world import TenantWorld, world_build, world_drop
from leads.models import Lead
from tests.surface import ADMIN

pytestmark = pytest.mark.worker
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "webhook_receiver.py"


@pytest.fixture(scope="module")
def hooks_world(django_db_setup, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("hooks")
        try:
            yield world
        finally:
            world_drop(world)


@pytest.fixture
def world(hooks_world, celery_worker, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        yield hooks_world
        with hooks_world.active():
            from crm_saas.integrations.models import WebhookSubscription

            WebhookSubscription.objects.all().delete()


def machine_client(world: TenantWorld, scopes: list[str]):
    with world.active():
        key = api_key_create(actor=world.users[ADMIN], name="Worker test", scopes=scopes).key
    client = world.api()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def wait_for_delivery(world: TenantWorld, *, event: str, status: str, timeout: float = 30) -> WebhookDelivery:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with world.active():
            found = WebhookDelivery.objects.filter(event=event, status=status).order_by("-created_at").first()
        if found:
            return found
        time.sleep(0.1)
    with world.active():
        seen = list(WebhookDelivery.objects.values_list("event", "status", "error"))
    raise AssertionError(f"no {status} {event} delivery after {timeout}s; deliveries: {seen}")


def test_the_example_receiver_gets_a_verified_event_for_a_lead_made_with_an_api_key(world, tmp_path) -> None:
    port = free_port()
    created = world.api(ADMIN).post(
        "/api/v1/webhooks/",
        {"url": f"http://127.0.0.1:{port}/crm-events", "events": ["lead.created", "lead.updated"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    subscription = created.json()
    log = tmp_path / "events.jsonl"
    receiver = ManagedProcess(
        [sys.executable, str(EXAMPLE), "--port", str(port), "--log", str(log)],
        env=child_env(WEBHOOK_SECRET=subscription["secret"]),
        log_path=tmp_path / "receiver.log",
    )
    try:
        wait_until(lambda: "listening" in receiver.log(), timeout=15, what="example webhook receiver")
        client = machine_client(world, ["leads:write"])
        lead = client.post(
            "/api/v1/leads/", {"company": "Webhook Co", "email": "ops@webhook.test"}, format="json"
        ).json()

        wait_until(lambda: log.exists() and log.read_text().strip(), timeout=30, what="a verified event")
        (line,) = log.read_text().splitlines()
        received = json.loads(line)["event"]
        assert received["type"] == "lead.created"
        assert received["workspace"] == world.schema
        assert received["data"]["lead"]["id"] == lead["id"]
        assert received["data"]["lead"]["email"] == "ops@webhook.test"
        delivery = wait_for_delivery(world, event="lead.created", status=DeliveryStatus.SUCCEEDED)
        assert delivery.response_status == 200 and delivery.attempts == 1
        assert str(delivery.event_id) == received["id"]

        # A forged request (wrong secret) is refused by the receiver.
        forged = urllib.request.Request(
            f"http://127.0.0.1:{port}/crm-events",
            data=b'{"id": "x", "type": "lead.created"}',
            headers={"X-CRM-Timestamp": str(int(time.time())), "X-CRM-Signature": "sha256=" + "0" * 64},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=5)  # noqa: S310 - loopback
        assert refused.value.code == 401

        # Manual redelivery reaches the receiver with the same event id, which it drops as a duplicate.
        redelivered = world.api(ADMIN).post(f"/api/v1/webhooks/deliveries/{delivery.pk}/redeliver/")
        assert redelivered.status_code == 202
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with world.active():
                copy = WebhookDelivery.objects.get(pk=redelivered.json()["id"])
            if copy.status == DeliveryStatus.SUCCEEDED:
                break
            time.sleep(0.1)
        assert copy.status == DeliveryStatus.SUCCEEDED and copy.event_id == delivery.event_id
        assert len(log.read_text().splitlines()) == 1
    finally:
        receiver.stop()


def test_a_failing_receiver_is_retried_on_the_ladder_until_it_succeeds(world) -> None:
    # Test settings make the ladder 1 s per step (CRM_WEBHOOK_RETRY_DELAYS); production waits minutes.
    with scripted_receiver([500, 503, 200]) as receiver:
        response = world.api(ADMIN).post(
            "/api/v1/webhooks/", {"url": receiver.url, "events": ["lead.created"]}, format="json"
        )
        assert response.status_code == 201
        world.api(ADMIN).post("/api/v1/leads/", {"company": "Retry Co"}, format="json")

        delivery = wait_for_delivery(world, event="lead.created", status=DeliveryStatus.SUCCEEDED, timeout=45)
        requests = receiver.wait_for(3)
    assert delivery.attempts == 3 and delivery.response_status == 200 and delivery.error == ""
    assert len(requests) == 3
    assert len({request.headers["X-CRM-Delivery"] for request in requests}) == 1
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(requests)]
    assert all(gap >= 0.9 for gap in gaps), gaps
    with world.active():
        assert WebhookDelivery.objects.get(pk=delivery.pk).subscription.consecutive_failures == 0


def test_concurrent_duplicate_posts_run_once(world, web_server) -> None:
    with world.active():
        key = api_key_create(actor=world.users[ADMIN], name="Concurrent", scopes=["leads:write"]).key
    url = f"http://127.0.0.1:{web_server}/api/v1/leads/"

    def post(idempotency_key: str, company: str, results: list, barrier: threading.Barrier) -> None:
        request = urllib.request.Request(
            url,
            data=json.dumps({"company": company}).encode(),
            method="POST",
            headers={
                "Host": world.host,
                "Content-Type": "application/json",
                "Authorization": f"Api-Key {key}",
                "Idempotency-Key": idempotency_key,
            },
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                results.append((response.status, json.loads(response.read())))
        except urllib.error.HTTPError as error:
            results.append((error.code, json.loads(error.read())))

    for round_number in range(4):
        company = f"Concurrent {round_number} Co"
        results: list = []
        barrier = threading.Barrier(3)
        threads = [
            threading.Thread(target=post, args=(f"dup-{round_number}", company, results, barrier)) for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(status for status, _ in results)
        assert set(statuses) <= {201, 409} and 201 in statuses, results
        created_ids = {body["id"] for status, body in results if status == 201}
        assert len(created_ids) == 1, results
        with world.active():
            assert Lead.objects.filter(company=company).count() == 1
        # Once the first has finished, a retry is answered from the record.
        retry: list = []
        post(f"dup-{round_number}", company, retry, threading.Barrier(1))
        assert retry[0][0] == 201 and retry[0][1]["id"] in created_ids
