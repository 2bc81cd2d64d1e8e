"""The run store from the main page in chromium: a run survives a refresh of the page.

Train briefly, stop, reload: the page offers the run, reopens it at the step it stopped
at, and the Compare page lists it. The session is known by a cookie, never by the URL: the
same address opened in another browser context is offered nothing. The server's store is the
`app_data_dir` fixture's.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from gan_core.store.run_store import RunStore
from tests.browser.test_dashboard_browser import (
    LOAD_TIMEOUT,
    STATUS,
    UPDATE_TIMEOUT,
    chart_state,
    no_exception,
    open_page,
    run_button,
    step_shown,
    wait_for_step_above,
)
from ui.session.session_id import COOKIE


def session_cookie(page: Page) -> str | None:
    for cookie in page.context.cookies():
        if cookie["name"] == COOKIE:
            return cookie["value"]
    return None


def wait_for_session_cookie(page: Page) -> str:
    """The id the page wrote to its cookie once its first run was saved."""
    page.wait_for_function(f"document.cookie.includes({COOKIE!r} + '=')", timeout=UPDATE_TIMEOUT)
    sid = session_cookie(page)
    assert sid is not None
    return sid


def test_a_stopped_run_is_offered_after_a_reload_and_listed_in_compare(
    page: Page, browser: Browser, app_server: str, app_data_dir: Path, screenshot_dir: Path
) -> None:
    # 10,000 steps: still going when stopped, with a log row every 20 steps for the curves
    open_page(page, f"{app_server}/?epochs=40")
    run_button(page, "train").click()
    wait_for_step_above(page, 200)
    run_button(page, "stop").click()
    expect(page.locator(STATUS)).to_contain_text("Stopped", timeout=UPDATE_TIMEOUT)
    step = step_shown(page)
    sid = wait_for_session_cookie(page)
    link = page.get_by_test_id("stCode").first.inner_text()
    assert "epochs=40" in link and "sid=" not in link  # the share link has no session id
    address = page.url
    assert "sid=" not in address and sid not in address  # nor has the address bar

    store = RunStore(app_data_dir)
    run = store.last_run_for_session(sid)
    store.close()
    assert run is not None and run.status == "stopped"

    page.reload()
    offer = page.locator(".st-key-reopen_offer")
    expect(offer).to_contain_text(
        f"Your last run (#{run.id}, stopped, step {step:,} of 10,000)", timeout=LOAD_TIMEOUT
    )
    expect(page.locator(STATUS)).to_contain_text("Ready")
    offer.get_by_role("button", name="Reopen").click()
    expect(page.locator(STATUS)).to_contain_text("Stopped", timeout=UPDATE_TIMEOUT)
    expect(page.get_by_text(f"Run #{run.id} reopened from the run store")).to_be_visible()
    assert step_shown(page) == step
    title, _ = chart_state(page)
    assert title.startswith(f"Step {step:,} of")  # the plane shows the saved last state
    accuracy = page.get_by_test_id("stMetric").filter(has_text="D accuracy")
    expect(accuracy).to_contain_text("%")  # read from the saved log, as the curves are
    expect(run_button(page, "continue")).to_be_enabled()
    no_exception(page)
    page.screenshot(path=str(screenshot_dir / "reopened.png"), full_page=True)

    # The address copied into another browser: a session of its own, offered nothing.
    other = browser.new_context(viewport=page.viewport_size)
    try:
        visitor = other.new_page()
        visitor.goto(address)
        expect(visitor.locator(STATUS)).to_contain_text("Ready", timeout=LOAD_TIMEOUT)
        expect(visitor.get_by_text("Your last run")).to_have_count(0)
        assert session_cookie(visitor) is None
        no_exception(visitor)
    finally:
        other.close()

    page.goto(f"{app_server}/Compare")
    expect(page.get_by_role("heading", name="Compare runs")).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(
        page.get_by_role("button", name=f"Open #{run.id} custom on the dashboard")
    ).to_be_visible(timeout=UPDATE_TIMEOUT)
    no_exception(page)
