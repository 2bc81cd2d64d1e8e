"""The new views in a real browser at a laptop's 1280×720: with every layer on after a
short run, the plane carries G's warp and D*'s 0.5 line, the distance chart the JSD on
its right axis, and the maths sits below the charts as typeset formulas (MathML).

Waits are on what the page shows, never on fixed sleeps; nothing here is timed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from playwright.sync_api import Page, expect

from gan_core.config import GanConfig
from gan_core.serialize import to_query
from tests.browser.test_dashboard_browser import (
    CHARTS,
    LOAD_TIMEOUT,
    PLANE,
    STATUS,
    UPDATE_TIMEOUT,
    charts,
    run_button,
)
from tests.browser.test_live_view_browser import LAPTOP
from ui.live.charts import LAYER_KEY, LAYER_LABELS

# The heights of a matrix's opening bracket and of the first letter of the maths, in px.
BRACKET_AND_LETTER_JS = """maths => {
    const bracket = maths.querySelector("mtable mtable").parentElement.querySelector("mo");
    const letter = maths.querySelector("mi");
    return [bracket, letter].map((e) => e.getBoundingClientRect().height);
}"""

# A first load on a busy machine can take minutes: the server imports torch and trains.
SLOW_LOAD = 4 * LOAD_TIMEOUT
TRACE_NAMES_JS = "sel => document.querySelector(sel).data.map((t) => t.name)"


def trace_names(page: Page, chart: str) -> list[str]:
    frame = page.locator(CHARTS).element_handle().content_frame()
    assert frame is not None
    return frame.evaluate(TRACE_NAMES_JS, chart)


def test_every_layer_on_after_a_run(page: Page, app_server: str, screenshot_dir) -> None:
    query = {**to_query(GanConfig(epochs=2)), "speed": "max"}
    page.set_viewport_size(LAPTOP)
    page.goto(f"{app_server}?{urlencode(query)}")
    expect(page.locator(STATUS)).to_contain_text("Ready", timeout=SLOW_LOAD)
    page.locator(CHARTS).scroll_into_view_if_needed(timeout=SLOW_LOAD)
    expect(charts(page).locator(PLANE + " .gtitle")).to_be_visible(timeout=SLOW_LOAD)
    run_button(page, "train").click()
    expect(page.locator(STATUS)).to_contain_text("Finished", timeout=SLOW_LOAD)
    pills = page.locator(f".st-key-{LAYER_KEY}")
    frame = page.locator(CHARTS).element_handle().content_frame()
    assert frame is not None
    # One pill at a time, each awaited by what it draws, so no click lands mid-rerun unseen.
    for layer, trace in (("optimal", "best D* = 0.5"), ("warp", "G's warp of the noise grid")):
        pills.get_by_role("button", name=LAYER_LABELS[layer], exact=True).click()
        frame.wait_for_function(
            "([sel, name]) => document.querySelector(sel).data.some((t) => t.name === name)",
            arg=[PLANE, trace],
            timeout=UPDATE_TIMEOUT,
        )
    pills.get_by_role("button", name=LAYER_LABELS["maths"], exact=True).click()
    names = trace_names(page, PLANE)
    assert "D(x)" in names and "real" in names and "fake" in names
    assert "JSD (right axis)" in trace_names(page, "#chart-distance")
    maths = charts(page).locator("#maths")
    expect(maths.locator("math").first).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(maths).to_contain_text("Generator")
    expect(maths).to_contain_text("Target")
    # Typeset, not text in a row: a matrix's brackets stretch to its two rows.
    bracket, letter = maths.evaluate(BRACKET_AND_LETTER_JS)
    assert bracket > 1.5 * letter, (bracket, letter)
    page.locator(CHARTS).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "views_1280_all_layers.png"))
    maths.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "views_1280_maths.png"))
