"""Replay in chromium: a finished run's step slider redraws the plane at an earlier step,
and the run downloaded as HTML plays offline, with every network request refused."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.test_dashboard_browser import (
    STATUS,
    UPDATE_TIMEOUT,
    chart_state,
    no_exception,
    open_page,
    run_button,
)

FINISH_TIMEOUT = 180_000  # 250 steps at full speed, on a machine others are using too
EXPORT_TIMEOUT = 180_000  # the HTML is built when the button is pressed
CURRENT_STEP = ".slider-group > text.slider-label"  # plotly's "step n" above the slider


def replay_slider(page: Page):
    return page.get_by_test_id("stSlider").filter(has_text="Replay").get_by_role("slider")


def wait_for_title(page: Page, start: str) -> str:
    """The plane's title once it starts with `start` (the charts redraw after a rerun)."""
    deadline = time.monotonic() + UPDATE_TIMEOUT / 1000
    title = ""
    while time.monotonic() < deadline:
        title, _ = chart_state(page)
        if title.startswith(start):
            return title
        page.wait_for_timeout(250)
    raise AssertionError(f"the plane never showed {start!r}; last {title!r}")


def test_a_finished_run_replays_in_the_page_and_plays_offline_as_html(
    page: Page, browser: Browser, app_server: str, tmp_path: Path, screenshot_dir: Path
) -> None:
    open_page(page, f"{app_server}/?epochs=1&speed=max")
    run_button(page, "train").click()
    expect(page.locator(STATUS)).to_contain_text("Finished", timeout=FINISH_TIMEOUT)
    slider = replay_slider(page)
    expect(slider).to_be_visible(timeout=UPDATE_TIMEOUT)
    assert wait_for_title(page, "Step 250 of 250")
    slider.focus()
    page.keyboard.press("Home")  # to the first logged step
    assert wait_for_title(page, "Step 1 of 250")
    no_exception(page)
    page.screenshot(path=str(screenshot_dir / "replay-slider.png"), full_page=True)

    with page.expect_download(timeout=EXPORT_TIMEOUT) as download:
        page.get_by_role("button", name="Download the replay for slides (HTML)").click()
    exported = tmp_path / "replay.html"
    download.value.save_as(exported)

    offline = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
    refused: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    offline.route("**/*", local_only)
    try:
        player = offline.new_page()
        player.goto(exported.as_uri())
        current = player.locator(CURRENT_STEP)
        expect(current).to_have_text("step 1", timeout=UPDATE_TIMEOUT)
        player.screenshot(path=str(screenshot_dir / "replay-html-start.png"))
        player.get_by_text("▶ Play").click()
        expect(current).not_to_have_text("step 1", timeout=UPDATE_TIMEOUT)  # it plays
        player.get_by_text("❚❚ Pause").click()
        title = player.locator(".gtitle").first
        expect(title).not_to_contain_text("step 1 of", timeout=UPDATE_TIMEOUT)  # the plane too
        player.screenshot(path=str(screenshot_dir / "replay-html-playing.png"))
    finally:
        offline.close()
    assert refused == [], f"the exported page asked the network for {refused}"
