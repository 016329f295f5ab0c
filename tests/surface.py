"""Every tenant API endpoint and page, and every platform API endpoint, with what each role may do:
the one table that the RBAC and isolation tests read. A new endpoint must be added here
(test_every_endpoint_is_in_the_table, test_every_platform_endpoint_is_in_the_table)."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from crm_saas.jobs.services import job_create
from crm_saas.roles import Role
from crm_saas.testing.world import PASSWORD, TenantWorld

ADMIN, MANAGER, REP, VIEWER = Role.ADMIN, Role.MANAGER, Role.SALES_REP, Role.VIEWER
ANON = "anonymous"
ALL_ROLES = [ADMIN, MANAGER, REP, VIEWER]


def only(allowed: dict[str, int], denied: int = 403, anonymous: int = 401) -> dict[str, int]:
    return {**{role: denied for role in ALL_ROLES}, **allowed, ANON: anonymous}


@dataclass
class Call:
    url_name: str
    method: str
    expected: dict[str, int]
    kwargs: Callable[[TenantWorld], dict[str, Any]] = lambda world: {}
    body: Callable[[TenantWorld, str], dict[str, Any]] | None = None
    multipart: bool = False
    tags: set[str] = field(default_factory=set)

    def path(self, world: TenantWorld) -> str:
        with world.active():
            return reverse(self.url_name, kwargs=self.kwargs(world))

    def send(self, client: Any, world: TenantWorld, role: str, *, path_world: TenantWorld | None = None) -> Any:
        path = self.path(path_world or world)
        data = self.body(world, role) if self.body else None
        send = getattr(client, self.method.lower())
        if self.multipart:
            return send(path, data, format="multipart")
        return send(path, data, format="json") if data is not None else send(path)


def _viewer_id(world: TenantWorld) -> dict[str, Any]:
    return {"user_id": world.users[VIEWER].pk}


def _admin_job_id(world: TenantWorld) -> dict[str, Any]:
    with world.active():
        from crm_saas.jobs.models import Job

        job = Job.objects.filter(kind="test.probe").first() or job_create(
            kind="test.probe", created_by=world.users[ADMIN]
        )
    return {"job_id": job.pk}


def _rep_lead_id(world: TenantWorld) -> dict[str, Any]:
    """A lead owned by the tenant's sales rep, so every role can see it."""
    with world.active():
        from leads.models import Lead
        from leads.services import lead_create

        rep = world.users[REP]
        lead = Lead.objects.filter(owner=rep).first() or lead_create(
            actor=rep, data={"name": "Pat Prospect", "company": f"{world.tenant.name} Prospect"}
        )
    return {"lead_id": lead.pk}


def _rep_follow_up_id(world: TenantWorld) -> dict[str, Any]:
    """An open follow-up of the sales rep on their own lead."""
    with world.active():
        from datetime import timedelta

        from django.utils import timezone

        from leads.models import FollowUp, Lead
        from leads.services import follow_up_schedule

        rep = world.users[REP]
        lead = Lead.objects.get(pk=_rep_lead_id(world)["lead_id"])
        follow_up = FollowUp.objects.filter(assignee=rep).first() or follow_up_schedule(
            lead=lead, actor=rep, due_at=timezone.now() + timedelta(days=1), kind="call"
        )
    return {"follow_up_id": follow_up.pk}


def _follow_up_body(world: TenantWorld, role: str) -> dict[str, Any]:
    from datetime import timedelta

    from django.utils import timezone

    return {"due_at": (timezone.now() + timedelta(days=2)).isoformat(), "kind": "demo"}


def _first_rule_id(world: TenantWorld) -> dict[str, Any]:
    with world.active():
        from leads.models import ScoringRule
        from leads.scoring.rules import rules_ensure_defaults

        rules_ensure_defaults()
        return {"rule_id": ScoringRule.objects.order_by("pk").first().pk}


WRITERS = {ADMIN: 200, MANAGER: 200, REP: 200}


def _rep_message_id(world: TenantWorld) -> dict[str, Any]:
    """An inbound message on the sales rep's lead (every role can see it)."""
    with world.active():
        from leads.messages.services import lead_message_create
        from leads.models import Lead, LeadMessage

        lead_id = _rep_lead_id(world)["lead_id"]
        message = LeadMessage.objects.filter(lead_id=lead_id).first() or lead_message_create(
            lead=Lead.objects.get(pk=lead_id),
            actor=world.users[REP],
            body="Can we see a demo this week?",
        )
    return {"message_id": message.pk}


def _priority_signal_id(world: TenantWorld) -> dict[str, Any]:
    with world.active():
        from leads.models import PrioritySignal

        signal = PrioritySignal.objects.first() or PrioritySignal.objects.create(
            label="asks about SOC 2", phrases="SOC 2", points=10
        )
    return {"signal_id": signal.pk}


def _rep_command_id(world: TenantWorld) -> dict[str, Any]:
    from voice.services.commands import voice_command_submit_text

    with world.active():
        command = voice_command_submit_text(speaker=world.users[REP], text="add a new lead from Surface Co")
    return {"command_id": command.pk}


