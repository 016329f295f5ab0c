"""Customer and event CSV imports on the shared engine; lead imports convert into customers in bulk."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm_saas.errors import DomainError
from crm_saas.jobs.models import Job
from crm_saas.storage import get_object_store
from leads.imports.service import lead_import_run, lead_import_start
from lifecycle.imports.service import (
    customer_event_import_run,
    customer_event_import_start,
    customer_import_run,
    customer_import_start,
)
from lifecycle.models import Customer, CustomerField, LifecycleEvent
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.django_db

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"
TELCO_CSV = DATASETS / "telco_churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"

CUSTOMERS = (
    "Account,Company,Contact,E-mail,Plan,Monthly Charges,Churned,Seats,Region\n"
    "A-1,Engines,Ada,ada@engines.test,Team,99,No,5,EU\n"
    "A-2,Bletchley,Alan,alan@b.test,Starter,29.5,Yes,1,UK\n"
    "A-3,Bad Mail,Bea,not-an-email,Team,99,No,2,EU\n"
    "A-4,Odd,Otto,otto@x.test,Team,99,maybe,2,EU\n"
    "A-5,Negative,Nina,nina@x.test,Team,-5,No,2,EU\n"
    ",,,,,,,,\n"
    ",,,,Team,10,No,3,EU\n"
)
OPTIONS = {"outcome_column": "Churned", "external_id_column": "Account"}


def run(world, start, runner, content: bytes, **options) -> dict:
    with world.active():
        job = start(actor=world.users[MANAGER], upload=SimpleUploadedFile("x.csv", content), **options)
        return runner(Job.objects.get(pk=job.pk), lambda percent: None)


def import_customers(world, content: bytes, **options) -> dict:
    return run(world, customer_import_start, customer_import_run, content, **options)


def import_events(world, content: bytes, **options) -> dict:
    return run(world, customer_event_import_start, customer_event_import_run, content, **options)


def test_customers_import_with_a_row_level_report(alpha) -> None:
    result = import_customers(alpha, CUSTOMERS.encode(), **OPTIONS)
    assert (result["rows"], result["created"], result["updated"], result["failed"]) == (6, 2, 0, 4)
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (4, "E-mail"),
        (5, "Churned"),
        (6, "Monthly Charges"),
        (8, None),
    ]
    with alpha.active():
        ada = Customer.objects.get(external_id="A-1")
        assert (ada.company, ada.name, ada.plan, str(ada.mrr), ada.status) == (
            "Engines",
            "Ada",
            "Team",
            "99.00",
            "active",
        )
        assert ada.attributes == {"seats": 5, "region": "EU"} and ada.owner == alpha.users[MANAGER]
        alan = Customer.objects.get(external_id="A-2")
        assert alan.status == "churned" and alan.churned_at is not None
        assert sorted(alan.events.values_list("kind", flat=True)) == ["cancellation", "signup"]
        assert dict(CustomerField.objects.values_list("key", "type")) == {"seats": "number", "region": "category"}
        assert get_object_store().list_keys("tenants/alpha/uploads/") == []


def test_reimporting_updates_by_external_id(alpha) -> None:
    import_customers(alpha, b"Account,Company,Churned\nA-1,First,no\nA-2,Second,yes\n", **OPTIONS)
    result = import_customers(alpha, b"Account,Company,Churned\nA-1,First Renamed,yes\nA-2,Second,no\n", **OPTIONS)
    assert (result["created"], result["updated"]) == (0, 2)
    with alpha.active():
        assert Customer.objects.count() == 2
        first, second = Customer.objects.get(external_id="A-1"), Customer.objects.get(external_id="A-2")
        assert (first.company, first.status) == ("First Renamed", "churned")
        assert (second.status, second.churned_at) == ("active", None)
        assert second.events.filter(kind="reactivation").count() == 1


def test_events_import_reports_bad_rows_and_unknown_customers_and_skips_repeats(alpha) -> None:
    import_customers(alpha, b"Account,Company\nA-1,First\nA-2,Second\n", external_id_column="Account")
    content = (
        b"Customer ID,Event,Date,Amount,Severity,NPS,Usage,Note,Channel\n"
        b"A-1,Ticket opened,2025-01-03T10:00,,urgent,,,Down,phone\n"
        b"A-1,nps,2025-01-04,,,3,,,\n"
        b"A-2,purchase,2025-01-05,120.50,,,,,web\n"
        b"A-2,cancellation,2025-02-01,,,,,,\n"
        b"A-9,login,2025-01-05,,,,,,\n"
        b"A-1,party,2025-01-05,,,,,,\n"
        b"A-1,login,2099-01-05,,,,,,\n"
        b"A-1,login,2025-01-05,,high,,,,\n"
        b"A-1,nps,2025-01-05,,,12,,,\n"
        b"A-1,,2025-01-05,,,,,,\n"
    )
    result = import_events(alpha, content)
    assert (result["rows"], result["created"], result["failed"]) == (10, 4, 6)
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (6, "Customer ID"),
        (7, "Event"),
        (8, "Date"),
        (9, "Severity"),
        (10, "NPS"),
        (11, "Event"),
    ]
    assert result["errors"][0]["message"] == "No customer has external id 'A-9'."
    with alpha.active():
        first = Customer.objects.get(external_id="A-1")
        ticket = first.events.get(kind="ticket_opened")
        assert (ticket.severity, ticket.note, ticket.metadata) == ("urgent", "Down", {"channel": "phone"})
        assert Customer.objects.get(external_id="A-2").status == "churned"

    again = import_events(alpha, content)
    assert (again["created"], again["skipped"]) == (0, 4)


def test_options_are_checked_before_a_job_exists(alpha) -> None:
    with alpha.active():
        with pytest.raises(DomainError, match="no column 'Won'"):
            customer_import_start(
                actor=alpha.users[MANAGER], upload=SimpleUploadedFile("a.csv", b"a\n1\n"), outcome_column="Won"
            )
        with pytest.raises(DomainError, match="not a customer field"):
            customer_import_start(
                actor=alpha.users[MANAGER], upload=SimpleUploadedFile("a.csv", b"a\n1\n"), mapping={"a": "colour"}
            )
        with pytest.raises(DomainError, match="no outcome column"):
            customer_event_import_start(
                actor=alpha.users[MANAGER], upload=SimpleUploadedFile("a.csv", b"a\n1\n"), outcome_column="a"
            )
        assert not Job.objects.exists()


def test_import_api_returns_a_job(alpha) -> None:
    def upload(content: bytes) -> io.BytesIO:
        data = io.BytesIO(content)
        data.name = "c.csv"
        return data

    client = alpha.api(MANAGER)
    started = client.post(
        "/api/v1/customers/import/",
        {"file": upload(CUSTOMERS.encode()), **OPTIONS, "mapping": '{"Region": "ignore"}'},
        format="multipart",
    )
    assert started.status_code == 202 and started.json()["kind"] == "lifecycle.customer_import"
    with alpha.active():
        plan = {c["source"]: c["use"] for c in Job.objects.get(pk=started.json()["id"]).params["plan"]["columns"]}
    assert plan["Region"] == "ignore" and plan["Churned"] == "outcome" and plan["Account"] == "external_id"
    events = client.post(
        "/api/v1/customers/events/import/",
        {"file": upload(b"customer,kind,date\nA-1,login,2025-01-01\n")},
        format="multipart",
    )
    assert events.status_code == 202 and events.json()["kind"] == "lifecycle.event_import"
    bad = client.post("/api/v1/customers/import/", {"file": upload(b"a\n1\n"), "mapping": "{oops"}, format="multipart")
    assert bad.status_code == 400 and "mapping" in bad.json()["errors"]
    empty = client.post("/api/v1/customers/import/", {"file": upload(b"")}, format="multipart")
    assert empty.status_code == 400
    rep = alpha.api(REP).post("/api/v1/customers/import/", {"file": upload(b"a\n1\n")}, format="multipart")
    assert rep.status_code == 403


def test_converted_leads_from_a_lead_import_become_customers_in_bulk(alpha) -> None:
    content = b"Lead ID,Company,Email,Converted\nL-1,Won Co,won@x.test,1\nL-2,Lost Co,,0\nL-3,Also Won,,yes\n"
    with alpha.active():
        job = lead_import_start(
            actor=alpha.users[MANAGER],
            upload=SimpleUploadedFile("l.csv", content),
            outcome_column="Converted",
            external_id_column="Lead ID",
        )
        lead_import_run(Job.objects.get(pk=job.pk), lambda percent: None)
        assert sorted(Customer.objects.values_list("company", flat=True)) == ["Also Won", "Won Co"]
        assert LifecycleEvent.objects.filter(kind="signup").count() == 2
        job = lead_import_start(
            actor=alpha.users[MANAGER],
            upload=SimpleUploadedFile("l.csv", content),
            outcome_column="Converted",
            external_id_column="Lead ID",
        )
        lead_import_run(Job.objects.get(pk=job.pk), lambda percent: None)  # re-import: nothing twice
        assert Customer.objects.count() == 2 and LifecycleEvent.objects.count() == 2


@pytest.mark.skipif(not TELCO_CSV.exists(), reason=f"dataset not present at {TELCO_CSV} (outside the repo)")
def test_the_telco_churn_file_imports_without_file_specific_code(alpha) -> None:
    started = time.perf_counter()
    result = import_customers(alpha, TELCO_CSV.read_bytes(), outcome_column="Churn", external_id_column="customerID")
    elapsed = time.perf_counter() - started
    assert (result["rows"], result["failed"], result["created"]) == (7043, 0, 7043), result["errors"][:5]
    with alpha.active():
        assert Customer.objects.filter(status="churned").count() == 1869
        types = dict(CustomerField.objects.values_list("key", "type"))
        assert types["tenure"] == "number" and types["totalcharges"] == "number"
        assert types["contract"] == "category" and types["seniorcitizen"] == "boolean"
        assert Customer.objects.filter(mrr__gt=0).count() == 7043  # MonthlyCharges
    print(f"imported 7,043 Telco customers in {elapsed:.1f}s")
