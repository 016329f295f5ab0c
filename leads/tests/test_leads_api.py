"""/api/v1/leads/: CRUD, filters, owner scoping for sales reps, typed custom attributes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm_saas.roles import Role
from leads.models import CustomField, Lead
from leads.services import lead_create
from tenants.accounts.services import user_create
from tests.surface import ADMIN, MANAGER, REP, VIEWER

pytestmark = pytest.mark.django_db

FULL_LEAD = {
    "external_id": "crm-42",
    "name": "Ada Lovelace",
    "company": "Analytical Engines Ltd",
    "email": "Ada@Engines.test",
    "phone": "+44 20 7946 0000",
    "title": "CTO",
    "industry": "Software",
    "company_size": "11-50",
    "country": "United Kingdom",
    "city": "London",
    "source": "referral",
    "utm_source": "partner",
    "utm_medium": "email",
    "utm_campaign": "spring",
    "platform": "web",
    "referred": True,
    "attributes": {"Budget (EUR)": 12000, "Wants demo": True, "Notes": "asked about SSO"},
}


def test_create_returns_every_field_and_types_new_attributes(alpha) -> None:
    response = alpha.api(REP).post("/api/v1/leads/", FULL_LEAD)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["external_id"] == "crm-42"
    assert body["email"] == "ada@engines.test"
    assert body["status"] == "new"
    assert body["owner"]["email"] == alpha.email(REP)
    assert body["attributes"] == {"budget_eur": 12000, "wants_demo": True, "notes": "asked about SSO"}
    with alpha.active():
        types = dict(CustomField.objects.values_list("key", "type"))
    assert types == {"budget_eur": "number", "wants_demo": "boolean", "notes": "text"}

    # The same attribute must keep its type afterwards.
    clash = alpha.api(REP).patch(f"/api/v1/leads/{body['id']}/", {"attributes": {"Budget (EUR)": "lots"}})
    assert clash.status_code == 400
    assert clash.json()["errors"] == {"attributes.budget_eur": ["'lots' is not a number."]}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 400, "name"),
        ({"email": "nope"}, 400, "email"),
        ({"company": "X", "status": "won"}, 400, "status"),
        ({"company": "X", "referred": "perhaps"}, 400, "referred"),
        ({"company": "X", "attributes": ["a"]}, 400, "attributes"),
        ({"company": "X", "owner": 99999}, 400, "owner"),
        ({"company": "X", "name": "n" * 201}, 400, "name"),
    ],
)
def test_bad_leads_are_refused_with_the_field_named(alpha, body: dict, status: int, field: str) -> None:
    response = alpha.api(ADMIN).post("/api/v1/leads/", body)
    assert response.status_code == status, response.json()
    assert field in response.json()["errors"], response.json()
    with alpha.active():
        assert not Lead.objects.exists()


def test_external_ids_are_unique_and_filterable(alpha) -> None:
    client = alpha.api(ADMIN)
    client.post("/api/v1/leads/", {"company": "One", "external_id": "ext-1"})
    client.post("/api/v1/leads/", {"company": "Two", "external_id": "ext-2"})
    duplicate = client.post("/api/v1/leads/", {"company": "Three", "external_id": "ext-1"})
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"] == {"external_id": ["Another lead already has external id 'ext-1'."]}
    found = client.get("/api/v1/leads/", {"external_id": "ext-2"}).json()
    assert [lead["company"] for lead in found["results"]] == ["Two"]


def test_sales_reps_see_and_change_only_their_own_leads(alpha) -> None:
    with alpha.active():
        other_rep = user_create(email="rep2@alpha.test", role=Role.SALES_REP, password="Another-rep-pass-1")
        theirs = lead_create(actor=other_rep, data={"company": "Not yours Inc"})
        mine = lead_create(actor=alpha.users[REP], data={"company": "Mine Inc"})
        assigned = lead_create(actor=alpha.users[MANAGER], data={"company": "Assigned Inc", "owner": alpha.users[REP]})

    rep = alpha.api(REP)
    listed = {lead["company"] for lead in rep.get("/api/v1/leads/").json()["results"]}
    assert listed == {"Mine Inc", "Assigned Inc"}
    assert rep.get(f"/api/v1/leads/{theirs.pk}/").status_code == 404
    assert rep.patch(f"/api/v1/leads/{theirs.pk}/", {"status": "lost"}).status_code == 404
    assert rep.get(f"/api/v1/leads/{assigned.pk}/").status_code == 200

    handover = rep.patch(f"/api/v1/leads/{mine.pk}/", {"owner": other_rep.pk})
    assert handover.status_code == 403
    assert handover.json()["errors"] == {"owner": ["Only managers and admins can assign leads to someone else."]}
    assert alpha.api(MANAGER).patch(f"/api/v1/leads/{mine.pk}/", {"owner": other_rep.pk}).status_code == 200

    everything = {lead["company"] for lead in alpha.api(VIEWER).get("/api/v1/leads/").json()["results"]}
    assert everything == {"Not yours Inc", "Mine Inc", "Assigned Inc"}


def test_status_changes_stamp_and_clear_outcome_times(alpha) -> None:
    client = alpha.api(MANAGER)
    lead_id = client.post("/api/v1/leads/", {"company": "Closer"}).json()["id"]
    converted = client.patch(f"/api/v1/leads/{lead_id}/", {"status": "converted"}).json()
    assert converted["converted_at"] and converted["lost_at"] is None
    reopened = client.patch(f"/api/v1/leads/{lead_id}/", {"status": "qualified"}).json()
    assert reopened["converted_at"] is None
    lost = client.patch(f"/api/v1/leads/{lead_id}/", {"status": "lost"}).json()
    assert lost["lost_at"] and lost["converted_at"] is None


def test_filters_search_and_ordering(alpha) -> None:
    client = alpha.api(ADMIN)
    for company, source in (("Bravo", "web"), ("Alpha Widgets", "referral"), ("Charlie", "referral")):
        client.post("/api/v1/leads/", {"company": company, "source": source, "email": f"x@{company[:3]}.test"})
    by_name = client.get("/api/v1/leads/", {"ordering": "company"}).json()["results"]
    assert [lead["company"] for lead in by_name] == ["Alpha Widgets", "Bravo", "Charlie"]
    referral = client.get("/api/v1/leads/", {"source": "Referral", "ordering": "-company"}).json()["results"]
    assert [lead["company"] for lead in referral] == ["Charlie", "Alpha Widgets"]
    assert client.get("/api/v1/leads/", {"search": "widg"}).json()["count"] == 1
    assert client.get("/api/v1/leads/", {"owner": "me"}).json()["count"] == 3
    soon = (timezone.now() + timedelta(hours=1)).isoformat()
    assert client.get("/api/v1/leads/", {"created_after": soon}).json()["count"] == 0
    bad = client.get("/api/v1/leads/", {"ordering": "password", "owner": "bob", "created_after": "yesterday"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"ordering", "owner", "created_after"}


def test_listing_costs_the_same_number_of_queries_for_many_leads(alpha) -> None:
    client = alpha.api(MANAGER)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/leads/", {"page_size": 200}).status_code == 200
        return len(captured)

    with alpha.active():
        lead_create(actor=alpha.users[REP], data={"company": "First"})
    queries()  # warm-up: the first request also records the token's use
    few = queries()
    with alpha.active():
        for index in range(30):
            lead_create(actor=alpha.users[REP if index % 2 else MANAGER], data={"company": f"Co {index}"})
    assert queries() == few


def test_activities_are_recorded_and_validated(alpha) -> None:
    client = alpha.api(REP)
    lead_id = client.post("/api/v1/leads/", {"company": "Busy"}).json()["id"]
    created = client.post(f"/api/v1/leads/{lead_id}/activities/", {"kind": "time_on_site", "quantity": 320})
    assert created.status_code == 201 and created.json()["quantity"] == 320
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert client.post(f"/api/v1/leads/{lead_id}/activities/", {"kind": "visit", "occurred_at": future}).json()[
        "errors"
    ] == {"occurred_at": ["Activity cannot be in the future."]}
    assert client.post(f"/api/v1/leads/{lead_id}/activities/", {"kind": "fax"}).status_code == 400
    assert client.post(f"/api/v1/leads/{lead_id}/activities/", {"kind": "call", "quantity": -1}).status_code == 400
    assert [a["kind"] for a in client.get(f"/api/v1/leads/{lead_id}/activities/").json()["results"]] == ["time_on_site"]


def test_lead_pages_create_show_and_edit(alpha) -> None:
    page = alpha.web(REP)
    created = page.post(
        "/leads/new/", {"name": "Grace Hopper", "company": "Navy", "status": "new", "email": "grace@navy.test"}
    )
    assert created.status_code == 302
    detail = page.get(created["Location"])
    assert b"Grace Hopper" in detail.content and b"grace@navy.test" in detail.content
    assert b">Delete<" not in detail.content  # reps cannot delete
    invalid = page.post("/leads/new/", {"status": "new"})
    assert invalid.status_code == 200 and b"at least a name, a company or an e-mail" in invalid.content
    listing = alpha.web(VIEWER).get("/leads/")
    assert b"Grace Hopper" in listing.content and b"New lead" not in listing.content
