"""The main page in a real browser against a real server: set a target, train, watch, stop.

Waits are on what the page shows (texts, chart contents), never on fixed sleeps. The times
from Train to the first frame and from Stop to "Stopped" are printed, not asserted: they
depend on the machine.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from gan_core.training.checkpoint import load_checkpoint

LOAD_TIMEOUT = 60_000  # ms: the first page load imports torch on the server
UPDATE_TIMEOUT = 30_000
# Waiting for training to reach a step: generous, since a busy machine slows the run itself.
PROGRESS_TIMEOUT = 90_000
STEP_VALUE = ".st-key-metric_step [data-testid='stMetricValue']"
STATUS = ".st-key-run_status"
CHARTS = ".st-key-live_charts iframe"  # the live charts update in place inside one frame
PLANE = "#chart-plane"
LOSS = "#chart-loss"


def open_page(page: Page, url: str) -> None:
    page.set_viewport_size({"width": 1600, "height": 1300})
    page.goto(url)
    expect(page.get_by_text("GANscope").first).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(page.locator(STATUS)).to_contain_text("Ready", timeout=LOAD_TIMEOUT)
    expect(charts(page).locator(PLANE + " .main-svg").first).to_be_visible(timeout=LOAD_TIMEOUT)


def run_button(page: Page, action: str):
    # By role: Streamlit also draws a hidden copy of a button that has a tooltip.
    return page.locator(f".st-key-run_{action}").get_by_role("button")


def set_number(page: Page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")


def step_shown(page: Page) -> int:
    return int(page.locator(STEP_VALUE).inner_text().replace(",", ""))


def wait_for_step_above(page: Page, step: int) -> int:
    page.wait_for_function(
        """([selector, previous]) => {
            const el = document.querySelector(selector);
            return el && Number(el.innerText.replace(/,/g, "")) > previous;
        }""",
        arg=[STEP_VALUE, step],
        timeout=PROGRESS_TIMEOUT,
    )
    return step_shown(page)


def charts(page: Page):
    return page.frame_locator(CHARTS)


def chart_frame(page: Page):
    frame = page.locator(CHARTS).element_handle().content_frame()
    if frame is None:  # the iframe was replaced just now
        raise PlaywrightError("the charts' frame is gone")
    return frame


CHART_STATE_JS = """([plane, loss]) => {
    const p = document.querySelector(plane), l = document.querySelector(loss);
    if (!p || !p.layout || !l || !l.layout || !l.layout.xaxis.range) return null;
    return [p.layout.title.text, l.layout.xaxis.range[1]];
}"""


def chart_state(page: Page) -> tuple[str, float]:
    """The plane's title ("Step n of m") and the last step on the loss chart's x axis,
    once plotly has drawn both.

    Asked again in short rounds: a rerun of the page can replace the charts' iframe, and a
    wait inside a replaced frame would never end."""
    deadline = time.monotonic() + UPDATE_TIMEOUT / 1000
    while True:
        try:
            state = chart_frame(page).wait_for_function(
                CHART_STATE_JS, arg=[PLANE, LOSS], timeout=2_000
            )
            title, last_step = state.json_value()
            return title, last_step
        except PlaywrightError:
            if time.monotonic() > deadline:
                raise


def plane_x_range(page: Page) -> list[float]:
    return charts(page).locator(PLANE).evaluate("el => el.layout.xaxis.range")


def zoom_into_plane(page: Page) -> list[float]:
    """Drag a zoom box on the plane, as a viewer would; return the zoomed x range."""
    full = plane_x_range(page)
    box = charts(page).locator(PLANE + " .nsewdrag").first.bounding_box()
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 80, y + 80, steps=5)
    page.mouse.up()
    chart_frame(page).wait_for_function(
        "([sel, old]) => document.querySelector(sel).layout.xaxis.range[0] !== old",
        arg=[PLANE, full[0]],
        timeout=UPDATE_TIMEOUT,
    )
    zoomed = plane_x_range(page)
    assert zoomed[1] - zoomed[0] < full[1] - full[0]
    return zoomed


def note_presses(page: Page) -> None:
    """Note in the page when each run button is pressed (mousedown): latencies are timed
    from the press itself, not from when the driver starts its click (which first waits
    for the button to hold still, slow on a busy page)."""
    page.evaluate(
        """() => {
            window.__pressed = {};
            document.addEventListener("mousedown", (event) => {
                const holder = event.target.closest("[class*='st-key-run_']");
                if (!holder) return;
                const key = [...holder.classList].find((c) => c.startsWith("st-key-run_"));
                window.__pressed[key.slice("st-key-run_".length)] = performance.now();
            }, true);
        }"""
    )


def seconds_since_press(page: Page, action: str) -> float:
    """Seconds from pressing the button to now, both read in the page (an upper bound on
    the time to what was just seen)."""
    return page.evaluate(f"() => (performance.now() - window.__pressed['{action}']) / 1000")


def no_exception(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_set_target_train_watch_and_stop(
    page: Page, browser: Browser, app_server: str, screenshot_dir: Path
) -> None:
    open_page(page, f"{app_server}/?epochs=400")  # 100,000 steps: still going when stopped

    set_number(page, "Mean x", "0.5")
    page.wait_for_url(re.compile(r"mean=0\.5%2C2\.0"), timeout=UPDATE_TIMEOUT)
    set_number(page, "σx", "1.5")
    page.wait_for_url(re.compile(r"cov=2\.25%2C"), timeout=UPDATE_TIMEOUT)

    zoomed = zoom_into_plane(page)

    note_presses(page)
    run_button(page, "train").click()
    first = wait_for_step_above(page, 0)
    first_frame_s = seconds_since_press(page, "train")
    expect(page.locator(STATUS)).to_contain_text("Running", timeout=UPDATE_TIMEOUT)

    # The step number, the plane and the loss curve all move on, read after read.
    steps, charts = [first], [chart_state(page)]
    for _ in range(4):
        steps.append(wait_for_step_above(page, steps[-1]))
        chart_frame(page).wait_for_function(
            """([sel, old]) => {
                const el = document.querySelector(sel);
                return el && el.layout && el.layout.title.text !== old;
            }""",
            arg=[PLANE, charts[-1][0]],
            timeout=UPDATE_TIMEOUT,
        )
        charts.append(chart_state(page))
    assert steps == sorted(set(steps)), steps
    assert len({title for title, _ in charts}) == len(charts), charts
    # The loss curve reaches further once the run's log has its next row (a long run logs
    # one every few hundred steps, which the reads above may all fall between).
    deadline = time.monotonic() + PROGRESS_TIMEOUT / 1000
    while chart_state(page)[1] <= charts[0][1]:
        assert time.monotonic() < deadline, ("the loss curve never moved on", charts)
        page.wait_for_timeout(250)
    assert charts[-1][0].endswith("of 100,000"), charts[-1][0]
    assert plane_x_range(page) == zoomed  # new frames kept the viewer's zoom

    page.screenshot(path=str(screenshot_dir / "dashboard_running.png"))
    run_button(page, "stop").click()
    expect(page.locator(STATUS)).to_contain_text("Stopped", timeout=UPDATE_TIMEOUT)
    stop_s = seconds_since_press(page, "stop")
    stopped_at = step_shown(page)
    expect(run_button(page, "stop")).to_be_disabled()
    assert stopped_at >= steps[-1]
    # Step after Stop never starts the run over: the step buttons are off, and say why.
    for action in ("step", "step_d", "step_g"):
        expect(run_button(page, action)).to_be_disabled()
    expect(page.get_by_text("Step is off: this run has ended.")).to_be_visible()
    run_button(page, "step").click(force=True)  # a click on the disabled button does nothing
    expect(page.locator(STATUS)).to_contain_text("Stopped")
    assert step_shown(page) == stopped_at
    no_exception(page)
    page.screenshot(path=str(screenshot_dir / "dashboard_stopped.png"))

    # The stopped run downloads as a checkpoint that loads and continues from where it was.
    with page.expect_download(timeout=UPDATE_TIMEOUT) as download:
        page.locator(".st-key-download_checkpoint").get_by_role("button").click()
    trainer = load_checkpoint(Path(download.value.path()).read_bytes())
    assert trainer.step_count == stopped_at
    assert trainer.config.target.mean == (0.5, 2.0)
    with page.expect_download(timeout=UPDATE_TIMEOUT) as download:
        page.locator(".st-key-download_history").get_by_role("button").click()
    history = Path(download.value.path()).read_text()
    assert history.startswith("step,epoch,loss_d,loss_g,acc_real,acc_fake,frechet")
    # Another browser session sees none of this run: its page starts at step 0.
    # (Checked once the run is stopped: a second page loading while the first trains
    # only measures how busy the machine is.)
    other = browser.new_context()
    try:
        other_page = other.new_page()
        open_page(other_page, app_server)
        expect(other_page.locator(STEP_VALUE)).to_have_text("0")
    finally:
        other.close()

    print(
        f"\nFrom the press: Train -> first frame: {first_frame_s:.2f} s; "
        f"Stop -> 'Stopped' shown: {stop_s:.2f} s;"
        f" steps read while running: {steps}"
    )


def test_bad_covariance_is_refused_with_its_eigenvalues(
    page: Page, app_server: str, screenshot_dir: Path
) -> None:
    open_page(page, app_server)
    page.get_by_text("Full matrix").click()
    expect(page.get_by_label("Σ row 1, col 2", exact=True)).to_be_visible()

    set_number(page, "Σ row 1, col 2", "3")
    expect(page.get_by_text("is not symmetric")).to_be_visible(timeout=UPDATE_TIMEOUT)
    expect(page.get_by_text("The previous target is kept")).to_be_visible()

    set_number(page, "Σ row 2, col 1", "3")
    error = page.get_by_text("is not positive semi-definite")
    expect(error).to_be_visible(timeout=UPDATE_TIMEOUT)
    expect(error).to_contain_text("eigenvalues are -0.7795 and 6.039")
    assert "cov=1.01%2C1.95%2C1.95%2C4.25" in page.url  # the link keeps the valid target
    no_exception(page)
    page.screenshot(path=str(screenshot_dir / "dashboard_bad_covariance.png"))


def test_a_link_sets_the_controls(page: Page, app_server: str) -> None:
    # (A bad link's message and fallback are covered by the AppTests.)
    open_page(page, f"{app_server}/?lr_d=0.02&epochs=3&seed=11")
    expect(page.get_by_label("D learning rate", exact=True)).to_have_value("0.02")
    expect(page.get_by_label("Epochs", exact=True)).to_have_value("3")
    expect(page.get_by_label("Seed", exact=True)).to_have_value("11")
    expect(page.get_by_text("0% of 750 steps")).to_be_visible()
    no_exception(page)


def test_own_points_upload(page: Page, app_server: str) -> None:
    open_page(page, app_server)
    page.get_by_text("My points (CSV)").click()
    uploader = page.locator(".st-key-points_upload input[type='file']")

    def upload(content: bytes) -> None:
        uploader.set_input_files(
            files=[{"name": "points.csv", "mimeType": "text/csv", "buffer": content}]
        )

    upload(b"x,y\n0,0\n1,1\n2,0\n3,1\n")
    expect(page.get_by_text("4 points from points.csv")).to_be_visible(timeout=UPDATE_TIMEOUT)
    page.wait_for_url(re.compile(r"target=points"), timeout=UPDATE_TIMEOUT)

    upload(b"x,y\n0,0\n1,nan\n")
    expect(page.get_by_text("not a finite number")).to_be_visible(timeout=UPDATE_TIMEOUT)
    expect(page.get_by_text("4 points from points.csv")).to_be_visible()  # the old ones stay
    no_exception(page)


def test_config_upload_refuses_unknown_keys(page: Page, app_server: str) -> None:
    open_page(page, app_server)
    bad = json.dumps({"version": 1, "lr_d": 0.02, "learning_rate": 3}).encode()
    uploader = page.locator(".st-key-config_upload input[type='file']")
    uploader.set_input_files(
        files=[{"name": "bad.json", "mimeType": "application/json", "buffer": bad}]
    )
    expect(page.get_by_text("bad.json was not loaded: learning_rate")).to_be_visible(
        timeout=UPDATE_TIMEOUT
    )
    expect(page.get_by_label("D learning rate", exact=True)).to_have_value("0.05")

    good = json.dumps({"version": 1, "lr_d": 0.02, "epochs": 2}).encode()
    uploader.set_input_files(
        files=[{"name": "good.json", "mimeType": "application/json", "buffer": good}]
    )
    expect(page.get_by_text("Loaded good.json")).to_be_visible(timeout=UPDATE_TIMEOUT)
    expect(page.get_by_label("D learning rate", exact=True)).to_have_value("0.02")
    no_exception(page)