def _rep_only_own(status: int) -> dict[str, int]:
    """The rep's own record: others who may use voice are told it does not exist."""
    return {**only({REP: status}, denied=404), VIEWER: 403}


VOICE_USERS = {ADMIN: 200, MANAGER: 200, REP: 200}  # viewers cannot use voice


@functools.cache
def _spoken_wav() -> bytes:
    from voice.speech import speak

    return speak("Call the customer back on Monday.")


def _voice_note(world: TenantWorld, role: str) -> dict[str, Any]:
    upload = io.BytesIO(_spoken_wav())
    upload.name = "note.wav"
    return {"audio": upload}


def _rep_voice_log_id(world: TenantWorld) -> dict[str, Any]:
    """A voice note recorded by the sales rep (managers and admins hear every note)."""
    from voice.models import VoiceLog
    from voice.services.logs import voice_log_create

    with world.active():
        rep = world.users[REP]
        log = VoiceLog.objects.filter(uploaded_by=rep).first() or voice_log_create(
            actor=rep, upload=io.BytesIO(_spoken_wav())
        )
    return {"log_id": log.pk}


def _lead_csv(world: TenantWorld, role: str) -> dict[str, Any]:
    upload = io.BytesIO(b"Company,Converted\nImported Co,1\n")
    upload.name = "leads.csv"
    return {"file": upload, "outcome_column": "Converted"}


def _rep_customer_id(world: TenantWorld) -> dict[str, Any]:
    """A customer owned by the tenant's sales rep, so every role can see it."""
    with world.active():
        from lifecycle.models import Customer
        from lifecycle.services import customer_create

        rep = world.users[REP]
        customer = Customer.objects.filter(owner=rep).first() or customer_create(
            actor=rep, data={"name": "Casey Customer", "company": f"{world.tenant.name} Customer"}
        )
    return {"customer_id": customer.pk}


def _rep_next_action_ids(world: TenantWorld) -> dict[str, Any]:
    """A fresh open next action on the rep's customer (each decision closes the one before)."""
    customer_id = _rep_customer_id(world)["customer_id"]
    with world.active():
        from lifecycle.models import NextAction

        NextAction.objects.filter(customer_id=customer_id, code="retention_call", status="open").delete()
        action = NextAction.objects.create(
            customer_id=customer_id, code="retention_call", title="Retention call", rationale="55% risk"
        )
    return {"customer_id": customer_id, "action_id": action.pk}


def _customer_csv(world: TenantWorld, role: str) -> dict[str, Any]:
    upload = io.BytesIO(b"Customer ID,Company,Churned\nS-1,Surface Co,no\n")
    upload.name = "customers.csv"
    return {"file": upload, "outcome_column": "Churned", "external_id_column": "Customer ID"}


def _event_csv(world: TenantWorld, role: str) -> dict[str, Any]:
    upload = io.BytesIO(b"customer_id,kind,occurred_at\nS-1,login,2025-01-02\n")
    upload.name = "events.csv"
    return {"file": upload}


def _csv(world: TenantWorld, role: str) -> dict[str, Any]:
    upload = io.BytesIO(b"email,full_name,role\nnew.person@example.test,New Person,viewer\n")
    upload.name = "people.csv"
    return {"file": upload}


def _api_key_id(world: TenantWorld) -> dict[str, Any]:
    """An API key of the tenant's admin."""
    from crm_saas.integrations.models import ApiKey
    from crm_saas.integrations.services.api_keys import api_key_create

    with world.active():
        key = ApiKey.objects.filter(name="Surface key").first() or (
            api_key_create(actor=world.users[ADMIN], name="Surface key", scopes=["leads:read"]).api_key
        )
    return {"api_key_id": key.pk}


def _subscription_id(world: TenantWorld) -> dict[str, Any]:
    from crm_saas.integrations.models import WebhookSubscription
    from crm_saas.integrations.services.webhooks import subscription_create

    with world.active():
        subscription = WebhookSubscription.objects.filter(description="Surface").first() or subscription_create(
            actor=world.users[ADMIN], url="http://127.0.0.1:9/hook", events=["lead.created"], description="Surface"
        )
    return {"subscription_id": subscription.pk}


def _delivery_id(world: TenantWorld) -> dict[str, Any]:
    from crm_saas.integrations.models import WebhookDelivery, WebhookSubscription

    subscription_id = _subscription_id(world)["subscription_id"]
    with world.active():
        subscription = WebhookSubscription.objects.get(pk=subscription_id)
        delivery = WebhookDelivery.objects.filter(subscription=subscription).first() or WebhookDelivery.objects.create(
            subscription=subscription, event="lead.created", payload={"data": {}}
        )
    return {"delivery_id": delivery.pk}


def _webhook_body(world: TenantWorld, role: str) -> dict[str, Any]:
    return {"url": "http://127.0.0.1:9/hook", "events": ["lead.created", "lead.scored"]}


STAGE_RULES = {
    "new_days": 30,
    "loyal_days": 365,
    "loyal_renewals": 1,
    "risk_threshold": 0.5,
    "payment_failures": 1,
    "payment_window_days": 60,
    "urgent_tickets": 1,
    "ticket_window_days": 30,
    "inactive_days": 30,
}

