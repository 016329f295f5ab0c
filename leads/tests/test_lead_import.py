"""Lead CSV import: inferred plan, typed attributes, outcomes, upserts by external id, and a
row-level report for bad rows; plus the real X Education file when it is available."""

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
from leads.models import CustomField, Lead
from tests.surface import ADMIN, MANAGER

pytestmark = pytest.mark.django_db

LEADS_CSV = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "x_education_leads" / "Leads.csv"

SAMPLE = (
    "Lead ID,Full Name,Organisation,E-mail,Lead Source,Converted,Total Visits,Newsletter,Specialization,Notes,\r\n"
    "L-1,Ada Lovelace,Engines,ada@engines.test,Referral,Yes,5,No,Finance,called twice,\r\n"
    "L-2,Alan Turing,Bletchley,alan@bletchley.test,Web,0,12,yes,Select,,\r\n"
    "L-3,Bad Mail,Nowhere,not-an-email,Web,1,3,No,IT,,\r\n"
    "L-4,Odd Outcome,Somewhere,odd@x.test,Web,maybe,3,No,IT,,\r\n"
    "L-5,Many Values,Too,many@x.test,Web,1,3,No,IT,,,extra,more\r\n"
    "L-6,Grace Hopper,Navy,grace@navy.test,Event,no,lots,No,IT,,\r\n"
)
OPTIONS = {"outcome_column": "Converted", "external_id_column": "Lead ID"}


def run_import(world, content: bytes, **options) -> tuple[Job, dict]:
    with world.active():
        job = lead_import_start(actor=world.users[MANAGER], upload=SimpleUploadedFile("leads.csv", content), **options)
        result = lead_import_run(Job.objects.get(pk=job.pk), lambda percent: None)
    return job, result


def test_plan_maps_fields_types_attributes_and_ignores_the_empty_trailing_column(alpha) -> None:
    job, _ = run_import(alpha, SAMPLE.encode(), **OPTIONS)
    columns = {column["source"]: column for column in job.params["plan"]["columns"]}
    assert (columns["Lead ID"]["use"], columns["Converted"]["use"]) == ("external_id", "outcome")
    assert columns["Full Name"]["target"] == "name"
    assert columns["Organisation"]["target"] == "company"
    assert columns["E-mail"]["target"] == "email"
    assert columns["Lead Source"]["target"] == "source"
    assert (columns["Newsletter"]["use"], columns["Newsletter"]["type"]) == ("attribute", "boolean")
    assert columns["Specialization"]["type"] == "category"  # "Select" counts as missing
    assert columns["Total Visits"]["type"] == "category"  # "lots" is not a number
    assert columns[""]["use"] == "ignore"


def test_good_rows_are_written_and_bad_rows_reported(alpha) -> None:
    numeric = SAMPLE.replace(",lots,", ",7,")
    _, result = run_import(alpha, numeric.encode(), **OPTIONS)

    assert (result["rows"], result["created"], result["updated"], result["failed"]) == (6, 3, 0, 3)
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(4, "E-mail"), (5, "Converted"), (6, None)]
    assert (
        result["errors"][1]["message"] == "'maybe' is not an outcome (use 1/0, yes/no, true/false or converted/lost)."
    )
    with alpha.active():
        ada = Lead.objects.get(external_id="L-1")
        assert (ada.name, ada.company, ada.source, ada.status) == ("Ada Lovelace", "Engines", "Referral", "converted")
        assert ada.converted_at is not None and ada.owner == alpha.users[MANAGER]
        assert ada.attributes == {
            "total_visits": 5,
            "newsletter": False,
            "specialization": "Finance",
            "notes": "called twice",
        }
        alan = Lead.objects.get(external_id="L-2")
        assert alan.status == "lost" and "specialization" not in alan.attributes
        assert dict(CustomField.objects.values_list("key", "type"))["total_visits"] == "number"
        assert get_object_store().list_keys("tenants/alpha/uploads/") == []


