"""In Chromium, under the Content-Security-Policy: every page an admin can open renders with no
policy violation and no console error, and the API docs still work (their script is a file).

The chart, voice and integrations browser tests run under the same policy, so Plotly's drawing,
recording and the auto-submitting filters are covered by them too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, expect

from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop
from tests.browser.conftest import new_page, shot
from tests.surface import ADMIN, PAGES

pytestmark = pytest.mark.browser

# Collected in the page before any script runs: Chromium also logs violations to the console,
# but the event carries the directive that was broken.
VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture(scope="module")
def csp_world(django_db_setup, django_db_blocker) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("cspcheck")
        connection.set_schema_to_public()
        try:
            yield world
        finally:
            connection.set_schema_to_public()
            world_drop(world)


def admin_page(browser: Browser, errors: list[str]) -> Page:
    page = new_page(browser, errors, viewport={"width": 1280, "height": 860})
    page.add_init_script(VIOLATION_LISTENER)
    return page


def test_every_admin_page_renders_under_the_policy(
    browser: Browser, csp_world: TenantWorld, web_server: str, artifacts_dir: Path, django_db_blocker
) -> None:
    errors: list[str] = []
    page = admin_page(browser, errors)
    base = f"http://{csp_world.host}:{web_server}"
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", csp_world.email(ADMIN))
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")

    visited = []
    with django_db_blocker.unblock():
        # Pages, not downloads (a voice note's audio and an export bundle live in the test
        # process's own object store).
        downloads = {"voice:log_audio", "privacy:export_download"}
        paths = {
            page_.path(csp_world)
            for page_ in PAGES
            if page_.method == "GET" and page_.expected[ADMIN] == 200 and page_.url_name not in downloads
        }
    for path in sorted(paths):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if response.headers["content-type"].startswith("text/html"):
            page.wait_for_load_state("networkidle")
            violations = page.evaluate("window.__cspViolations")
            assert violations == [], f"{path}: {violations}"
        visited.append(path)
    shot(page, artifacts_dir, "csp-last-admin-page")
    page.context.close()
    assert len(visited) >= 20
    assert errors == [], "\n".join(errors)


def test_api_docs_work_under_the_policy(browser: Browser, csp_world: TenantWorld, web_server: str, artifacts_dir: Path):
    errors: list[str] = []
    page = admin_page(browser, errors)
    page.goto(f"http://{csp_world.host}:{web_server}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("crm_saas API", timeout=15000)
    assert page.evaluate("window.__cspViolations") == []
    shot(page, artifacts_dir, "csp-api-docs")
    page.context.close()
    assert errors == [], "\n".join(errors)
