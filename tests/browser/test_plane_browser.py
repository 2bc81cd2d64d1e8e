"""The plane in a real browser at a laptop's 1280×720: it shows the target and G's points
(at step 0 and at the end of a run, whatever preset), one unit is as long on both axes, D's
heatmap fills the axes plotly draws (no blank band), and an edited target moves the axes.

Everything is read from plotly's own drawn layout (`_fullLayout`): the ranges after plotly
padded the shorter one to fill the plot, and the plot area's size in pixels. Screenshots of
the plane go to test-results/screenshots/plane_<preset>_1280.png.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from gan_core.presets import PRESETS
from gan_core.serialize import to_query
from tests.browser.test_dashboard_browser import (
    CHARTS,
    PLANE,
    STATUS,
    UPDATE_TIMEOUT,
    charts,
    no_exception,
    run_button,
    set_number,
)
from tests.browser.test_live_view_browser import open_at

RUN_TIMEOUT = 600_000  # ms: a whole preset run on a busy machine

PLANE_STATE_JS = """(el) => {
    const full = el._fullLayout, size = full._size;
    const read = (a) => Array.from((a && (a._inputArray || a)) || []);
    const gap = (v) => v === null || Number.isNaN(v);
    const named = (prefix) => el.data.find((t) => (t.name || "").startsWith(prefix));
    const heatmap = el.data.find((t) => t.type === "heatmap");
    const fake = named("fake"), target = named("target");
    return {
        x: full.xaxis.range, y: full.yaxis.range, width: size.w, height: size.h,
        title: full.title.text,
        fake: [read(fake.x), read(fake.y)],
        heat: heatmap ? [read(heatmap.x), read(heatmap.y)] : null,
        // Each curve ends in a gap: NaN in a typed array (or null in a list).
        targetCurves: target ? read(target.x).filter(gap).length : 0,
    };
}"""


def plane_state(page: Page) -> dict:
    return charts(page).locator(PLANE).evaluate(PLANE_STATE_JS)


def share_inside(state: dict) -> float:
    (x0, x1), (y0, y1) = state["x"], state["y"]
    xs, ys = state["fake"]
    inside = [x0 <= x <= x1 and y0 <= y <= y1 for x, y in zip(xs, ys)]
    return sum(inside) / len(inside)


def assert_equal_scale_and_covered(state: dict) -> None:
    (x0, x1), (y0, y1) = state["x"], state["y"]
    # Units per pixel the same on both axes: circles are round, angles true.
    assert (x1 - x0) / state["width"] == pytest.approx((y1 - y0) / state["height"], rel=0.01)
    hx, hy = state["heat"]
    assert min(hx) <= x0 and max(hx) >= x1, (state["x"], min(hx), max(hx))
    assert min(hy) <= y0 and max(hy) >= y1, (state["y"], min(hy), max(hy))


def open_preset(page: Page, app_server: str, name: str, **extra: str) -> dict:
    query = {**to_query(PRESETS[name].config), **extra}
    open_at(page, f"{app_server}?{urlencode(query)}")
    return plane_state(page)


def shoot(page: Page, screenshot_dir, name: str) -> None:
    path = screenshot_dir / f"plane_{name}_1280.png"
    charts(page).locator(PLANE).screenshot(path=str(path))


@pytest.mark.parametrize("name", ["tutorial", "ring_collapse"])
def test_a_preset_at_step_zero_shows_everything(page: Page, app_server: str, screenshot_dir, name):
    state = open_preset(page, app_server, name)
    assert share_inside(state) == 1.0
    assert_equal_scale_and_covered(state)
    if name == "ring_collapse":
        assert state["targetCurves"] == 2 * 8  # each mode's 1σ and 2σ circles
    shoot(page, screenshot_dir, name)
    no_exception(page)


def test_minimax_fakes_are_on_the_plane_at_step_zero_and_at_the_end(
    page: Page, app_server: str, screenshot_dir
) -> None:
    state = open_preset(page, app_server, "minimax", speed="max")
    assert share_inside(state) == 1.0  # G starts near the origin, the target at (4, 4)
    assert_equal_scale_and_covered(state)
    end = finished_state(page, PRESETS["minimax"].config.total_steps)
    assert share_inside(end) == 1.0
    assert_equal_scale_and_covered(end)
    shoot(page, screenshot_dir, "minimax")
    no_exception(page)


def test_high_learning_rates_keep_most_fakes_on_the_plane(
    page: Page, app_server: str, screenshot_dir
) -> None:
    open_preset(page, app_server, "high_lr", speed="max")
    end = finished_state(page, PRESETS["high_lr"].config.total_steps)
    assert share_inside(end) >= 0.95
    assert_equal_scale_and_covered(end)
    shoot(page, screenshot_dir, "high_lr")
    no_exception(page)


def finished_state(page: Page, total_steps: int) -> dict:
    """Train to the end and read the plane once it shows the last step."""
    run_button(page, "train").click()
    expect(page.locator(STATUS)).to_contain_text("Finished", timeout=RUN_TIMEOUT)
    frame = page.locator(CHARTS).element_handle().content_frame()
    assert frame is not None
    frame.wait_for_function(
        "([sel, step]) => { const el = document.querySelector(sel);"
        " return el && el._fullLayout && el._fullLayout.title.text.startsWith(step); }",
        arg=[PLANE, f"Step {total_steps:,}"],
        timeout=UPDATE_TIMEOUT,
    )
    return plane_state(page)


def test_editing_sigma_y_moves_the_axes_and_the_heatmap_fills_them(
    page: Page, app_server: str
) -> None:
    before = open_preset(page, app_server, "tutorial")
    set_number(page, "σy", "0.5")
    frame = page.locator(CHARTS).element_handle().content_frame()
    assert frame is not None
    frame.wait_for_function(
        "([sel, old]) => { const el = document.querySelector(sel);"
        " return el && el._fullLayout && el._fullLayout.yaxis.range[1] !== old; }",
        arg=[PLANE, before["y"][1]],
        timeout=UPDATE_TIMEOUT,
    )
    after = plane_state(page)
    (y0, y1) = after["y"]
    assert y0 <= 0.25 and y1 >= 3.75  # the narrower target (mean 2 ± 3.5·0.5) is held
    assert y1 - y0 < before["y"][1] - before["y"][0]
    assert share_inside(after) == 1.0
    assert_equal_scale_and_covered(after)
    no_exception(page)
