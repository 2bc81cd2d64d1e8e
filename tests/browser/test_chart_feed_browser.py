"""The live charts fetch their frames from the chart feed (`ui/live/chart_feed.py`) of a
real `streamlit run app.py` server, while the page's own script redraws only the numbers.

What a watcher sees: the plane moves on many times a second, and the numbers above it with
the same answers (the step there is the plane's step); a layer switched on mid-run reaches
the plane; after Stop the frame asks the feed no more and shows the run's last frame from
the page; a run that finishes by itself leaves the page's own final numbers. What a
stranger gets: nothing, from an address that is not a feed. Waits are on what the page
shows; nothing here is timed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from playwright.sync_api import Page, Response, expect

from gan_core.config import GanConfig
from gan_core.serialize import to_query
from tests.browser.test_dashboard_browser import (
    CHARTS,
    LOAD_TIMEOUT,
    PLANE,
    PROGRESS_TIMEOUT,
    STATUS,
    STEP_VALUE,
    UPDATE_TIMEOUT,
    chart_frame,
    charts,
    no_exception,
    run_button,
    step_shown,
    wait_for_step_above,
)

FEED = "/api/charts/"
PLANE_TITLE_JS = "sel => document.querySelector(sel + ' .gtitle').textContent"
TRACE_NAMES_JS = "sel => document.querySelector(sel).data.map((t) => t.name || '')"
# The step above the charts, as the frame last wrote it from the feed, is the plane's step.
STEP_FROM_FEED_JS = """([value, frameSelector, plane]) => {
    const shown = document.querySelector(value + " p");
    const frame = document.querySelector(frameSelector);
    const title = frame && frame.contentDocument.querySelector(plane + " .gtitle");
    if (!shown || !title || shown.dataset.shownFrom !== "feed") return false;
    const step = title.textContent.replace(/,/g, "").match(/\\d+/);
    return step !== null && shown.textContent.replace(/,/g, "") === step[0];
}"""


def feed_answers(page: Page) -> list[Response]:
    answers: list[Response] = []
    page.on("response", lambda r: answers.append(r) if FEED in r.url else None)
    return answers


def plane_title(page: Page) -> str:
    return chart_frame(page).evaluate(PLANE_TITLE_JS, PLANE)


def test_the_charts_fetch_their_frames_from_the_feed(page: Page, app_server: str) -> None:
    answers = feed_answers(page)
    query = {**to_query(GanConfig(epochs=400)), "speed": "50"}  # long: stopped by hand
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_server}?{urlencode(query)}")
    expect(page.locator(STATUS)).to_contain_text("Ready", timeout=LOAD_TIMEOUT)
    page.locator(CHARTS).scroll_into_view_if_needed(timeout=LOAD_TIMEOUT)
    expect(charts(page).locator(PLANE + " .gtitle")).to_contain_text("Step 0", timeout=LOAD_TIMEOUT)
    assert answers == []  # before a run the figures come with the page

    run_button(page, "train").click()
    expect(page.locator(STATUS)).to_contain_text("Running", timeout=UPDATE_TIMEOUT)
    # The plane moves on, frame after frame, and so do the numbers beside it.
    titles = set()
    for _ in range(4):
        frame = chart_frame(page)
        frame.wait_for_function(
            "([sel, seen]) => { const t = document.querySelector(sel + ' .gtitle');"
            " return t && !seen.includes(t.textContent); }",
            arg=[PLANE, sorted(titles)],
            timeout=PROGRESS_TIMEOUT,
        )
        titles.add(plane_title(page))
    wait_for_step_above(page, step_shown(page))
    page.wait_for_function(
        STEP_FROM_FEED_JS, arg=[STEP_VALUE, CHARTS, PLANE], timeout=UPDATE_TIMEOUT
    )
    fetched = [a for a in answers if a.status == 200]
    assert len(fetched) >= 4, [a.status for a in answers]
    assert all(a.request.method == "GET" for a in answers)
    assert {a.headers.get("cache-control") for a in fetched} == {"no-store"}
    assert all(a.status in (200, 204) for a in answers), [a.status for a in answers]

    # A layer switched on mid-run reaches the plane with the next answer.
    page.get_by_role("button", name="G's warp", exact=True).first.click()
    chart_frame(page).wait_for_function(
        f'sel => ({TRACE_NAMES_JS})(sel).some((n) => n.startsWith("G\'s warp"))',
        arg=PLANE,
        timeout=UPDATE_TIMEOUT,
    )

    # Someone else's guess at an address gets nothing.
    address = answers[-1].url.split("?")[0]
    guessed = address[: -len("abcd")] + "abcd"
    assert page.request.get(guessed).status == 404

    run_button(page, "stop").click()
    expect(page.locator(STATUS)).to_contain_text("Stopped", timeout=UPDATE_TIMEOUT)
    # The page draws the last frame itself (with its replay slider) and the feed is closed.
    expect(page.get_by_text("Replay: drag to see the run")).to_be_visible(timeout=UPDATE_TIMEOUT)
    assert page.request.get(address).status == 404
    asked = len(answers)
    page.wait_for_timeout(1500)  # a poll or seven, had the frame kept asking
    assert len(answers) == asked
    no_exception(page)


def test_a_run_that_finishes_leaves_the_pages_own_numbers(page: Page, app_server: str) -> None:
    query = {**to_query(GanConfig(epochs=2)), "speed": "200"}
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_server}?{urlencode(query)}")
    expect(page.locator(STATUS)).to_contain_text("Ready", timeout=LOAD_TIMEOUT)
    run_button(page, "train").click()
    expect(page.locator(STATUS)).to_contain_text("Finished", timeout=PROGRESS_TIMEOUT)
    expect(page.get_by_text("Replay: drag to see the run")).to_be_visible(timeout=UPDATE_TIMEOUT)
    total = f"{GanConfig(epochs=2).total_steps:,}"
    step = page.locator(STEP_VALUE + " p")
    expect(step).to_have_text(total, timeout=UPDATE_TIMEOUT)
    expect(step).to_have_attribute("data-shown-from", "page", timeout=UPDATE_TIMEOUT)
    speed = page.locator(".st-key-metric_speed [data-testid='stMetricValue'] p")
    expect(speed).to_have_text("—")
    no_exception(page)
