"""Customer and event import pages: upload, preview the plan, adjust it, confirm, follow the job."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm_saas.jobs.models import Job
from crm_saas.jobs.services import job_run
from crm_saas.storage import get_object_store
from lifecycle.imports.service import (
    customer_event_import_run,
    customer_import_run,
    customer_import_uploads_purge,
)
from lifecycle.models import Customer, LifecycleEvent
from tests.surface import MANAGER, REP

pytestmark = pytest.mark.django_db

CUSTOMERS = (
    "Account,Company,Contact,E-mail,Plan,Monthly Charges,Churned,Seats\n"
    "A-1,Engines,Ada,ada@engines.test,Team,99,No,5\n"
    "A-2,Bletchley,Alan,alan@b.test,Starter,29.5,Yes,1\n"
    "A-3,Bad Mail,Bea,not-an-email,Team,99,No,2\n"
)
EVENTS = (
    "Customer,Event,Date,Amount,Severity\n"
    "A-1,purchase,2026-03-01,120,\n"
    "A-1,ticket_opened,2026-03-05,,urgent\n"
    "A-9,renewal,2026-03-09,99,\n"
)


def upload(page, url: str, content: str, **options) -> str:
    response = page.post(url, {"file": SimpleUploadedFile("x.csv", content.encode(), "text/csv"), **options})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def test_customers_are_imported_through_the_pages_with_a_row_report(alpha) -> None:
    page = alpha.web(MANAGER)
    listing = page.get("/customers/").content.decode()
    assert 'href="/customers/import/"' in listing and 'href="/customers/events/import/"' in listing
    preview_url = upload(page, "/customers/import/", CUSTOMERS, outcome_column="Churned", external_id_column="Account")

    html = page.get(preview_url).content.decode()
    assert "Customer field: company (detected)" in html and "Custom attribute (detected)" in html
    assert "Row 4 (E-mail): &#x27;not-an-email&#x27; is not a valid e-mail address." in html
    adjusted = page.post(
        preview_url, {"outcome_column": "Churned", "external_id_column": "Account", "map:Seats": "ignore"}
    )
    assert 'value="ignore" selected' in adjusted.content.decode()
    with alpha.active():
        assert not Customer.objects.exists()  # a preview writes nothing

    confirmed = page.post(
        preview_url,
        {"outcome_column": "Churned", "external_id_column": "Account", "map:Seats": "ignore", "confirm": ""},
    )
    assert confirmed.status_code == 302 and confirmed["Location"].startswith("/customers/imports/")
    progress = page.get(confirmed["Location"]).content.decode()
    assert "Import customers" in progress and "data-job-url" in progress
    with alpha.active():
        job = Job.objects.get(kind="lifecycle.customer_import")
        job_run(job_id=str(job.id), handler=customer_import_run)
        job.refresh_from_db()
        assert (job.result["created"], job.result["failed"]) == (2, 1), job.result
        assert set(Customer.objects.values_list("external_id", "status")) == {("A-1", "active"), ("A-2", "churned")}
        assert not Customer.objects.filter(attributes__has_key="seats").exists()  # the column was ignored
    assert page.get(preview_url).status_code == 404  # the upload was handed to the job


def test_events_are_imported_through_the_pages(alpha) -> None:
    page = alpha.web(MANAGER)
    customers_url = upload(page, "/customers/import/", CUSTOMERS, external_id_column="Account")
    page.post(customers_url, {"external_id_column": "Account", "confirm": ""})
    with alpha.active():
        job_run(job_id=str(Job.objects.get(kind="lifecycle.customer_import").id), handler=customer_import_run)

    preview_url = upload(page, "/customers/events/import/", EVENTS)
    html = page.get(preview_url).content.decode()
    assert "Event field" in html and "Outcome column" not in html  # events have no outcome
    confirmed = page.post(preview_url, {"confirm": ""})
    assert confirmed.status_code == 302
    with alpha.active():
        job = Job.objects.get(kind="lifecycle.event_import")
        job_run(job_id=str(job.id), handler=customer_event_import_run)
        job.refresh_from_db()
        assert job.result["created"] == 2 and job.result["failed"] == 1
        assert "A-9" in job.result["errors"][0]["message"]
        assert LifecycleEvent.objects.filter(customer__external_id="A-1", kind="ticket_opened").exists()


def test_bad_files_and_who_may_import(alpha, beta) -> None:
    page = alpha.web(MANAGER)
    refused = page.post("/customers/import/", {"file": SimpleUploadedFile("x.csv", b"", "text/csv")})
    assert refused.status_code == 200 and "error" in refused.content.decode().lower()
    assert alpha.web(REP).get("/customers/import/").status_code == 403
    assert page.get("/customers/import/not-a-token/").status_code == 404
    # Another user's (or workspace's) progress page is not found.
    preview_url = upload(page, "/customers/import/", CUSTOMERS, external_id_column="Account")
    progress_url = page.post(preview_url, {"external_id_column": "Account", "confirm": ""})["Location"]
    assert beta.web(MANAGER).get(progress_url).status_code == 404


def test_uploads_previewed_but_never_imported_are_purged(alpha) -> None:
    page = alpha.web(MANAGER)
    upload(page, "/customers/import/", CUSTOMERS)
    upload(page, "/customers/events/import/", EVENTS)
    with alpha.active():
        store = get_object_store()
        assert customer_import_uploads_purge() == 0  # fresh: kept for the user to confirm
        time.sleep(0.01)
        assert customer_import_uploads_purge(older_than=timedelta(0)) == 2
        assert store.list_keys("tenants/alpha/uploads/customer-imports/") == []
        assert store.list_keys("tenants/alpha/uploads/customer-event-imports/") == []
