"""In Chromium with a fake microphone: a rep says "add a new lead from ABC Corp", hears the question
back, confirms, and the lead exists; the audio sits encrypted on the S3 API server.

The whole path is real: MediaRecorder in the page -> upload -> gunicorn -> S3 API server ->
Celery worker -> Whisper transcript -> parsed action -> confirmation -> lead service."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from playwright.sync_api import Browser, expect

from conftest import S3_TEST_ENV
from crm_saas.testing.world import PASSWORD, TenantWorld, world_build, world_drop
from leads.models import Lead
from tests.browser.conftest import launch_with_microphone
from tests.surface import REP
from voice.models import VoiceCommand
from voice.speech import speak

pytestmark = [pytest.mark.browser, pytest.mark.worker]
PHRASE = "add a new lead from ABC Corp"


@pytest.fixture(scope="module")
def spoken_wav(tmp_path_factory) -> Path:
    """The phrase, then silence: Chromium loops its fake microphone file, and the silence keeps the
    recording to one utterance."""
    folder = tmp_path_factory.mktemp("fake-mic")
    speech = folder / "speech.wav"
    speech.write_bytes(speak(PHRASE, voice="en-us", speed_wpm=150))
    padded = folder / "command.wav"
    subprocess.run(
        [shutil.which("sox"), str(speech), "-r", "48000", "-c", "1", str(padded), "pad", "0.3", "6"], check=True
    )
    return padded


@pytest.fixture
def mic_browser(browser: Browser, spoken_wav: Path, monkeypatch) -> Iterator[Browser]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with_mic = launch_with_microphone(browser, spoken_wav, allow=True)
    yield with_mic
    with_mic.close()


@pytest.fixture
def voice_world(django_db_blocker, celery_worker, s3_storage) -> Iterator[TenantWorld]:
    with django_db_blocker.unblock():
        world = world_build("voice_ui")
        try:
            yield world
        finally:
            world_drop(world)


def test_a_rep_speaks_a_command_hears_it_back_confirms_and_the_lead_exists(
    mic_browser: Browser, voice_world: TenantWorld, web_server: str, s3_storage, artifacts_dir: Path
) -> None:
    context = mic_browser.new_context(viewport={"width": 1280, "height": 860}, permissions=["microphone"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    replies: list[tuple[int, str, int]] = []
    page.on(
        "response",
        lambda response: (
            replies.append((response.status, response.headers.get("content-type", ""), len(response.body())))
            if "/reply-audio/" in response.url
            else None
        ),
    )
    base = f"http://{voice_world.host}:{web_server}"
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", voice_world.email(REP))
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")

    mic = page.locator("[data-command-mic]")
    mic.click()
    expect(mic).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(3200)  # the phrase lasts about 2.5 s
    mic.click()

    panel = page.locator("[data-command-panel]")
    expect(panel.locator("[data-command-reply]")).to_have_text("Create lead ABC Corp?", timeout=60_000)
    expect(panel.locator("[data-command-heard]")).to_contain_text("ABC")
    expect(panel.locator("[data-command-confirm]")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "voice-command-heard.png"))
    with voice_world.active():
        assert not Lead.objects.filter(company__iexact="ABC Corp").exists()

    panel.locator("[data-command-confirm]").click()
    expect(panel.locator("[data-command-reply]")).to_contain_text("is a new lead", timeout=20_000)
    expect(panel.locator("[data-command-confirm]")).to_be_hidden()  # nothing left to confirm
    expect(panel.get_by_role("link", name="Open the lead")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "voice-command-done.png"))
    context.close()

    with voice_world.active():
        lead = Lead.objects.get(company__iexact="ABC Corp")
        command = VoiceCommand.objects.select_related("voice_log").get(lead=lead)
        log = command.voice_log
    assert lead.owner_id == voice_world.users[REP].pk
    assert command.status == "executed" and log is not None and log.kind == "command"
    assert "abc" in log.transcript.lower()
    # The reply was spoken: each answer fetched real WAV audio.
    assert replies and all(status == 200 and kind == "audio/wav" and size > 8000 for status, kind, size in replies)
    # The audio sits encrypted on the S3 API server: no container signature, not the upload's bytes.
    s3 = boto3.client("s3", endpoint_url=s3_storage["S3_ENDPOINT_URL"], region_name="us-east-1")
    stored = s3.get_object(Bucket=S3_TEST_ENV["S3_BUCKET"], Key=log.storage_key)["Body"].read()
    assert len(stored) > 1000
    assert not any(marker in stored for marker in (b"RIFF", b"OggS", b"\x1aE\xdf\xa3", b"webm", b"Opus"))
    assert errors == []