def test_reimporting_updates_by_external_id_instead_of_duplicating(alpha) -> None:
    first = "Lead ID,Company,Converted,Score Note\nA1,First Co,0,early\nA2,Second Co,0,\n"
    second = "Lead ID,Company,Converted,Score Note\nA1,First Co Renamed,1,\nA3,Third Co,0,new\n"
    run_import(alpha, first.encode(), **OPTIONS | {"outcome_column": "Converted", "external_id_column": "Lead ID"})
    _, result = run_import(alpha, second.encode(), outcome_column="Converted", external_id_column="Lead ID")

    assert (result["created"], result["updated"]) == (1, 1)
    with alpha.active():
        assert Lead.objects.count() == 3
        renamed = Lead.objects.get(external_id="A1")
        assert (renamed.company, renamed.status) == ("First Co Renamed", "converted")
        assert renamed.attributes == {"score_note": "early"}  # a blank cell does not erase a value


def test_explicit_mapping_and_semicolons(alpha) -> None:
    content = b"Org;Contact;Why\nAcme;Wile E.;needs rockets\n"
    _, result = run_import(alpha, content, mapping={"Org": "company", "Contact": "name", "Why": "ignore"})
    assert result["created"] == 1
    with alpha.active():
        lead = Lead.objects.get()
        assert (lead.company, lead.name, lead.attributes) == ("Acme", "Wile E.", {})


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        (b"", {}, "The file is empty."),
        (b"\x00\x01binary", {}, "not a CSV text file"),
        # bytes that are no text in UTF-8 (nor anything but replacement characters)
        (b"\x80", {}, "not a CSV text file"),
        (b"\xef\xbb\xbf\xff\r\n", {}, "not a CSV text file"),
        (b",,\n1,2,3\n", {}, "no header row"),
        (b"a,a\n1,2\n", {}, "Column names appear twice: a."),
        (b"a,b\n1,2\n", {"outcome_column": "Won"}, "The file has no column 'Won'."),
        (b"a,b\n1,2\n", {"mapping": {"a": "favourite_colour"}}, "'favourite_colour' is not a lead field"),
        (b"a,b\n1,2\n", {"mapping": {"zz": "name"}}, "does not have: 'zz'"),
        (b"a,b\n1,2\n", {"mapping": {"a": "name", "b": "name"}}, "Two columns map to the lead field 'name'."),
    ],
)
def test_bad_files_and_options_are_refused_before_a_job_exists(alpha, content, options, message) -> None:
    with pytest.raises(DomainError, match=message), alpha.active():
        lead_import_start(actor=alpha.users[ADMIN], upload=SimpleUploadedFile("x.csv", content), **options)
    with alpha.active():
        assert not Job.objects.exists()
        assert get_object_store().list_keys("tenants/alpha/") == []  # nothing kept for a rejected file


IMPORT_ENDPOINTS = ["/api/v1/leads/import/preview/", "/api/v1/leads/import/", "/api/v1/customers/import/"]


@pytest.mark.parametrize("path", IMPORT_ENDPOINTS)
def test_an_upload_of_undecodable_bytes_gets_a_clear_400(alpha, path) -> None:
    upload = io.BytesIO(b"\x80")
    upload.name = "file"
    response = alpha.api(MANAGER).post(path, {"file": upload, "outcome_column": "x"}, format="multipart")
    assert response.status_code == 400, response.content
    assert "not a CSV text file" in str(response.json())
    with alpha.active():
        assert not Job.objects.exists()
        assert get_object_store().list_keys("tenants/alpha/") == []


def test_import_api_preview_and_start(alpha) -> None:
    client = alpha.api(MANAGER)

    def upload() -> io.BytesIO:
        data = io.BytesIO(SAMPLE.encode())
        data.name = "leads.csv"
        return data

    preview = client.post(
        "/api/v1/leads/import/preview/",
        {"file": upload(), **OPTIONS, "mapping": '{"Notes": "ignore"}'},
        format="multipart",
    )
    assert preview.status_code == 200, preview.json()
    body = preview.json()
    assert body["sample_rows"] == 6
    assert {c["source"]: c["use"] for c in body["columns"]}["Notes"] == "ignore"
    assert {(e["row"], e["column"]) for e in body["sample_errors"]} >= {(4, "E-mail"), (5, "Converted")}
    with alpha.active():
        assert not Lead.objects.exists() and not Job.objects.exists()

    started = client.post("/api/v1/leads/import/", {"file": upload(), **OPTIONS}, format="multipart")
    assert started.status_code == 202 and started.json()["kind"] == "leads.import"
    bad_mapping = client.post("/api/v1/leads/import/", {"file": upload(), "mapping": "{oops"}, format="multipart")
    assert bad_mapping.status_code == 400 and bad_mapping.json()["errors"] == {"mapping": ["Value must be valid JSON."]}
    assert (
        alpha.api("sales_rep").post("/api/v1/leads/import/", {"file": upload()}, format="multipart").status_code == 403
    )