PRIVACY_EMAIL = "privacy.subject@example.test"


def _privacy_subject(world: TenantWorld) -> None:
    """A lead the privacy endpoints can find (inside ``world.active()``)."""
    from leads.models import Lead
    from leads.services import lead_create

    if not Lead.objects.filter(email=PRIVACY_EMAIL).exists():
        lead_create(actor=world.users[REP], data={"name": "Sam Subject", "email": PRIVACY_EMAIL})


def _privacy_body(world: TenantWorld, role: str) -> dict[str, Any]:
    with world.active():
        _privacy_subject(world)
    return {"email": PRIVACY_EMAIL}


def _privacy_erasure_body(world: TenantWorld, role: str) -> dict[str, Any]:
    return {**_privacy_body(world, role), "confirm": PRIVACY_EMAIL}


def _admin_export_id(world: TenantWorld) -> dict[str, Any]:
    """A finished export, requested by the tenant's admin (so only the admin may download it)."""
    with world.active():
        from crm_saas.jobs.services import job_run
        from crm_saas.privacy.models import PrivacyRequest
        from crm_saas.privacy.services import privacy_export_request, privacy_export_run

        export = PrivacyRequest.objects.filter(kind="export", status="succeeded").first()
        if export is None:
            _privacy_subject(world)
            export = privacy_export_request(actor=world.users[ADMIN], data={"email": PRIVACY_EMAIL})
            job_run(job_id=str(export.job_id), handler=privacy_export_run)
    return {"request_id": export.pk}


def _admin_erasure_id(world: TenantWorld) -> dict[str, Any]:
    with world.active():
        from crm_saas.privacy.models import PrivacyRequest
        from crm_saas.privacy.services import privacy_erasure_request

        erasure = PrivacyRequest.objects.filter(kind="erasure").first()
        if erasure is None:
            _privacy_subject(world)
            erasure = privacy_erasure_request(
                actor=world.users[ADMIN], data={"email": PRIVACY_EMAIL, "confirm": PRIVACY_EMAIL}
            )
    return {"request_id": erasure.pk}


