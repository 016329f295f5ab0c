"""Headless Chromium (Debian's build) driven by Playwright, with console errors treated as failures."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop in this thread for the whole session; the ORM calls
    # the browser tests make are plain synchronous code that only looks async to Django.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian chromium is not installed: run scripts/test.sh, which installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def console_errors() -> list[str]:
    return []


def new_page(browser: Browser, errors: list[str], **context_options) -> Page:
    context = browser.new_context(reduced_motion="reduce", **context_options)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on(
        "response",
        lambda response: errors.append(f"{response.status} for {response.url}") if response.status == 404 else None,
    )
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}")
            if message.type == "error" and "status of 403" not in message.text
            else None
        ),
    )
    return page


@pytest.fixture
def page(browser: Browser, console_errors: list[str], monkeypatch) -> Iterator[Page]:
    # Playwright's sync API keeps an event loop in this thread; the ORM checks the tests make are
    # plain synchronous code that only looks async to Django.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    page = new_page(browser, console_errors, viewport={"width": 1280, "height": 860})
    yield page
    page.context.close()
    assert console_errors == []


def shot(page: Page, artifacts_dir: Path, name: str) -> None:
    page.screenshot(path=str(artifacts_dir / f"{name}.png"), full_page=True)


def launch_with_microphone(browser: Browser, wav: Path, *, allow: bool) -> Browser:
    """A second Chromium whose microphone plays ``wav`` (looped), launched by the session's own
    Playwright: a second Playwright cannot run in the same thread. ``allow`` grants the microphone
    without asking; otherwise each context grants it (or not) through its permissions."""
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={wav}"]
    if allow:
        args.append("--use-fake-ui-for-media-stream")
    return browser.browser_type.launch(executable_path=shutil.which("chromium"), args=args)
