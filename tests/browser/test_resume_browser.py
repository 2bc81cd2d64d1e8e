"""A checkpoint taken up again in chromium: download a stopped run, load it, continue it.

The Checkpoint download of a stopped run, loaded back through the uploader under "Share
and save", shows the run at the step it stopped at; "Continue as a new run" trains on
from there (the step count goes on, it does not start at 0) and the store keeps both. A
file that is not a checkpoint is refused beside the uploader, and the page stays as it was.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from gan_core.store.run_store import RunStore
from gan_core.training.checkpoint import load_checkpoint
from tests.browser.test_dashboard_browser import (
    STATUS,
    UPDATE_TIMEOUT,
    no_exception,
    open_page,
    run_button,
    step_shown,
    wait_for_step_above,
)

UPLOADER = ".st-key-checkpoint_upload input[type='file']"


def upload(page: Page, name: str, content: bytes) -> None:
    page.locator(UPLOADER).set_input_files(
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content}]
    )


def test_a_downloaded_checkpoint_loads_and_continues_from_its_step(
    page: Page, app_server: str, app_data_dir: Path, screenshot_dir: Path
) -> None:
    open_page(page, f"{app_server}/?epochs=40")  # 10,000 steps: still going when stopped
    run_button(page, "train").click()
    wait_for_step_above(page, 100)
    run_button(page, "stop").click()
    expect(page.locator(STATUS)).to_contain_text("Stopped", timeout=UPDATE_TIMEOUT)
    stopped_at = step_shown(page)
    with page.expect_download(timeout=UPDATE_TIMEOUT) as download:
        page.locator(".st-key-download_checkpoint").get_by_role("button").click()
    assert download.value.suggested_filename.endswith(".pt")  # the type the uploader takes
    checkpoint = Path(download.value.path()).read_bytes()
    assert load_checkpoint(checkpoint).step_count == stopped_at

    # Not a checkpoint: refused beside the uploader, the stopped run still shown.
    upload(page, "notes.pt", b"these are my notes, not a checkpoint\n")
    expect(
        page.get_by_text(
            "notes.pt was not loaded: checkpoint: not a GANscope checkpoint (not a file "
            "saved by torch at all). The page is kept as it was."
        )
    ).to_be_visible(timeout=UPDATE_TIMEOUT)
    expect(page.locator(STATUS)).to_contain_text("Stopped")
    assert step_shown(page) == stopped_at
    no_exception(page)

    # From a fresh page: the run comes back at its step, in the store, ready to continue.
    run_button(page, "reset").click()
    expect(page.locator(STATUS)).to_contain_text("Ready", timeout=UPDATE_TIMEOUT)
    assert step_shown(page) == 0
    upload(page, "ganscope-checkpoint.pt", checkpoint)
    loaded = page.get_by_text("Loaded ganscope-checkpoint.pt as run #")
    expect(loaded).to_contain_text(f"at step {stopped_at:,} of 10,000", timeout=UPDATE_TIMEOUT)
    expect(page.locator(STATUS)).to_contain_text("Stopped")
    assert step_shown(page) == stopped_at
    expect(run_button(page, "continue")).to_be_enabled()
    no_exception(page)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.locator(".st-key-checkpoint_upload").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "checkpoint_loaded.png"))
    page.locator(STATUS).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "checkpoint_loaded_top.png"))

    run_button(page, "continue").click()
    # The saved run's badge stays on screen until the page's rerun replaces it.
    expect(page.locator(STATUS).filter(has_text="Running")).to_be_visible(timeout=UPDATE_TIMEOUT)
    expect(page.locator(STATUS)).to_have_count(1, timeout=UPDATE_TIMEOUT)
    assert step_shown(page) >= stopped_at  # on from its step, never from 0
    went_on_to = wait_for_step_above(page, stopped_at + 20)
    run_button(page, "stop").click()
    expect(page.locator(STATUS)).to_contain_text("Stopped", timeout=UPDATE_TIMEOUT)
    assert step_shown(page) >= went_on_to
    no_exception(page)

    store = RunStore(app_data_dir)
    try:
        runs = store.list_runs()
    finally:
        store.close()
    names = {run["name"]: run for run in runs.to_dict("records")}
    imported = names["ganscope-checkpoint.pt"]
    assert imported["source"] == "import"
    assert f"ganscope-checkpoint.pt (from #{imported['id']})" in names  # the continued run