API: list[Call] = [
    Call(
        "api:auth-token",
        "POST",
        {**{role: 201 for role in ALL_ROLES}, ANON: 400},
        body=lambda world, role: {"email": world.email(role) if role != ANON else "x@y.test", "password": PASSWORD},
        tags={"public"},
    ),
    Call("api:auth-token", "DELETE", {**{role: 204 for role in ALL_ROLES}, ANON: 400}, tags={"public"}),
    Call("api:me", "GET", only({role: 200 for role in ALL_ROLES})),
    Call("api:user-list", "GET", only({ADMIN: 200})),
    Call(
        "api:user-list",
        "POST",
        only({ADMIN: 201}),
        body=lambda world, role: {"email": f"made-by-{role}@example.test", "role": VIEWER, "password": PASSWORD},
    ),
    Call("api:user-import", "POST", only({ADMIN: 202}), body=_csv, multipart=True),
    Call("api:user-detail", "GET", only({ADMIN: 200}), kwargs=_viewer_id),
    Call("api:user-detail", "PATCH", only({ADMIN: 200}), kwargs=_viewer_id, body=lambda w, r: {"full_name": "Renamed"}),
    Call("api:audit-event-list", "GET", only({ADMIN: 200})),
    # Jobs are visible to whoever queued them and to roles that see all jobs; others get 404.
    Call("api:job-detail", "GET", only({ADMIN: 200, MANAGER: 200}, denied=404), kwargs=_admin_job_id),
    Call("api:lead-list", "GET", only({role: 200 for role in ALL_ROLES})),
    Call("api:lead-score", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_lead_id),
    # Too little history in the test tenant: allowed roles get the reason (400), others 403.
    Call("api:lead-train-model", "POST", only({ADMIN: 400, MANAGER: 400})),
    Call("api:lead-scoring-model", "GET", only({ADMIN: 200, MANAGER: 200, VIEWER: 200})),
    Call("api:scoring-rule-list", "GET", only({ADMIN: 200, MANAGER: 200, VIEWER: 200})),
    Call(
        "api:scoring-rule-list",
        "POST",
        only({ADMIN: 201}),
        body=lambda w, r: {
            "field": "industry",
            "operator": "equals",
            "value": "Software",
            "points": 5,
            "label": "Software company",
        },
    ),
    Call("api:scoring-rule-detail", "GET", only({ADMIN: 200, MANAGER: 200, VIEWER: 200}), kwargs=_first_rule_id),
    Call(
        "api:scoring-rule-detail", "PATCH", only({ADMIN: 200}), kwargs=_first_rule_id, body=lambda w, r: {"points": 7}
    ),
    Call("api:scoring-rule-detail", "DELETE", only({ADMIN: 204}), kwargs=_first_rule_id),
    Call("api:scoring-settings", "GET", only({ADMIN: 200, MANAGER: 200, VIEWER: 200})),
    Call("api:scoring-settings", "PATCH", only({ADMIN: 200}), body=lambda w, r: {"band_a_min": 80}),
    Call("api:lead-import", "POST", only({ADMIN: 202, MANAGER: 202}), body=_lead_csv, multipart=True),
    Call("api:lead-import-preview", "POST", only({ADMIN: 200, MANAGER: 200}), body=_lead_csv, multipart=True),
    Call("api:lead-list", "POST", only({ADMIN: 201, MANAGER: 201, REP: 201}), body=lambda w, r: {"company": "New Co"}),
    Call("api:lead-detail", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_lead_id),
    Call("api:lead-detail", "PATCH", only(WRITERS), kwargs=_rep_lead_id, body=lambda w, r: {"status": "contacted"}),
    Call("api:lead-detail", "DELETE", only({ADMIN: 204, MANAGER: 204}), kwargs=_rep_lead_id),
    Call("api:lead-activity-list", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_lead_id),
    Call(
        "api:lead-activity-list",
        "POST",
        only({ADMIN: 201, MANAGER: 201, REP: 201}),
        kwargs=_rep_lead_id,
        body=lambda w, r: {"kind": "call"},
    ),
    # Notes and follow-ups: read with the lead, written by roles that write records.
    Call("api:lead-note-list", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_lead_id),
    Call(
        "api:lead-note-list",
        "POST",
        only({ADMIN: 201, MANAGER: 201, REP: 201}),
        kwargs=_rep_lead_id,
        body=lambda w, r: {"text": "They want a demo in March."},
    ),
    # Messages and priority: read with the lead, written by roles that write records.
    Call("api:lead-message-list", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_lead_id),
    Call(
        "api:lead-message-list",
        "POST",
        only({ADMIN: 201, MANAGER: 201, REP: 201}),
        kwargs=_rep_lead_id,
        body=lambda w, r: {"body": "Budget approved, can we see a demo?", "channel": "chat"},
    ),
    Call("api:lead-priority", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_lead_id),
    Call("api:priority-settings", "GET", only({role: 200 for role in ALL_ROLES})),
    Call("api:priority-settings", "PATCH", only({ADMIN: 200}), body=lambda w, r: {"text_weight": 0.5}),
    Call("api:lead-follow-up-list", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_lead_id),
    Call(
        "api:lead-follow-up-list",
        "POST",
        only({ADMIN: 201, MANAGER: 201, REP: 201}),
        kwargs=_rep_lead_id,
        body=_follow_up_body,
    ),
    Call("api:follow-up-list", "GET", only({role: 200 for role in ALL_ROLES})),
    Call("api:follow-up-complete", "POST", only({ADMIN: 200, MANAGER: 200, REP: 200}), kwargs=_rep_follow_up_id),
    Call("api:follow-up-reopen", "POST", only({ADMIN: 200, MANAGER: 200, REP: 200}), kwargs=_rep_follow_up_id),
    # Voice commands: a speaker's own; viewers cannot use voice.
    Call("api:voice-command-list", "GET", only({ADMIN: 200, MANAGER: 200, REP: 200})),
    Call(
        "api:voice-command-list",
        "POST",
        only({ADMIN: 201, MANAGER: 201, REP: 201}),
        body=lambda w, r: {"text": "show my hot leads"},
    ),
    Call("api:voice-command-detail", "GET", _rep_only_own(200), kwargs=_rep_command_id),
    Call("api:voice-command-confirm", "POST", _rep_only_own(200), kwargs=_rep_command_id, body=lambda w, r: {}),
    Call("api:voice-command-cancel", "POST", _rep_only_own(200), kwargs=_rep_command_id),
    Call("api:voice-command-reply-audio", "GET", _rep_only_own(200), kwargs=_rep_command_id),
    # Voice notes: a rep's own, every note for managers and admins; settings for admins.
    Call("api:voice-log-list", "GET", only(VOICE_USERS)),
    Call("api:voice-log-list", "POST", only({ADMIN: 201, MANAGER: 201, REP: 201}), body=_voice_note, multipart=True),
    Call("api:voice-log-detail", "GET", only(VOICE_USERS), kwargs=_rep_voice_log_id),
    Call("api:voice-log-detail", "DELETE", only({ADMIN: 204, MANAGER: 204, REP: 204}), kwargs=_rep_voice_log_id),
    Call("api:voice-log-audio", "GET", only(VOICE_USERS), kwargs=_rep_voice_log_id),
    # The table's note did not fail: the roles that may retry it are told so (409).
    Call("api:voice-log-retry", "POST", only({ADMIN: 409, MANAGER: 409, REP: 409}), kwargs=_rep_voice_log_id),
    Call("api:voice-settings", "GET", only({ADMIN: 200})),
    Call("api:voice-settings", "PATCH", only({ADMIN: 200}), body=lambda w, r: {"retention_days": 30}),
    # Customers (lifecycle): like leads, a rep sees own customers; imports for managers and admins.
    Call("api:customer-list", "GET", only({role: 200 for role in ALL_ROLES})),
    Call("api:customer-list", "POST", only({ADMIN: 201, MANAGER: 201, REP: 201}), body=lambda w, r: {"name": "New C"}),
    Call("api:customer-detail", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_customer_id),
    Call("api:customer-detail", "PATCH", only(WRITERS), kwargs=_rep_customer_id, body=lambda w, r: {"plan": "Team"}),
    Call("api:customer-event-list", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_customer_id),
    Call(
        "api:customer-event-list",
        "POST",
        only({ADMIN: 201, MANAGER: 201, REP: 201}),
        kwargs=_rep_customer_id,
        body=lambda w, r: {"kind": "login"},
    ),
    Call("api:customer-timeline", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_customer_id),
    # Lifecycle stages: everyone who reads customers sees their history and the rules; admins edit.
    Call("api:customer-stages", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_customer_id),
    Call("api:customer-stage-rules", "GET", only({role: 200 for role in ALL_ROLES})),
    Call("api:customer-stage-rules", "PUT", only({ADMIN: 200}), body=lambda w, r: STAGE_RULES),
    Call("api:customer-stage-rules", "PATCH", only({ADMIN: 200}), body=lambda w, r: {"inactive_days": 45}),
    Call("api:customer-import", "POST", only({ADMIN: 202, MANAGER: 202}), body=_customer_csv, multipart=True),
    Call("api:customer-event-import", "POST", only({ADMIN: 202, MANAGER: 202}), body=_event_csv, multipart=True),
    # Churn and next best actions: reads like customers; decisions for roles that write records.
    Call("api:customer-churn", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_customer_id),
    Call("api:customer-next-action-list", "GET", only({role: 200 for role in ALL_ROLES}), kwargs=_rep_customer_id),
    Call("api:customer-next-action-accept", "POST", only(WRITERS), kwargs=_rep_next_action_ids),
    Call(
        "api:customer-next-action-dismiss",
        "POST",
        only(WRITERS),
        kwargs=_rep_next_action_ids,
        body=lambda w, r: {"reason": "Already in touch"},
    ),
    Call("api:churn-train-model", "POST", only({ADMIN: 400, MANAGER: 400})),
    Call("api:churn-model", "GET", only({ADMIN: 200, MANAGER: 200, VIEWER: 200})),
    # Integrations: API keys and webhooks are managed by tenant admins.
    Call("api:api-key-list", "GET", only({ADMIN: 200})),
    Call("api:api-key-list", "POST", only({ADMIN: 201}), body=lambda w, r: {"name": "CI", "scopes": ["leads:read"]}),
    Call("api:api-key-detail", "GET", only({ADMIN: 200}), kwargs=_api_key_id),
    Call("api:api-key-revoke", "POST", only({ADMIN: 200}), kwargs=_api_key_id),
    Call("api:webhook-list", "GET", only({ADMIN: 200})),
    Call("api:webhook-list", "POST", only({ADMIN: 201}), body=_webhook_body),
    Call("api:webhook-event-list", "GET", only({ADMIN: 200})),
    Call("api:webhook-detail", "GET", only({ADMIN: 200}), kwargs=_subscription_id),
    Call(
        "api:webhook-detail",
        "PATCH",
        only({ADMIN: 200}),
        kwargs=_subscription_id,
        body=lambda w, r: {"description": "x"},
    ),
    Call("api:webhook-detail", "DELETE", only({ADMIN: 204}), kwargs=_subscription_id),
    Call("api:webhook-ping", "POST", only({ADMIN: 202}), kwargs=_subscription_id),
    Call("api:webhook-delivery-list", "GET", only({ADMIN: 200}), kwargs=_subscription_id),
    Call("api:webhook-delivery-detail", "GET", only({ADMIN: 200}), kwargs=_delivery_id),
    Call("api:webhook-delivery-redeliver", "POST", only({ADMIN: 202}), kwargs=_delivery_id),
    # Privacy: admins only; an export downloads only for the admin who asked for it.
    Call("api:privacy-search", "GET", only({ADMIN: 200}), body=_privacy_body),
    Call("api:privacy-export-list", "GET", only({ADMIN: 200})),
    Call("api:privacy-export-list", "POST", only({ADMIN: 202}), body=_privacy_body),
    Call("api:privacy-export-detail", "GET", only({ADMIN: 200}), kwargs=_admin_export_id),
    Call("api:privacy-export-download", "GET", only({ADMIN: 200}), kwargs=_admin_export_id),
    Call("api:privacy-erasure-list", "GET", only({ADMIN: 200})),
    Call("api:privacy-erasure-list", "POST", only({ADMIN: 202}), body=_privacy_erasure_body),
    Call("api:privacy-erasure-detail", "GET", only({ADMIN: 200}), kwargs=_admin_erasure_id),
]


