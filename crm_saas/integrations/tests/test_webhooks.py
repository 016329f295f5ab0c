"""Webhooks in one process: subscriptions, SSRF refusals, emitting with the transaction, signed
attempts, the retry ladder, automatic switching off and redelivery."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from crm_saas.audit.models import AuditEvent
from crm_saas.integrations.events import webhook_event_emit
from crm_saas.integrations.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from crm_saas.integrations.services.webhooks import (
    delivery_attempt,
    subscription_create,
)
from crm_saas.integrations.signing import signature_compute, signature_verify
from crm_saas.integrations.tests.receivers import scripted_receiver
from crm_saas.testing.world import TenantWorld
from docs.examples.webhook_receiver import verify as example_verify
from leads.models import Lead
from tests.surface import ADMIN, MANAGER

pytestmark = pytest.mark.django_db


def subscribe(world: TenantWorld, url: str, events: list[str]) -> WebhookSubscription:
    with world.active():
        return subscription_create(actor=world.users[ADMIN], url=url, events=events)


def test_admin_subscribes_through_the_api_and_gets_the_secret(alpha) -> None:
    client = alpha.api(ADMIN)
    response = client.post(
        "/api/v1/webhooks/", {"url": "https://hooks.example.test/crm", "events": ["lead.created"]}, format="json"
    )
    # Development and test settings allow any host; this one does not resolve, which is fine until delivery.
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["is_active"] is True
    listed = client.get("/api/v1/webhooks/").json()["results"]
    assert [item["id"] for item in listed] == [body["id"]] and "secret" not in listed[0]
    events = client.get("/api/v1/webhooks/events/").json()
    assert {"name": "model.trained", "description": events[-1]["description"]} == events[-1]
    assert alpha.api(MANAGER).get("/api/v1/webhooks/").status_code == 403

    rotated = client.patch(f"/api/v1/webhooks/{body['id']}/", {"rotate_secret": True}, format="json").json()
    assert rotated["secret"] != body["secret"]
    with alpha.active():
        assert AuditEvent.objects.filter(action="webhook.created").count() == 1
        assert AuditEvent.objects.get(action="webhook.updated").metadata == {"changed": ["secret"]}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.test/x", "Only http:// and https:// URLs can receive webhooks."),
        ("http://user:pw@example.test/", "Put credentials in the signing secret, not in the URL."),
    ],
)
def test_only_plain_http_urls_are_accepted(alpha, url: str, message: str) -> None:
    response = alpha.api(ADMIN).post("/api/v1/webhooks/", {"url": url, "events": ["lead.created"]}, format="json")
    assert response.status_code == 400
    assert message in json.dumps(response.json())


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost:9000/hook",
        "http://0.0.0.0/",
    ],
)
def test_production_refuses_private_loopback_and_link_local_targets(alpha, settings, url: str) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    response = alpha.api(ADMIN).post("/api/v1/webhooks/", {"url": url, "events": ["lead.created"]}, format="json")
    assert response.status_code == 400, response.content
    assert "public addresses" in response.json()["detail"]
    with alpha.active():
        assert not WebhookSubscription.objects.exists()


def test_a_public_address_is_accepted_in_production(alpha, settings) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    response = alpha.api(ADMIN).post(
        "/api/v1/webhooks/", {"url": "https://93.184.215.14/hook", "events": ["lead.created"]}, format="json"
    )
    assert response.status_code == 201


def test_the_address_is_checked_again_at_delivery_time(alpha, settings) -> None:
    """A name that resolved to a public address when saved may point inward later (DNS rebinding):
    the attempt resolves again and refuses, without sending anything."""
    with scripted_receiver([200]) as receiver:
        subscription = subscribe(alpha, receiver.url.replace("127.0.0.1", "localhost"), ["lead.created"])
        settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
        with alpha.active():
            webhook_event_emit("lead.created", {"lead": {"id": 1}})
            delivery = WebhookDelivery.objects.get(subscription=subscription)
            result = delivery_attempt(delivery_id=str(delivery.pk), attempt=1)
        assert receiver.requests == []
    assert result.delivery.status == DeliveryStatus.RETRYING
    assert "resolves to a private, loopback or link-local address (127.0.0.1)" in result.delivery.error


def test_creating_a_lead_queues_a_delivery_only_for_subscribers_of_that_event(alpha) -> None:
    created = subscribe(alpha, "http://127.0.0.1:9/a", ["lead.created"])
    subscribe(alpha, "http://127.0.0.1:9/b", ["model.trained"])
    off = subscribe(alpha, "http://127.0.0.1:9/c", ["lead.created"])
    with alpha.active():
        WebhookSubscription.objects.filter(pk=off.pk).update(is_active=False)

    response = alpha.api(ADMIN).post("/api/v1/leads/", {"company": "Hooked Co", "email": "a@hooked.test"})
    assert response.status_code == 201
    with alpha.active():
        delivery = WebhookDelivery.objects.get()
    assert delivery.subscription_id == created.pk
    assert delivery.event == "lead.created"
    assert delivery.payload["type"] == "lead.created"
    assert delivery.payload["workspace"] == "alpha"
    assert delivery.payload["data"]["lead"]["company"] == "Hooked Co"
    assert delivery.payload["data"]["lead"]["id"] == response.json()["id"]


def test_a_rolled_back_change_emits_nothing(alpha) -> None:
    subscribe(alpha, "http://127.0.0.1:9/a", ["lead.created"])
    from leads.services import lead_create

    with alpha.active():
        with pytest.raises(RuntimeError), transaction.atomic():
            lead_create(actor=alpha.users[ADMIN], data={"company": "Ghost Co"})
            raise RuntimeError("the surrounding work failed")
        assert not Lead.objects.filter(company="Ghost Co").exists()
        assert not WebhookDelivery.objects.exists()


def test_updates_scores_and_priority_changes_are_emitted(alpha) -> None:
    subscribe(alpha, "http://127.0.0.1:9/a", ["lead.updated", "lead.scored", "lead.priority_changed"])
    from leads.scoring.service import leads_score
    from leads.services import lead_create, lead_update

    with alpha.active():
        lead = lead_create(actor=alpha.users[ADMIN], data={"company": "Band Co"})
        lead_update(lead=lead, actor=alpha.users[ADMIN], data={"status": "contacted"})
        leads_score([lead])  # first score: scored, no priority change
        Lead.objects.filter(pk=lead.pk).update(band="D" if lead.band != "D" else "A")
        lead.refresh_from_db()
        previous = lead.band
        leads_score([lead])
        events = list(WebhookDelivery.objects.order_by("created_at").values_list("event", flat=True))
        changed = WebhookDelivery.objects.get(event="lead.priority_changed").payload["data"]
    assert events == ["lead.updated", "lead.scored", "lead.scored", "lead.priority_changed"]
    assert changed["previous_band"] == previous and changed["band"] != previous


def test_unknown_events_are_a_programming_error(alpha) -> None:
    with alpha.active(), pytest.raises(ValueError, match="Unknown webhook event"):
        webhook_event_emit("lead.exploded", {})


def test_an_attempt_is_signed_and_the_example_receiver_accepts_it(alpha) -> None:
    with scripted_receiver([200]) as receiver:
        subscription = subscribe(alpha, receiver.url, ["lead.created"])
        with alpha.active():
            webhook_event_emit("lead.created", {"lead": {"id": 7, "company": "Signed Co"}})
            delivery = WebhookDelivery.objects.get()
            result = delivery_attempt(delivery_id=str(delivery.pk), attempt=1)
        (request,) = receiver.requests
    assert result.delivery.status == DeliveryStatus.SUCCEEDED and result.retry_in is None
    assert result.delivery.response_status == 200 and result.delivery.response_body == '{"ok": true}'
    headers = request.headers
    assert headers["X-CRM-Event"] == "lead.created"
    assert headers["X-CRM-Delivery"] == str(delivery.event_id)
    assert headers["Content-Type"] == "application/json"
    timestamp, signature = headers["X-CRM-Timestamp"], headers["X-CRM-Signature"]
    assert signature_verify(secret=subscription.secret, timestamp=timestamp, body=request.body, signature=signature)
    assert example_verify(subscription.secret, timestamp, request.body, signature)
    assert not example_verify("whsec_wrong", timestamp, request.body, signature)
    assert not example_verify(subscription.secret, timestamp, request.body + b" ", signature)
    assert json.loads(request.body)["data"]["lead"]["company"] == "Signed Co"


def test_stale_timestamps_fail_verification() -> None:
    body = b'{"id": "x"}'
    signature = signature_compute(secret="whsec_s", timestamp=1_000, body=body)
    assert signature_verify(secret="whsec_s", timestamp="1000", body=body, signature=signature, now=1_100)
    assert not signature_verify(secret="whsec_s", timestamp="1000", body=body, signature=signature, now=1_400)
    assert not signature_verify(secret="whsec_s", timestamp="soon", body=body, signature=signature)


def test_redirects_are_not_followed(alpha) -> None:
    with scripted_receiver([302, 200]) as receiver:
        subscribe(alpha, receiver.url, ["lead.created"])
        with alpha.active():
            webhook_event_emit("lead.created", {"lead": {"id": 1}})
            result = delivery_attempt(delivery_id=str(WebhookDelivery.objects.get().pk), attempt=1)
        assert len(receiver.requests) == 1
    assert result.delivery.status == DeliveryStatus.RETRYING
    assert result.delivery.response_status == 302
    assert result.delivery.error == "The receiver answered HTTP 302."


def test_the_retry_ladder_then_failure_then_switching_off(alpha, settings) -> None:
    settings.WEBHOOK_RETRY_DELAYS = [60, 300]
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    with scripted_receiver([500]) as receiver:
        subscription = subscribe(alpha, receiver.url, ["lead.created"])
        with alpha.active():
            for round_number in (1, 2):
                webhook_event_emit("lead.created", {"lead": {"id": round_number}})
                delivery = WebhookDelivery.objects.order_by("-created_at").first()
                first = delivery_attempt(delivery_id=str(delivery.pk), attempt=1)
                assert first.retry_in == 60 and first.delivery.status == DeliveryStatus.RETRYING
                assert first.delivery.next_attempt_at > timezone.now() + timedelta(seconds=55)
                # The same attempt delivered twice (a redelivered task message) sends nothing more.
                assert delivery_attempt(delivery_id=str(delivery.pk), attempt=1) is None
                assert delivery_attempt(delivery_id=str(delivery.pk), attempt=2).retry_in == 300
                last = delivery_attempt(delivery_id=str(delivery.pk), attempt=3)
                assert last.retry_in is None and last.delivery.status == DeliveryStatus.FAILED
                assert last.delivery.response_status == 500 and last.delivery.attempts == 3
            subscription.refresh_from_db()
            assert len(receiver.requests) == 6
            assert subscription.is_active is False
            assert subscription.disabled_reason.startswith("Switched off after 2 deliveries in a row")
            assert AuditEvent.objects.filter(action="webhook.disabled", target_id=str(subscription.pk)).exists()
            # Switched off: new events are not queued for it, and redelivery asks to switch it on first.
            assert webhook_event_emit("lead.created", {"lead": {"id": 3}}) == 0
    response = alpha.api(ADMIN).post(f"/api/v1/webhooks/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 409
    assert response.json()["detail"] == "Switch the subscription back on before redelivering to it."
    on = alpha.api(ADMIN).patch(f"/api/v1/webhooks/{subscription.pk}/", {"is_active": True}, format="json").json()
    assert on["is_active"] is True and on["consecutive_failures"] == 0 and on["disabled_reason"] == ""


def test_a_success_resets_the_failure_count(alpha, settings) -> None:
    settings.WEBHOOK_RETRY_DELAYS = []
    with scripted_receiver([500, 200]) as receiver:
        subscription = subscribe(alpha, receiver.url, ["lead.created"])
        with alpha.active():
            for _ in range(2):
                webhook_event_emit("lead.created", {"lead": {}})
                delivery = WebhookDelivery.objects.order_by("-created_at").first()
                delivery_attempt(delivery_id=str(delivery.pk), attempt=1)
                subscription.refresh_from_db()
                if delivery.event and subscription.consecutive_failures:
                    assert subscription.consecutive_failures == 1
            assert subscription.consecutive_failures == 0


def test_an_unreachable_receiver_is_a_logged_failure(alpha, settings) -> None:
    settings.WEBHOOK_RETRY_DELAYS = []
    subscribe(alpha, "http://127.0.0.1:9/closed", ["lead.created"])
    with alpha.active():
        webhook_event_emit("lead.created", {"lead": {}})
        result = delivery_attempt(delivery_id=str(WebhookDelivery.objects.get().pk), attempt=1)
    assert result.delivery.status == DeliveryStatus.FAILED
    assert result.delivery.response_status is None
    assert result.delivery.error.startswith("Connection failed:")


def test_redelivery_makes_a_new_delivery_with_the_same_event_id(alpha) -> None:
    subscription = subscribe(alpha, "http://127.0.0.1:9/a", ["lead.created"])
    with alpha.active():
        webhook_event_emit("lead.created", {"lead": {"id": 5}})
        original = WebhookDelivery.objects.get()
    response = alpha.api(ADMIN).post(f"/api/v1/webhooks/deliveries/{original.pk}/redeliver/")
    assert response.status_code == 202
    body = response.json()
    assert body["event_id"] == str(original.event_id) and body["redelivery_of"] == str(original.pk)
    assert body["status"] == "pending"
    listing = alpha.api(ADMIN).get(f"/api/v1/webhooks/{subscription.pk}/deliveries/?status=pending").json()
    assert listing["count"] == 2
    detail = alpha.api(ADMIN).get(f"/api/v1/webhooks/deliveries/{original.pk}/").json()
    assert detail["payload"]["data"] == {"lead": {"id": 5}}


def test_webhook_pages_show_subscriptions_and_deliveries(alpha, settings) -> None:
    web = alpha.web(ADMIN)
    created = web.post(
        "/integrations/webhooks/", {"url": "http://127.0.0.1:9/page", "events": ["lead.created", "voice.transcribed"]}
    )
    assert created.status_code == 302
    with alpha.active():
        subscription = WebhookSubscription.objects.get()
        webhook_event_emit("lead.created", {"lead": {"id": 1}})
        delivery = WebhookDelivery.objects.get()
    detail = web.get(created["Location"])
    assert subscription.secret.encode() in detail.content
    assert b"lead.created" in detail.content and b"Redeliver" in detail.content
    assert b"&quot;id&quot;: 1" in web.get(f"/integrations/webhooks/deliveries/{delivery.pk}/").content
    assert web.post(created["Location"], {"action": "disable"}).status_code == 302
    with alpha.active():
        subscription.refresh_from_db()
        assert subscription.is_active is False

    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    refused = web.post("/integrations/webhooks/", {"url": "http://10.0.0.5/x", "events": ["lead.created"]})
    assert refused.status_code == 200 and b"public addresses" in refused.content


def test_voice_commands_and_training_emit_their_events(alpha) -> None:
    subscribe(alpha, "http://127.0.0.1:9/a", ["voice.command_executed", "lead.created", "model.trained"])
    from crm_saas.jobs.models import Job, JobStatus
    from crm_saas.jobs.services import job_run
    from leads.scoring import service as scoring
    from leads.tests.test_scoring import make_history
    from tests.surface import REP
    from voice.services.commands import voice_command_confirm, voice_command_submit_text

    with alpha.active():
        command = voice_command_submit_text(speaker=alpha.users[REP], text="add a new lead from Spoken Co")
        voice_command_confirm(speaker=alpha.users[REP], command_id=command.pk)
        executed = WebhookDelivery.objects.get(event="voice.command_executed").payload["data"]["command"]
        assert executed["id"] == str(command.pk) and executed["intent"] == "create_lead"
        created = WebhookDelivery.objects.get(event="lead.created").payload["data"]["lead"]
        assert created["company"] == "Spoken Co"

        make_history(alpha)
        job = Job.objects.create(kind=scoring.TRAIN_JOB, created_by=alpha.users[ADMIN])
        job_run(job_id=str(job.pk), handler=scoring.lead_model_train_run)
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, job.error
        trained = WebhookDelivery.objects.get(event="model.trained").payload["data"]["model"]
    assert trained["version"] == 1 and trained["is_active"] is True and "auc" in trained["metrics"]
