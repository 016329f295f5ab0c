"""The API's contract: its OpenAPI document, its error bodies, and its docs page."""

from __future__ import annotations

import re

import pytest
import yaml
from openapi_spec_validator import validate

from tests.surface import ADMIN

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host_kind", ["tenant", "platform"])
def test_openapi_document_is_valid_and_describes_auth(alpha, host_kind: str) -> None:
    host = alpha.host if host_kind == "tenant" else "localhost"
    response = alpha.api(host=host).get("/api/schema/")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validate(document)
    assert document["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    paths = set(document["paths"])
    if host_kind == "tenant":
        assert {"/api/v1/auth/token/", "/api/v1/me/", "/api/v1/users/", "/api/v1/jobs/{job_id}/"} <= paths
        assert not any(path.startswith("/api/v1/platform/") for path in paths)
        listing = document["paths"]["/api/v1/users/"]["get"]["responses"]["200"]["content"]["application/json"]
        assert listing["schema"]["$ref"].endswith("PaginatedUserOutputList")
    else:
        assert {"/api/v1/platform/tenants/", "/api/v1/platform/tenants/{tenant_id}/"} <= paths
        assert "/api/v1/platform/offboardings/{offboarding_id}/" in paths
        assert "/api/v1/users/" not in paths


def test_docs_page_uses_only_local_assets(alpha) -> None:
    response = alpha.web().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    external = [url for url in re.findall(r'(?:src|href)="([^"]+)"', html) if url.startswith(("http", "//"))]
    assert external == []
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html


def test_unknown_api_path_is_a_json_404(alpha) -> None:
    response = alpha.api(ADMIN).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


def test_malformed_json_is_a_400_with_the_documented_shape(alpha) -> None:
    response = alpha.api(ADMIN).generic("POST", "/api/v1/users/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}
    assert "JSON parse error" in response.json()["detail"]


def test_unsupported_method_and_media_type(alpha) -> None:
    client = alpha.api(ADMIN)
    assert client.put("/api/v1/me/", {}).status_code == 405
    wrong_type = client.post("/api/v1/users/import/", {"file": "x"}, format="json")
    assert wrong_type.status_code == 415
    assert "Unsupported media type" in wrong_type.json()["detail"]


def test_unknown_page_is_a_friendly_404(alpha) -> None:
    response = alpha.web(ADMIN).get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_health_check(alpha) -> None:
    assert alpha.web().get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("urlconf", "expected"),
    [
        ("crm_saas.urls_tenant", ["/api/v1/voice/commands/{command_id}/confirm/", "/api/v1/leads/{lead_id}/score/"]),
        (
            "crm_saas.urls_public",
            [
                "/api/v1/platform/tenants/{tenant_id}/offboarding/",
                "/api/v1/platform/offboardings/{offboarding_id}/archive/",
                "OffboardingStatusEnum",
                "OffboardingArchiveStateEnum",
            ],
        ),
    ],
)
def test_the_openapi_document_generates_without_warnings(tmp_path, urlconf: str, expected: list[str]) -> None:
    """Integrators generate clients from /api/schema/ (a tenant's host, and the platform's): an
    ambiguous enum or an endpoint the generator cannot describe would reach them as a guessed name
    or a missing type."""
    from django.core.management import call_command
    from drf_spectacular.drainage import reset_generator_stats

    reset_generator_stats()  # warnings count per process: only this generation's may fail the test
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target), "--urlconf", urlconf)
    document = target.read_text()
    for text in expected:
        assert text in document