@dataclass
class Page:
    url_name: str
    method: str
    expected: dict[str, int]
    kwargs: Callable[[TenantWorld], dict[str, Any]] = lambda world: {}
    data: dict[str, Any] | None = None

    def path(self, world: TenantWorld) -> str:
        with world.active():
            return reverse(self.url_name, kwargs=self.kwargs(world))


def page_only(allowed: dict[str, int], denied: int = 403) -> dict[str, int]:
    # Anonymous visitors are sent to the sign-in page.
    return {**{role: denied for role in ALL_ROLES}, **allowed, ANON: 302}


PAGES: list[Page] = [
    Page("dashboard", "GET", page_only({role: 200 for role in ALL_ROLES})),
    Page("accounts:users", "GET", page_only({ADMIN: 200})),
    Page(
        "accounts:users",
        "POST",
        page_only({ADMIN: 302}),
        data={"action": "invite", "email": "p@example.test", "role": VIEWER, "full_name": "", "password": ""},
    ),
    Page("accounts:user_edit", "GET", page_only({ADMIN: 200}), kwargs=_viewer_id),
    Page(
        "accounts:user_edit",
        "POST",
        page_only({ADMIN: 302}),
        kwargs=_viewer_id,
        data={"full_name": "Edited", "role": VIEWER},
    ),
    Page("accounts:user_set_active", "POST", page_only({ADMIN: 302}), kwargs=_viewer_id, data={"active": "0"}),
    Page("accounts:users_import", "POST", page_only({ADMIN: 302})),
    Page("audit:events", "GET", page_only({ADMIN: 200})),
    Page("leads:list", "GET", page_only({role: 200 for role in ALL_ROLES})),
    Page("leads:create", "GET", page_only(WRITERS)),
    Page(
        "leads:create",
        "POST",
        page_only({ADMIN: 302, MANAGER: 302, REP: 302}),
        data={"company": "Form Co", "status": "new"},
    ),
    Page("leads:detail", "GET", page_only({role: 200 for role in ALL_ROLES}), kwargs=_rep_lead_id),
    Page("leads:edit", "GET", page_only(WRITERS), kwargs=_rep_lead_id),
    Page("leads:delete", "POST", page_only({ADMIN: 302, MANAGER: 302}), kwargs=_rep_lead_id),
    Page("leads:model", "GET", page_only({ADMIN: 200, MANAGER: 200, VIEWER: 200})),
    Page("leads:model_train", "POST", page_only({ADMIN: 302, MANAGER: 302})),
    Page("leads:model_rollback", "POST", page_only({ADMIN: 302})),
    Page("leads:model_column", "POST", page_only({ADMIN: 302}), data={"column": "attr__x", "keep": "1"}),
    Page("leads:import", "GET", page_only({ADMIN: 200, MANAGER: 200})),
    Page("lifecycle:import", "GET", page_only({ADMIN: 200, MANAGER: 200})),
    Page("lifecycle:event_import", "GET", page_only({ADMIN: 200, MANAGER: 200})),
    Page("leads:rules", "GET", page_only({ADMIN: 200})),
    Page(
        "leads:rules",
        "POST",
        page_only({ADMIN: 302}),
        data={
            "action": "add_rule",
            "label": "Demo asked",
            "field": "notes",
            "operator": "contains",
            "value": "demo",
            "points": 10,
        },
    ),
    Page("leads:rule_toggle", "POST", page_only({ADMIN: 302}), kwargs=_first_rule_id),
    Page("voice:home", "GET", page_only(VOICE_USERS)),
    Page("voice:home", "POST", page_only(VOICE_USERS)),  # no file: the form says what is missing
    Page("voice:log_audio", "GET", page_only(VOICE_USERS), kwargs=_rep_voice_log_id),
    Page("voice:log_delete", "POST", page_only({ADMIN: 302, MANAGER: 302, REP: 302}), kwargs=_rep_voice_log_id),
    Page("voice:log_retry", "POST", page_only({ADMIN: 302, MANAGER: 302, REP: 302}), kwargs=_rep_voice_log_id),
    Page("voice:settings", "GET", page_only({ADMIN: 200})),
    Page(
        "voice:settings",
        "POST",
        page_only({ADMIN: 302}),
        data={
            "retention_days": 90,
            "max_upload_mb": 25,
            "max_note_seconds": 900,
            "max_command_seconds": 30,
            "note_engine": "whisper-tiny-en",
            "command_engine": "whisper-tiny-en",
            "timezone": "Europe/Berlin",
        },
    ),
    Page("leads:note_add", "GET", page_only(WRITERS), kwargs=_rep_lead_id),
    Page(
        "leads:note_add",
        "POST",
        page_only({ADMIN: 302, MANAGER: 302, REP: 302}),
        kwargs=_rep_lead_id,
        data={"text": "Hi"},
    ),
    Page("leads:follow_up_add", "GET", page_only(WRITERS), kwargs=_rep_lead_id),
    Page(
        "leads:follow_up_add",
        "POST",
        page_only({ADMIN: 302, MANAGER: 302, REP: 302}),
        kwargs=_rep_lead_id,
        data={"kind": "call", "due_at": "2099-01-05T09:00", "title": ""},
    ),
    Page("leads:follow_up_complete", "POST", page_only({ADMIN: 302, MANAGER: 302, REP: 302}), kwargs=_rep_follow_up_id),
    Page("leads:follow_up_reopen", "POST", page_only({ADMIN: 302, MANAGER: 302, REP: 302}), kwargs=_rep_follow_up_id),
    Page("leads:triage", "GET", page_only({role: 200 for role in ALL_ROLES})),
    Page("leads:message_add", "GET", page_only(WRITERS), kwargs=_rep_lead_id),
    Page(
        "leads:message_add",
        "POST",
        page_only({ADMIN: 302, MANAGER: 302, REP: 302}),
        kwargs=_rep_lead_id,
        data={"channel": "email", "direction": "inbound", "text": "Can we see a demo?"},
    ),
    Page("leads:message_handled", "POST", page_only({ADMIN: 302, MANAGER: 302, REP: 302}), kwargs=_rep_message_id),
    Page("leads:message_assign", "POST", page_only({ADMIN: 302, MANAGER: 302}), kwargs=_rep_message_id),
    Page("leads:priority_settings", "GET", page_only({ADMIN: 200})),
    Page(
        "leads:priority_settings",
        "POST",
        page_only({ADMIN: 302}),
        data={"action": "add_signal", "label": "asks about SOC 2", "phrases": "SOC 2", "points": 10},
    ),
    Page("leads:priority_signal", "POST", page_only({ADMIN: 302}), kwargs=_priority_signal_id),
    Page("lifecycle:customers", "GET", page_only({role: 200 for role in ALL_ROLES})),
    Page("lifecycle:customer", "GET", page_only({role: 200 for role in ALL_ROLES}), kwargs=_rep_customer_id),
    Page("lifecycle:timeline", "GET", page_only({role: 200 for role in ALL_ROLES}), kwargs=_rep_customer_id),
    Page("lifecycle:portfolio", "GET", page_only({role: 200 for role in ALL_ROLES})),
    Page("lifecycle:stage_rules", "GET", page_only({role: 200 for role in ALL_ROLES})),
    Page("lifecycle:stage_rules", "POST", page_only({ADMIN: 302}), data=STAGE_RULES),
    Page(
        "lifecycle:event_add",
        "POST",
        page_only({ADMIN: 302, MANAGER: 302, REP: 302}),
        kwargs=_rep_customer_id,
        data={"kind": "login"},
    ),
    Page("lifecycle:churn_model", "GET", page_only({ADMIN: 200, MANAGER: 200, VIEWER: 200})),
    Page("lifecycle:churn_model_train", "POST", page_only({ADMIN: 302, MANAGER: 302})),
    Page("lifecycle:churn_model_rollback", "POST", page_only({ADMIN: 302})),
    Page(
        "lifecycle:next_action_accept",
        "POST",
        page_only({ADMIN: 302, MANAGER: 302, REP: 302}),
        kwargs=_rep_next_action_ids,
    ),
    Page(
        "lifecycle:next_action_dismiss",
        "POST",
        page_only({ADMIN: 302, MANAGER: 302, REP: 302}),
        kwargs=_rep_next_action_ids,
        data={"reason": "Already in touch"},
    ),
    Page("integrations:api_keys", "GET", page_only({ADMIN: 200})),
    Page("integrations:api_keys", "POST", page_only({ADMIN: 302}), data={"name": "Page key", "scopes": ["leads:read"]}),
    Page("integrations:api_key_revoke", "POST", page_only({ADMIN: 302}), kwargs=_api_key_id),
    Page("integrations:webhooks", "GET", page_only({ADMIN: 200})),
    Page(
        "integrations:webhooks",
        "POST",
        page_only({ADMIN: 302}),
        data={"url": "http://127.0.0.1:9/page-hook", "events": ["lead.created"]},
    ),
    Page("integrations:webhook", "GET", page_only({ADMIN: 200}), kwargs=_subscription_id),
    Page("integrations:webhook", "POST", page_only({ADMIN: 302}), kwargs=_subscription_id, data={"action": "ping"}),
    Page("integrations:delivery", "GET", page_only({ADMIN: 200}), kwargs=_delivery_id),
    Page("integrations:delivery_redeliver", "POST", page_only({ADMIN: 302}), kwargs=_delivery_id),
    Page("privacy:home", "GET", page_only({ADMIN: 200})),
    Page("privacy:export_create", "POST", page_only({ADMIN: 302}), data={"email": PRIVACY_EMAIL}),
    Page("privacy:erasure_create", "POST", page_only({ADMIN: 302}), data={"email": PRIVACY_EMAIL, "confirm": "no"}),
    Page("privacy:request", "GET", page_only({ADMIN: 200}), kwargs=_admin_export_id),
    Page("privacy:export_download", "GET", page_only({ADMIN: 200}), kwargs=_admin_export_id),
]


