"""In Chromium: a rep uploads a recording on the voice page and records one with a (fake) microphone on
a lead's page; both are transcribed by the real worker and shown with players. A browser without
microphone permission is told so. Screenshots land in test-artifacts/.

Real path: page -> gunicorn -> S3 API server (encrypted) -> Celery worker -> Whisper -> page."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop
from leads.services import lead_create
from tests.browser.conftest import launch_with_microphone, new_page, shot
from tests.surface import REP
from voice.models import VoiceLog
from voice.speech import speak
from voice.tests.samples import encoded

pytestmark = [pytest.mark.browser, pytest.mark.worker]
SPOKEN = "Please send the contract to the customer today."


@pytest.fixture(scope="module")
def fake_microphone(tmp_path_factory) -> Path:
    """What the fake microphone says (Chromium loops the file; the silence keeps it to one sentence)."""
    folder = tmp_path_factory.mktemp("voice-mic")
    speech = folder / "speech.wav"
    speech.write_bytes(speak(SPOKEN, speed_wpm=150))
    padded = folder / "note.wav"
    subprocess.run(
        [shutil.which("sox"), str(speech), "-r", "48000", "-c", "1", str(padded), "pad", "0.3", "8"], check=True
    )
    return padded


@pytest.fixture
def mic_browser(browser: Browser, fake_microphone: Path, monkeypatch) -> Iterator[Browser]:
    """A fake microphone device, but no automatic permission: each context decides (grant or not)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with_mic = launch_with_microphone(browser, fake_microphone, allow=False)
    yield with_mic
    with_mic.close()


@pytest.fixture
def notes_world(django_db_blocker, celery_worker, s3_storage) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("notes_ui")
        try:
            yield world
        finally:
            world_drop(world)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")


def wait_for_transcripts(page: Page, count: int) -> None:
    """A pending note shows the job's live progress; when it is done the page shows the transcript."""
    expect(page.locator(".voice-transcript")).to_have_count(count, timeout=90_000)
    expect(page.locator(".voice-note .job")).to_have_count(0)


def test_upload_and_record_voice_notes_in_the_browser(
    mic_browser: Browser, notes_world: TenantWorld, web_server: str, artifacts_dir: Path, tmp_path: Path
) -> None:
    with notes_world.active():
        lead = lead_create(actor=notes_world.users[REP], data={"name": "Dana Scully", "company": "Globex"})
    base = f"http://{notes_world.host}:{web_server}"
    errors: list[str] = []
    page = new_page(mic_browser, errors, viewport={"width": 1280, "height": 900})
    page.context.grant_permissions(["microphone"], origin=base)
    sign_in(page, base, notes_world.email(REP))

    # Upload a file on the voice page, attached to the lead.
    page.goto(f"{base}/voice/")
    expect(page.get_by_role("button", name="Record")).to_be_visible()
    recording = tmp_path / "pricing.m4a"
    recording.write_bytes(encoded("m4a"))
    page.select_option("#id_lead", str(lead.pk))
    page.set_input_files("#id_audio", str(recording))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("uploaded")
    wait_for_transcripts(page, 1)
    note = page.locator(".voice-note").first
    expect(note.locator(".voice-transcript")).to_contain_text("pricing proposal")
    expect(note.get_by_role("link", name="Dana Scully")).to_be_visible()
    shot(page, artifacts_dir, "voice-01-home")

    # Record on the lead's page: Record, speak, Stop -> uploaded for this lead -> transcribed.
    page.goto(f"{base}/leads/{lead.pk}/")
    card = page.locator("#voice-notes")
    expect(card.locator(".voice-note")).to_have_count(1)
    button = card.get_by_role("button", name="Record")
    button.click()
    expect(card.get_by_role("button", name="Stop")).to_be_visible()
    expect(card.locator("[data-voice-elapsed]")).to_have_text("0:04", timeout=10_000)
    page.screenshot(path=str(artifacts_dir / "voice-02-recording.png"))
    card.get_by_role("button", name="Stop").click()
    expect(card.locator(".voice-note")).to_have_count(2, timeout=20_000)
    wait_for_transcripts(page, 2)
    expect(card.locator(".voice-transcript").first).to_contain_text("contract")
    with notes_world.active():
        recorded = VoiceLog.objects.order_by("-created_at").first()
    assert (recorded.format, recorded.lead_id) in {("webm", lead.pk), ("ogg", lead.pk)}
    expect(page.locator("#timeline")).to_contain_text("contract")  # the transcript is on the lead's timeline
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays at the top of a full-page shot
    shot(page, artifacts_dir, "voice-03-lead-card")

    # The player plays the decrypted recording, streamed from the page's own audio address.
    played = card.locator("audio").first.evaluate(
        """audio => new Promise(resolve => {
            audio.addEventListener("canplay", () => resolve({ok: true, type: audio.currentSrc}), {once: true});
            audio.addEventListener("error", () => resolve({ok: false, code: audio.error.code}), {once: true});
            audio.load();
        })"""
    )
    assert played["ok"], played

    # On a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/voice/")
    shot(page, artifacts_dir, "voice-04-phone")
    page.context.close()
    assert errors == []


def test_a_denied_microphone_is_explained(mic_browser: Browser, notes_world: TenantWorld, web_server: str) -> None:
    base = f"http://{notes_world.host}:{web_server}"
    errors: list[str] = []
    page = new_page(mic_browser, errors)  # no microphone permission granted
    sign_in(page, base, notes_world.email(REP))
    page.goto(f"{base}/voice/")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("[data-voice-status]")).to_contain_text("Microphone access was denied")
    expect(page.get_by_role("button", name="Record")).to_be_enabled()
    page.context.close()
    assert errors == []
