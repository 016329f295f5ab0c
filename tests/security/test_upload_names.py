"""Uploaded file names never reach the filesystem or the object store: every upload endpoint is
fed hostile names, and every stored key and file path is one the product made up."""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from crm_saas.storage import get_object_store
from crm_saas.testing.world import TenantWorld
from tests.surface import ADMIN, _rep_lead_id, _spoken_wav

pytestmark = pytest.mark.django_db

LONG = "L" * 240
HOSTILE_NAMES = {
    "traversal": "../../etc/passwd",
    "windows traversal": "..\\..\\windows\\win.ini",
    "shell": "x.csv;rm -rf ~ `id` $(id)",
    "unicode": "résumé-客户-📞-\u202egnp.csv",
    "long": LONG + ".csv",
    "encoded traversal": "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
}
# Pieces of the names above that no product-made key contains.
FRAGMENTS = ["..", "passwd", "win.ini", ";", "rm -rf", "`", "$(", "résumé", "客户", "📞", "\u202e", LONG[:40], "%2e"]
SAFE_KEY = re.compile(r"^[A-Za-z0-9_\-./]+$")

CSV_LEADS = b"Company,Converted\nUpload Name Co,1\nOther Co,0\n"
CSV_CUSTOMERS = b"Name,Company,Email\nCasey,Upload Co,casey@upload.example\n"
CSV_EVENTS = b"Email,Kind,Occurred at\ncasey@upload.example,login,2026-01-05T10:00:00Z\n"
CSV_USERS = b"email,role,full_name\nupload.user@alpha.test,viewer,Upload User\n"
EML = (
    b"From: Buyer <buyer@upload.example>\r\nTo: sales@alpha.test\r\nSubject: Pricing question\r\n"
    b"Message-ID: <upload-name-test@upload.example>\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\n\r\n"
    b"Could you send pricing for 40 seats?\r\n"
)


def _file(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


Target = Callable[[TenantWorld, str], tuple[str, dict[str, Any]]]
TARGETS: dict[str, Target] = {
    "lead import": lambda w, n: (
        reverse("api:lead-import"),
        {"file": _file(CSV_LEADS, n), "outcome_column": "Converted"},
    ),
    "lead import preview": lambda w, n: (
        reverse("api:lead-import-preview"),
        {"file": _file(CSV_LEADS, n), "outcome_column": "Converted"},
    ),
    "customer import": lambda w, n: (reverse("api:customer-import"), {"file": _file(CSV_CUSTOMERS, n)}),
    "customer event import": lambda w, n: (reverse("api:customer-event-import"), {"file": _file(CSV_EVENTS, n)}),
    "user import": lambda w, n: (reverse("api:user-import"), {"file": _file(CSV_USERS, n)}),
    "voice note": lambda w, n: (reverse("api:voice-log-list"), {"audio": _file(_spoken_wav(), n)}),
    "voice command": lambda w, n: (reverse("api:voice-command-list"), {"audio": _file(_spoken_wav(), n)}),
    "e-mail upload": lambda w, n: (
        reverse("api:lead-message-list", kwargs=_rep_lead_id(w)),
        {"file": _file(EML, n)},
    ),
}


# Uploads kept in the object store (the e-mail is parsed into a message row and not kept).
STORES_OBJECTS = {"lead import", "lead import preview", "customer import", "customer event import", "user import"}
STORES_OBJECTS |= {"voice note", "voice command"}


def stored_paths() -> list[str]:
    """Every object key and every file under the object store's folder."""
    root = Path(settings.OBJECT_STORAGE["ROOT"])
    files = [path.relative_to(root).as_posix() for path in root.rglob("*")] if root.exists() else []
    return sorted(set(files) | set(get_object_store().list_keys("")))


@pytest.mark.parametrize("label", sorted(HOSTILE_NAMES))
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_hostile_upload_names_never_reach_storage(alpha, target: str, label: str) -> None:
    name = HOSTILE_NAMES[label]
    before_temp = {p.name for p in Path(tempfile.gettempdir()).iterdir()}
    with alpha.active():
        path, body = TARGETS[target](alpha, name)
    response = alpha.api(ADMIN).post(path, body, format="multipart")

    # The name changes nothing: the upload is judged by its content alone.
    assert response.status_code in {200, 201, 202}, response.content[:300]
    paths = stored_paths()
    if target in STORES_OBJECTS:
        assert paths, f"{target} stored nothing, so the check below would prove nothing"
    for stored in paths:
        assert SAFE_KEY.match(stored), f"{target}: unexpected characters in stored path {stored!r}"
        for fragment in FRAGMENTS:
            assert fragment not in stored, f"{target}: {fragment!r} from the upload name reached {stored!r}"
    new_temp = {p.name for p in Path(tempfile.gettempdir()).iterdir()} - before_temp
    assert not [entry for entry in new_temp if any(fragment in entry for fragment in FRAGMENTS)]
    assert not Path("/etc/passwd.csv").exists()