# --- The platform host (public schema): operators only ------------------------------------------
PLATFORM_HOST = "localhost"
PLATFORM_URLCONF = "crm_saas.urls_public"
OPERATOR = "operator"
PLATFORM_USER = "platform_user"  # signed in on the platform host, but not an operator
TENANT_ADMIN = "tenant_admin"  # a tenant admin's own token, presented on the platform host
PLATFORM_ROLES = [OPERATOR, PLATFORM_USER, TENANT_ADMIN, ANON]
PLATFORM_EMAILS = {OPERATOR: "operator@platform.test", PLATFORM_USER: "user@platform.test"}


def operator_only(status: int) -> dict[str, int]:
    # Tenant tokens do not exist in the public schema: 401, as for no credentials at all.
    return {OPERATOR: status, PLATFORM_USER: 403, TENANT_ADMIN: 401, ANON: 401}


def platform_account(role: str) -> Any:
    """The public schema's operator, or its signed-in user without operator rights."""
    from django_tenants.utils import schema_context

    from tenants.accounts.models import User
    from tenants.accounts.services import user_create
    from tenants.services import operator_create

    email = PLATFORM_EMAILS[role]
    with schema_context("public"):
        existing = User.objects.filter(email=email).first()
        if existing is not None:
            return existing
        if role == OPERATOR:
            return operator_create(email=email, password=PASSWORD)
        return user_create(email=email, password=PASSWORD, role=VIEWER)


