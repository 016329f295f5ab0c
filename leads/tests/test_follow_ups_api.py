"""Follow-ups over the API: a lead's (/api/v1/leads/<id>/follow-ups/), one's own (/api/v1/follow-ups/),
completing and reopening them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crm_saas.roles import Role
from leads.models import FollowUp
from leads.services import follow_up_complete, follow_up_schedule, lead_create
from tenants.accounts.services import user_create
from tests.surface import ADMIN, MANAGER, REP, VIEWER

pytestmark = pytest.mark.django_db


def _in(**delta: float) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


@pytest.fixture
def lead(alpha):
    with alpha.active():
        return lead_create(actor=alpha.users[REP], data={"name": "John Smith", "company": "ABC Corp"})


def lead_url(lead_id: int) -> str:
    return f"/api/v1/leads/{lead_id}/follow-ups/"


def test_a_rep_schedules_with_defaults(alpha, lead) -> None:
    response = alpha.api(REP).post(lead_url(lead.pk), {"due_at": _in(days=1), "kind": "call"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Call John Smith"
    assert body["kind"] == "call"
    assert body["assignee"]["email"] == alpha.email(REP)
    assert body["created_by"]["email"] == alpha.email(REP)
    assert body["lead"] == {"id": lead.pk, "display_name": "John Smith", "company": "ABC Corp", "status": "new"}
    assert body["done_at"] is None and body["is_overdue"] is False


def test_a_manager_schedules_for_the_owner_or_anyone_who_can_work_the_lead(alpha, lead) -> None:
    manager = alpha.api(MANAGER)
    for_owner = manager.post(lead_url(lead.pk), {"due_at": _in(hours=2), "kind": "demo", "title": "Show SSO"}).json()
    assert (for_owner["assignee"]["email"], for_owner["title"]) == (alpha.email(REP), "Show SSO")
    for_admin = manager.post(lead_url(lead.pk), {"due_at": _in(hours=3), "assignee": alpha.users[ADMIN].pk})
    assert for_admin.status_code == 201 and for_admin.json()["assignee"]["email"] == alpha.email(ADMIN)
    listed = alpha.api(VIEWER).get(lead_url(lead.pk)).json()
    assert [item["title"] for item in listed["results"]] == ["Show SSO", "Follow up with John Smith"]


NO_ZONE = "Give the time zone too, e.g. 2026-03-10T15:00:00+01:00 or ...T14:00:00Z."
LATER = "2099-01-01T09:00:00Z"


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        ({}, 400, "due_at", "This field is required."),
        ({"due_at": "2030-03-01T15:00:00"}, 400, "due_at", NO_ZONE),
        ({"due_at": "next tuesday"}, 400, "due_at", None),
        # Well formed but impossible moments (found by fuzzing the API): a clear 400, not a 500.
        ({"due_at": "2030-01-01T12:99:00Z"}, 400, "due_at", None),
        ({"due_at": "2030-02-30T12:00:00+01:00"}, 400, "due_at", None),
        ({"due_at": "2020-01-01T09:00:00Z"}, 400, "due_at", "The due time is in the past."),
        ({"due_at": LATER, "kind": "fax"}, 400, "kind", '"fax" is not a valid choice.'),
        ({"due_at": LATER, "title": "t" * 201}, 400, "title", None),
        ({"due_at": LATER, "assignee": 999999}, 400, "assignee", None),
        (
            {"due_at": LATER, "assignee": MANAGER},
            403,
            "assignee",
            "Only managers and admins can give follow-ups to someone else.",
        ),
    ],
)
def test_bad_follow_ups_are_refused_with_a_message(alpha, lead, body: dict, status: int, field: str, message) -> None:
    if body.get("assignee") == MANAGER:
        body = {**body, "assignee": alpha.users[MANAGER].pk}
    response = alpha.api(REP).post(lead_url(lead.pk), body, format="json")
    assert response.status_code == status, response.json()
    errors = response.json()["errors"]
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    with alpha.active():
        assert not FollowUp.objects.exists()


def test_viewers_read_but_cannot_schedule_or_complete(alpha, lead) -> None:
    with alpha.active():
        follow_up = follow_up_schedule(lead=lead, actor=alpha.users[REP], due_at=timezone.now() + timedelta(days=1))
    viewer = alpha.api(VIEWER)
    assert viewer.get(lead_url(lead.pk)).json()["count"] == 1
    assert viewer.post(lead_url(lead.pk), {"due_at": _in(days=1)}).status_code == 403
    assert viewer.post(f"/api/v1/follow-ups/{follow_up.pk}/complete/").status_code == 403
    assert viewer.get("/api/v1/follow-ups/").json()["count"] == 0  # nothing is assigned to a viewer
    assert viewer.get("/api/v1/follow-ups/", {"assignee": "all"}).json()["count"] == 1


def test_anonymous_callers_are_asked_to_sign_in(alpha, lead) -> None:
    anonymous = alpha.api()
    assert anonymous.get(lead_url(lead.pk)).status_code == 401
    assert anonymous.post(lead_url(lead.pk), {"due_at": _in(days=1)}).status_code == 401
    assert anonymous.get("/api/v1/follow-ups/").status_code == 401
    assert anonymous.post("/api/v1/follow-ups/1/complete/").status_code == 401


def test_my_follow_ups_open_done_and_everyone(alpha, lead) -> None:
    now = timezone.now()
    with alpha.active():
        rep, manager = alpha.users[REP], alpha.users[MANAGER]
        soon = follow_up_schedule(lead=lead, actor=rep, due_at=now + timedelta(hours=1), title="Soon")
        late = follow_up_schedule(lead=lead, actor=rep, due_at=now - timedelta(minutes=2), title="Late")
        done = follow_up_schedule(lead=lead, actor=rep, due_at=now + timedelta(days=1), title="Done")
        follow_up_complete(follow_up=done, actor=rep)
        follow_up_schedule(lead=lead, actor=manager, due_at=now + timedelta(days=2), title="Mgr", assignee=manager)

    rep_client = alpha.api(REP)
    mine = rep_client.get("/api/v1/follow-ups/").json()["results"]
    assert [(item["title"], item["is_overdue"]) for item in mine] == [("Late", True), ("Soon", False)]
    assert [item["title"] for item in rep_client.get("/api/v1/follow-ups/", {"status": "done"}).json()["results"]] == [
        "Done"
    ]
    assert rep_client.get("/api/v1/follow-ups/", {"status": "all"}).json()["count"] == 3
    refused = rep_client.get("/api/v1/follow-ups/", {"assignee": "all"})
    assert refused.status_code == 403
    assert refused.json()["errors"] == {"assignee": ["Only managers and admins can list everyone's follow-ups."]}
    bad = rep_client.get("/api/v1/follow-ups/", {"status": "late", "assignee": "bob"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"status", "assignee"}

    manager_client = alpha.api(MANAGER)
    assert [item["title"] for item in manager_client.get("/api/v1/follow-ups/").json()["results"]] == ["Mgr"]
    everyone = manager_client.get("/api/v1/follow-ups/", {"assignee": "all"}).json()["results"]
    assert [item["title"] for item in everyone] == ["Late", "Soon", "Mgr"]
    assert {soon.pk, late.pk} <= {item["id"] for item in everyone}


def test_complete_and_reopen(alpha, lead) -> None:
    with alpha.active():
        follow_up = follow_up_schedule(lead=lead, actor=alpha.users[REP], due_at=timezone.now() + timedelta(days=1))
    client = alpha.api(REP)
    completed = client.post(f"/api/v1/follow-ups/{follow_up.pk}/complete/")
    assert completed.status_code == 200 and completed.json()["done_at"]
    assert client.get("/api/v1/follow-ups/").json()["count"] == 0
    again = client.post(f"/api/v1/follow-ups/{follow_up.pk}/complete/").json()
    assert again["done_at"] == completed.json()["done_at"]
    reopened = client.post(f"/api/v1/follow-ups/{follow_up.pk}/reopen/")
    assert reopened.status_code == 200 and reopened.json()["done_at"] is None
    assert client.get("/api/v1/follow-ups/").json()["count"] == 1


def test_follow_ups_one_cannot_see_answer_404(alpha, beta) -> None:
    with alpha.active():
        other = user_create(email="rep2@alpha.test", role=Role.SALES_REP, password="Another-rep-pass-1")
        theirs = lead_create(actor=other, data={"company": "Not yours"})
        follow_up = follow_up_schedule(lead=theirs, actor=other, due_at=timezone.now() + timedelta(days=1))
    rep = alpha.api(REP)
    assert rep.get(lead_url(theirs.pk)).json() == {"detail": "Lead not found.", "errors": {}}
    assert rep.post(lead_url(theirs.pk), {"due_at": _in(days=1)}).status_code == 404
    missing = rep.post(f"/api/v1/follow-ups/{follow_up.pk}/complete/")
    assert missing.json() == {"detail": "Follow-up not found.", "errors": {}}
    assert rep.post(f"/api/v1/follow-ups/{follow_up.pk}/reopen/").status_code == 404
    assert rep.post("/api/v1/follow-ups/999999/complete/").status_code == 404
    # A user of another tenant: the ids mean nothing there.
    visitor = beta.api(ADMIN)
    assert visitor.get(lead_url(theirs.pk)).status_code == 404
    assert visitor.post(f"/api/v1/follow-ups/{follow_up.pk}/complete/").status_code == 404
    assert visitor.get("/api/v1/follow-ups/", {"assignee": "all"}).json()["count"] == 0
    with alpha.active():
        follow_up.refresh_from_db()
        assert follow_up.done_at is None


def test_listing_follow_ups_costs_a_fixed_number_of_queries(alpha, django_assert_max_num_queries) -> None:
    with alpha.active():
        reps = [user_create(email=f"rep-q{index}@alpha.test", role=Role.SALES_REP) for index in range(3)]
        for index in range(30):
            owner = reps[index % 3]
            lead = lead_create(actor=owner, data={"company": f"Co {index}"})
            follow_up_schedule(lead=lead, actor=owner, due_at=timezone.now() + timedelta(hours=index + 1))
    client = alpha.api(MANAGER)
    client.get("/api/v1/follow-ups/")  # warm-up: the first request also records the token's use
    # Host -> tenant, token, count, one page with leads, assignees and creators joined in; django-tenants
    # sets the search path before each query in the tenant's schema.
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/follow-ups/", {"assignee": "all", "page_size": 200})
    assert response.json()["count"] == 30
    with django_assert_max_num_queries(10):  # ... and the lead
        assert client.get(lead_url(lead.pk)).json()["count"] == 1
