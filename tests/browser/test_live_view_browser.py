"""The live view in a real browser at a laptop's 1280×720: every chart title fits its chart,
Reset gives the curves fresh axes, the log axis labels its minor ticks in full, and the
speed lives in the address bar across a reload.

Waits are on what the page shows, never on fixed sleeps; nothing here is timed.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import Page, expect

from gan_core.config import GanConfig, Target
from gan_core.serialize import SPEEDS, to_query
from tests.browser.test_dashboard_browser import (
    CHARTS,
    LOAD_TIMEOUT,
    PLANE,
    STATUS,
    UPDATE_TIMEOUT,
    charts,
    no_exception,
    run_button,
)

LAPTOP = {"width": 1280, "height": 720}
CURVES = ("#chart-loss", "#chart-accuracy", "#chart-distance")
SPEED_SLIDER = ".st-key-speed input[type='range']"  # its value is the index in SPEEDS

TITLE_FIT_JS = """(ids) => ids.map((id) => {
    const chart = document.querySelector(id);
    const svg = chart && chart.querySelector(".main-svg");
    const title = chart && chart.querySelector(".gtitle");
    if (!svg || !title) return null;
    const box = title.getBoundingClientRect(), area = svg.getBoundingClientRect();
    return {id: id, text: title.textContent, right: box.right - area.left, width: area.width};
})"""


def open_at(page: Page, url: str) -> None:
    page.set_viewport_size(LAPTOP)
    page.goto(url)
    expect(page.locator(STATUS)).to_contain_text("Ready", timeout=LOAD_TIMEOUT)
    # Below the fold at 720 px: scrolled to, as a viewer would, so the frame draws.
    page.locator(CHARTS).scroll_into_view_if_needed(timeout=LOAD_TIMEOUT)
    for chart in (PLANE, *CURVES):
        expect(charts(page).locator(chart + " .gtitle")).to_be_visible(timeout=LOAD_TIMEOUT)


def speed_in_address(page: Page) -> str | None:
    return parse_qs(urlparse(page.url).query).get("speed", [None])[-1]


def chart_layout(page: Page, chart: str, path: str):
    return charts(page).locator(chart).evaluate(f"el => el._fullLayout.{path}")


def titles_fit(page: Page) -> list[dict]:
    frame = page.locator(CHARTS).element_handle().content_frame()
    assert frame is not None
    found = frame.evaluate(TITLE_FIT_JS, [PLANE, *CURVES])
    assert all(found), found
    return found


def test_every_chart_title_fits_at_1280(page: Page, app_server: str, screenshot_dir) -> None:
    # A critic (score gap title) with a multilayer G (the fitted distance: the longer title).
    config = GanConfig(loss="hinge", g_hidden=(16,), target=Target(kind="ring"))
    open_at(page, f"{app_server}?{urlencode(to_query(config))}")
    found = titles_fit(page)
    texts = [title["text"] for title in found]
    assert "Critic's score gap (real − fake)" in texts
    assert "Fréchet² to the target (fitted Gaussians)" in texts
    for title in found:
        assert title["right"] <= title["width"], title
    page.locator(CHARTS).screenshot(path=str(screenshot_dir / "live_view_1280_critic.png"))
    open_at(page, app_server)  # the tutorial: D's accuracy, the exact distance
    for title in titles_fit(page):
        assert title["right"] <= title["width"], title
    page.locator(CHARTS).screenshot(path=str(screenshot_dir / "live_view_1280_tutorial.png"))
    no_exception(page)


def test_reset_clears_the_run_axes_and_log_ticks_read_in_full(page: Page, app_server: str) -> None:
    query = {**to_query(GanConfig(epochs=1)), "speed": "max"}  # 250 steps at full speed
    open_at(page, f"{app_server}?{urlencode(query)}")
    run_button(page, "train").click()
    expect(page.locator(STATUS)).to_contain_text("Finished", timeout=90_000)
    frame = page.locator(CHARTS).element_handle().content_frame()
    assert frame is not None
    frame.wait_for_function(
        "sel => document.querySelector(sel)._fullLayout.xaxis.range[1] >= 200",
        arg="#chart-loss",
        timeout=UPDATE_TIMEOUT,
    )
    # Over two decades plotly labels the ticks between powers of ten: each label must say
    # its own value (5×10⁻¹ for 0.5, not a bare "5").
    ticks = (
        charts(page)
        .locator("#chart-distance")
        .evaluate(
            """async (el) => {
            await window.Plotly.relayout(el, {"yaxis.range": [-1.3, 1.3]});
            return el._fullLayout.yaxis._vals.map((t) => [Math.pow(10, t.x), t.text]);
        }"""
        )
    )
    assert len(ticks) > 3, ticks
    for value, text in ticks:
        assert tick_value(text) == pytest.approx(value, rel=1e-6), (value, text)

    run_button(page, "reset").click()
    expect(page.locator(STATUS)).to_contain_text("Ready", timeout=UPDATE_TIMEOUT)
    for chart in CURVES:
        frame = page.locator(CHARTS).element_handle().content_frame()
        assert frame is not None
        # The empty curves' axes are plotly's default ones again, not the run's 0..250.
        frame.wait_for_function(
            "sel => document.querySelector(sel)._fullLayout.xaxis.range[1] < 200",
            arg=chart,
            timeout=UPDATE_TIMEOUT,
        )
    no_exception(page)


def tick_value(text: str) -> float:
    """The number a log-axis label writes: "0.5", "10", "10<sup>−1</sup>", "5×10<sup>−1</sup>"."""
    text = text.replace("−", "-").replace("×", "x")
    found = re.fullmatch(r"(?:([\d.]+)x)?10<sup>(-?\d+)</sup>|([\d.]+)", text)
    assert found, text
    mantissa, exponent, plain = found.groups()
    if plain is not None:
        return float(plain)
    return float(mantissa or 1) * 10 ** int(exponent)


def test_the_speed_is_in_the_address_and_survives_a_reload(page: Page, app_server: str) -> None:
    open_at(page, app_server)
    page.wait_for_function("() => window.location.search.includes('speed=')")
    assert speed_in_address(page) == "100"  # a new session starts at a watchable pace
    expect(page.locator(SPEED_SLIDER)).to_have_value(str(SPEEDS.index("100")))
    page.locator(SPEED_SLIDER).focus()
    page.keyboard.press("ArrowLeft")  # one notch slower: 50 steps a second
    page.wait_for_function("() => window.location.search.includes('speed=50')")
    page.reload()
    expect(page.locator(STATUS)).to_contain_text("Ready", timeout=LOAD_TIMEOUT)
    slider = page.locator(SPEED_SLIDER)
    expect(slider).to_have_value(str(SPEEDS.index("50")), timeout=LOAD_TIMEOUT)
    expect(slider).to_have_attribute("aria-valuetext", "50")
    assert speed_in_address(page) == "50"
    no_exception(page)