@pytest.mark.skipif(not LEADS_CSV.exists(), reason=f"dataset not present at {LEADS_CSV} (outside the repo)")
def test_the_x_education_file_imports_without_file_specific_code(alpha) -> None:
    started = time.perf_counter()
    _, result = run_import(alpha, LEADS_CSV.read_bytes(), outcome_column="Converted", external_id_column="Prospect ID")
    elapsed = time.perf_counter() - started

    assert (result["rows"], result["failed"], result["created"]) == (9240, 0, 9240), result["errors"][:5]
    with alpha.active():
        assert Lead.objects.filter(status="converted").count() == 3561
        assert Lead.objects.filter(status="lost").count() == 5679
        types = dict(CustomField.objects.values_list("key", "type"))
        assert types["totalvisits"] == "number"
        assert types["do_not_email"] == "boolean"
        assert types["specialization"] == "category"
        # "Select" is the form's unselected option: it is missing, never a category.
        assert not Lead.objects.filter(attributes__specialization="Select").exists()
        assert not Lead.objects.filter(attributes__has_key="").exists()
    print(f"imported 9,240 X Education leads in {elapsed:.1f}s")


def test_import_pages_upload_preview_adjust_and_confirm(alpha) -> None:
    page = alpha.web(MANAGER)
    upload = SimpleUploadedFile("leads.csv", SAMPLE.encode(), content_type="text/csv")
    uploaded = page.post("/leads/import/", {"file": upload, **OPTIONS})
    assert uploaded.status_code == 302
    preview_url = uploaded["Location"]

    preview = page.get(preview_url)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Lead field: name (detected)" in html and "Custom attribute (detected)" in html
    assert "Row 4 (E-mail): &#x27;not-an-email&#x27; is not a valid e-mail address." in html

    adjusted = page.post(preview_url, {**OPTIONS, "map:Notes": "ignore", "refresh": ""})
    assert 'value="ignore" selected' in adjusted.content.decode()
    with alpha.active():
        assert not Lead.objects.exists()

    confirmed = page.post(preview_url, {**OPTIONS, "map:Notes": "ignore", "confirm": ""})
    assert confirmed.status_code == 302 and "?job=" in confirmed["Location"]
    with alpha.active():
        job = Job.objects.get(kind="leads.import")
    plan = {column["source"]: column["use"] for column in job.params["plan"]["columns"]}
    assert plan["Notes"] == "ignore"
    assert page.get(preview_url).status_code == 404  # the upload was handed to the job
    assert page.get("/leads/import/not-a-token/").status_code == 404
    listing = page.get(confirmed["Location"])
    assert b"Lead import" in listing.content and b"data-job-url" in listing.content


def test_uploads_abandoned_at_the_preview_are_purged_after_a_day(alpha) -> None:
    from leads.imports.service import UPLOADS, lead_import_store, lead_import_uploads_purge
    from tests.surface import REP

    def stored(hours_ago: float) -> str:
        key, _ = lead_import_store(upload=SimpleUploadedFile("a.csv", b"Company\nA\n"))
        token = f"{int((time.time() - hours_ago * 3600) * 1000):012x}" + key.rsplit("/", 1)[-1][12:]
        aged = key.rsplit("/", 1)[0] + f"/{token}"
        store.put(aged, store.get(key))
        store.delete(key)
        return aged

    with alpha.active():
        store = get_object_store()
        abandoned, fresh, claimed = stored(30), stored(2), stored(50)
        Job.objects.create(kind="leads.import", created_by=alpha.users[REP], params={"object_key": claimed})
        other = store.list_keys("tenants/alpha/")
        assert lead_import_uploads_purge() == 1
        left = store.list_keys("/".join(["tenants", "alpha", *UPLOADS]) + "/")
        new_key, _ = lead_import_store(upload=SimpleUploadedFile("b.csv", b"Company\nB\n"))
    assert abandoned not in left and {fresh, claimed} <= set(left)
    assert set(other) - {abandoned} <= set(store.list_keys("tenants/alpha/"))
    created_ms = int(new_key.rsplit("/", 1)[-1][:12], 16)
    assert abs(created_ms / 1000 - time.time()) < 60  # new tokens carry their upload time