def platform_client(world: TenantWorld, role: str) -> Any:
    """An API client on the platform host with ``role``'s token (none for anonymous)."""
    from django_tenants.utils import schema_context
    from rest_framework.test import APIClient

    from tenants.accounts.services import token_issue

    client = APIClient(HTTP_HOST=PLATFORM_HOST)
    if role == TENANT_ADMIN:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.token(ADMIN)}")
    elif role != ANON:
        with schema_context("public"):
            key = token_issue(user=platform_account(role)).key
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@dataclass
class PlatformCall:
    url_name: str
    method: str
    expected: dict[str, int]
    kwargs: Callable[[TenantWorld], dict[str, Any]] = lambda world: {}
    body: Callable[[TenantWorld, str], dict[str, Any]] | None = None

    def path(self, world: TenantWorld) -> str:
        return reverse(self.url_name, kwargs=self.kwargs(world), urlconf=PLATFORM_URLCONF)

    def send(self, client: Any, world: TenantWorld, role: str) -> Any:
        path = self.path(world)
        data = self.body(world, role) if self.body else None
        send = getattr(client, self.method.lower())
        return send(path, data, format="json") if data is not None else send(path)


def _tenant_id(world: TenantWorld) -> dict[str, Any]:
    return {"tenant_id": world.tenant.pk}


