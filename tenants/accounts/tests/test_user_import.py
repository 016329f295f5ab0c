"""CSV import of users: upload checks up front, then a row-level report from the job."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm_saas.errors import DomainError
from crm_saas.jobs.models import Job
from crm_saas.storage import get_object_store
from tenants.accounts.imports import user_import_run, user_import_start
from tenants.accounts.models import User
from tests.surface import ADMIN

pytestmark = pytest.mark.django_db


def start(alpha, content: bytes) -> Job:
    with alpha.active():
        return user_import_start(
            upload=SimpleUploadedFile("people.csv", content, content_type="text/csv"),
            actor=alpha.users[ADMIN],
            base_url="http://alpha.localhost/",
        )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"name,team\nx,y\n", r"lacks the column\(s\): email, role"),
        (b"x" * (1024 * 1024 + 1), "larger than 1024 KB"),
    ],
)
def test_bad_files_are_refused_before_a_job_exists(alpha, content: bytes, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        start(alpha, content)
    with alpha.active():
        assert not Job.objects.exists()
        assert get_object_store().list_keys("tenants/alpha/") == []


def test_rows_are_imported_with_a_row_level_report_and_reruns_do_not_duplicate(alpha) -> None:
    content = (
        "\ufeffEmail,Full_Name,Role\r\n"
        "kim@example.test,Kim,Sales Rep\r\n"
        "bad-email,Nobody,viewer\r\n"
        "lee@example.test,Lee,emperor\r\n"
        "admin@alpha.test,Dup,viewer\r\n"
    ).encode()
    job = start(alpha, content)
    with alpha.active():
        result = user_import_run(job, lambda percent: None)
        assert User.objects.get(email="kim@example.test").role == "sales_rep"
        assert not User.objects.filter(email="lee@example.test").exists()

    assert result["rows"] == 4 and result["created"] == 1 and result["failed"] == 3
    assert [(error["row"], error["column"]) for error in result["errors"]] == [(3, "email"), (4, "role"), (5, "email")]
    assert "already exists" in result["errors"][2]["message"]

    again = start(alpha, content)
    with alpha.active():
        second = user_import_run(again, lambda percent: None)
        assert User.objects.filter(email="kim@example.test").count() == 1
    assert second["created"] == 0


def test_import_api_rejects_a_bad_file_with_a_field_error(alpha) -> None:
    upload = io.BytesIO(b"just,some\ncolumns,here\n")
    upload.name = "x.csv"
    response = alpha.api(ADMIN).post("/api/v1/users/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"] == {"file": ["The header row lacks the column(s): email, role."]}
    no_file = alpha.api(ADMIN).post("/api/v1/users/import/", {}, format="multipart")
    assert no_file.status_code == 400 and "file" in no_file.json()["errors"]
