"""The dashboard on a projector's screen: what is on the first screen, what stays in sight
while the page scrolls, present mode, and chart titles that fit their charts.

Sizes are measured with bounding boxes in the window; a chart's box is its div inside the
charts' iframe. Screenshots of each check go to
test-results/screenshots/ (layout_*.png) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

LOAD_TIMEOUT = 120_000  # ms: the first load imports torch, and a busy machine draws slowly
STATUS = ".st-key-run_status"
CONTROLS = ".st-key-run_controls"
CHARTS = ".st-key-live_charts iframe"
SIDEBAR = "[data-testid='stSidebar']"
SCREENS = [(1280, 720), (1366, 768)]
CURVES = ("loss", "accuracy", "distance")
SCROLL = 600  # px: as far as a teacher scrolls to reach the curves


def open_at(page: Page, url: str, width: int, height: int) -> None:
    """Open `url` in a window of the given size; return once every chart is drawn."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    expect(page.locator(STATUS)).to_contain_text("Ready", timeout=LOAD_TIMEOUT)
    frame = page.frame_locator(CHARTS)
    for chart in ("plane", *CURVES):
        expect(frame.locator(f"#chart-{chart} .main-svg").first).to_be_visible(timeout=LOAD_TIMEOUT)


def train_button(page: Page):
    # By role: Streamlit also draws a hidden copy of a button that has a tooltip.
    return page.locator(".st-key-run_train").get_by_role("button")


def sidebar_open(page: Page) -> bool:
    """Whether the sidebar takes room on screen (collapsed, it is slid off to the left)."""
    found = page.locator(SIDEBAR).bounding_box()
    return found is not None and found["x"] + found["width"] > 100


SIDEBAR_GONE_JS = "(sel) => document.querySelector(sel).getBoundingClientRect().right <= 0"


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not on the page"
    return found


def chart_box(page: Page, chart: str) -> dict[str, float]:
    """The chart's box in the window (Playwright measures inside a frame from the window)."""
    found = page.frame_locator(CHARTS).locator(f"#chart-{chart}").bounding_box()
    assert found is not None, f"no {chart} chart"
    return found


def assert_within(found: dict[str, float], width: int, height: int, what: str) -> None:
    right, bottom = found["x"] + found["width"], found["y"] + found["height"]
    assert found["x"] >= 0 and found["y"] >= 0, f"{what} starts off screen: {found}"
    assert right <= width and bottom <= height, f"{what} ends off {width}×{height}: {found}"


def shot(page: Page, directory: Path, name: str, width: int, height: int) -> None:
    page.screenshot(path=str(directory / f"layout_{name}_{width}x{height}.png"))


def scroll_main(page: Page, pixels: int) -> float:
    """Scroll the page's main area (Streamlit scrolls it, not the document); how far it went."""
    return page.locator("[data-testid='stMain']").evaluate(
        "(main, pixels) => { main.scrollBy(0, pixels); return main.scrollTop; }", pixels
    )


@pytest.mark.parametrize("width, height", SCREENS)
def test_first_screen_holds_buttons_status_and_plane(
    page: Page, app_server: str, screenshot_dir: Path, width: int, height: int
) -> None:
    open_at(page, app_server, width, height)
    assert sidebar_open(page)
    shot(page, screenshot_dir, "first_screen", width, height)
    assert_within(train_button(page).bounding_box(), width, height, "the Train button")
    assert_within(box(page, STATUS), width, height, "the status")
    plane = chart_box(page, "plane")
    assert 0 <= plane["y"] <= height, f"the plane starts below the first screen: {plane}"
    assert plane["y"] + plane["height"] / 2 <= height, f"less than half the plane shows: {plane}"

    assert scroll_main(page, SCROLL) >= SCROLL  # the page is long enough to scroll that far
    expect(train_button(page)).to_be_in_viewport()
    assert_within(train_button(page).bounding_box(), width, height, "the Train button, scrolled")
    shot(page, screenshot_dir, "scrolled", width, height)


@pytest.mark.parametrize("width, height", SCREENS)
def test_present_mode_fits_buttons_plane_and_curves_on_one_screen(
    page: Page, app_server: str, screenshot_dir: Path, width: int, height: int
) -> None:
    open_at(page, f"{app_server}/?present=1", width, height)
    shot(page, screenshot_dir, "present", width, height)
    assert not sidebar_open(page)
    expect(page.locator(".st-key-present").get_by_role("switch")).to_be_checked()
    assert_within(box(page, CONTROLS), width, height, "the run buttons")
    for chart in ("plane", *CURVES):
        assert_within(chart_box(page, chart), width, height, f"the {chart} chart")


def test_present_toggle_and_link_round_trip(page: Page, app_server: str) -> None:
    open_at(page, app_server, 1280, 720)
    share_link = page.locator("[data-testid='stCode']").first
    expect(share_link).not_to_contain_text("present=")
    switch = page.locator(".st-key-present").get_by_role("switch")

    page.locator(".st-key-present").get_by_text("Present").click()
    expect(switch).to_be_checked()
    expect(share_link).to_contain_text("present=1", timeout=30_000)
    page.wait_for_url("**present=1**", timeout=30_000)
    page.wait_for_function(SIDEBAR_GONE_JS, arg=SIDEBAR, timeout=30_000)  # it collapses
    link = share_link.inner_text().strip()

    page.locator(".st-key-present").get_by_text("Present").click()
    expect(switch).not_to_be_checked()
    expect(share_link).not_to_contain_text("present=", timeout=30_000)

    # The link, opened afresh, comes back presenting.
    open_at(page, link, 1280, 720)
    expect(page.locator(".st-key-present").get_by_role("switch")).to_be_checked()
    assert not sidebar_open(page)


TITLE_FITS_JS = """() => [...document.querySelectorAll(".chart")].map((chart) => {
    const title = chart.querySelector(".gtitle");
    const room = chart.getBoundingClientRect();
    const text = title ? title.getBoundingClientRect() : null;
    return {
        chart: chart.dataset.chart,
        title: title ? title.textContent : "",
        width: title ? title.getBBox().width : 0,
        left: text ? text.left - room.left : 0,
        room: room.width,
    };
})"""


@pytest.mark.parametrize("present", [False, True], ids=["sidebar_open", "present"])
def test_every_chart_title_fits_its_chart_at_1280(
    page: Page, app_server: str, screenshot_dir: Path, present: bool
) -> None:
    open_at(page, f"{app_server}/?present=1" if present else app_server, 1280, 720)
    titles = page.frame_locator(CHARTS).locator("body").evaluate(TITLE_FITS_JS)
    assert {t["chart"] for t in titles} == {"plane", *CURVES}
    for title in titles:
        assert title["title"], f"the {title['chart']} chart has no title"
        assert title["left"] >= 0 and title["left"] + title["width"] <= title["room"], title
    scroll_main(page, 300 if not present else 0)
    shot(page, screenshot_dir, "titles_present" if present else "titles", 1280, 720)