def _archived_offboarding_id(world: TenantWorld) -> dict[str, Any]:
    """A finished offboarding of a tenant long gone, whose archive is still stored."""
    import zipfile

    from django.utils import timezone
    from django_tenants.utils import schema_context

    from crm_saas.privacy.offboarding import tenant_archive_store
    from tenants.models import OffboardingStatus, TenantOffboarding

    with schema_context("public"):
        offboarding = TenantOffboarding.objects.filter(schema_name="gone").first()
        if offboarding is None:
            offboarding = TenantOffboarding.objects.create(
                tenant_pk=10**9,
                schema_name="gone",
                tenant_name="Gone Ltd",
                status=OffboardingStatus.SUCCEEDED,
                progress=100,
                finished_at=timezone.now(),
            )
            archive = io.BytesIO()
            with zipfile.ZipFile(archive, "w") as bundle:
                bundle.writestr("manifest.json", "{}")
            tenant_archive_store(offboarding=offboarding, archive=archive.getvalue())
    return {"offboarding_id": offboarding.pk}


def _platform_sign_in(world: TenantWorld, role: str) -> dict[str, Any]:
    if role in PLATFORM_EMAILS:
        platform_account(role)
        return {"email": PLATFORM_EMAILS[role], "password": PASSWORD}
    if role == TENANT_ADMIN:  # a tenant admin's credentials do not exist on the platform
        return {"email": world.email(ADMIN), "password": PASSWORD}
    return {"email": "nobody@platform.test", "password": PASSWORD}


PLATFORM_API: list[PlatformCall] = [
    # Anyone may try to sign in; the token is rejected with the tenant admin's (401).
    PlatformCall(
        "api:auth-token",
        "POST",
        {OPERATOR: 201, PLATFORM_USER: 201, TENANT_ADMIN: 401, ANON: 400},
        body=_platform_sign_in,
    ),
    PlatformCall("api:auth-token", "DELETE", {OPERATOR: 204, PLATFORM_USER: 204, TENANT_ADMIN: 401, ANON: 400}),
    PlatformCall("api:me", "GET", operator_only(200)),
    PlatformCall("api:tenant-list", "GET", operator_only(200)),
    PlatformCall(
        "api:tenant-list",
        "POST",
        operator_only(201),
        body=lambda world, role: {
            "schema_name": "made_by_rbac",
            "name": "Made By RBAC",
            "domain": "made-by-rbac.localhost",
            "admin_email": "admin@made-by-rbac.test",
            "admin_password": PASSWORD,
        },
    ),
    PlatformCall("api:tenant-detail", "GET", operator_only(200), kwargs=_tenant_id),
    PlatformCall(
        "api:tenant-detail", "PATCH", operator_only(200), kwargs=_tenant_id, body=lambda w, r: {"is_active": True}
    ),
    # Offboarding: confirmed by the schema name; the run itself is left to a worker.
    PlatformCall(
        "api:tenant-offboard", "POST", operator_only(202), kwargs=_tenant_id, body=lambda w, r: {"confirm": w.schema}
    ),
    PlatformCall("api:offboarding-list", "GET", operator_only(200)),
    PlatformCall("api:offboarding-detail", "GET", operator_only(200), kwargs=_archived_offboarding_id),
    PlatformCall("api:offboarding-archive", "GET", operator_only(200), kwargs=_archived_offboarding_id),
    PlatformCall("api:offboarding-archive", "DELETE", operator_only(200), kwargs=_archived_offboarding_id),
]
