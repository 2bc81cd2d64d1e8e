"""The Compare page in chromium: two real recorded runs show up as two curves.

The shared `app_server` fixture starts streamlit with the test process's environment, so
this module starts its own server with `GANSCOPE_DATA_DIR` pointing at a fresh data
directory, and records two short training jobs into it, filed under the session id that
the browser's cookie then brings to the page (a session sees only its own runs).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from benchmarks import app_server as server
from gan_core.config import GanConfig
from gan_core.jobs.thread_job import TrainingJob, ViewOptions
from gan_core.store.recorder import RunRecorder
from gan_core.store.run_store import RunStore
from ui.session.session_id import COOKIE

CONFIG = GanConfig(n_samples=400, batch_size=8, epochs=4)  # 200 steps: a second or two
VIEW = ViewOptions(n_points=50, field_resolution=8, n_arrows=4, frame_interval=0.05)
SESSION = "compare-browser-session"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("compare-data")


@pytest.fixture(scope="module")
def compare_server(data_dir: Path) -> Iterator[str]:
    """`streamlit run dashboard.py` with the run store in `data_dir`; yields the base URL."""
    try:
        with server.app_server(data_dir) as base:
            yield base
    except server.ServerFailed as failure:
        pytest.fail(str(failure))


def record(store: RunStore, config: GanConfig, **names) -> int:
    recorder = RunRecorder(store, config, session_id=SESSION, **names)
    job = TrainingJob(config, view=VIEW, on_frame=recorder.on_frame, on_end=recorder.on_end)
    job.start()
    assert job.wait(120), "training did not end"
    assert recorder.error is None, recorder.error
    return recorder.run_id


def test_two_runs_are_compared(
    page: Page, compare_server: str, data_dir: Path, screenshot_dir: Path
) -> None:
    store = RunStore(data_dir)
    first = record(store, CONFIG, preset="tutorial")
    second = record(store, CONFIG.replace(lr_d=0.01, lr_g=0.005), name="gentle")
    store.close()
    labels = [f"#{first} tutorial", f"#{second} gentle"]

    page.context.add_cookies([{"name": COOKIE, "value": SESSION, "url": compare_server}])
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{compare_server}/Compare")
    expect(page.get_by_role("heading", name="Compare runs")).to_be_visible(timeout=30_000)
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(2, timeout=30_000)
    distance = charts.nth(1)
    for label in labels:  # one curve per run in the distance chart's legend
        expect(distance.locator(".legendtext", has_text=label)).to_have_count(1)
    expect(distance.locator(".scatterlayer .trace")).to_have_count(2)
    expect(page.get_by_test_id("stException")).to_have_count(0)

    # The export is built when clicked: it must hold both runs, in the store's own format.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export 2 run(s) as JSON").click()
    bundle = json.loads(Path(download.value.path()).read_text())
    assert [run["name"] for run in bundle["runs"]] == ["gentle", "tutorial"]

    # Streamlit scrolls inside its own container: a tall window shows the whole page at once.
    page.set_viewport_size({"width": 1400, "height": 3400})
    expect(page.get_by_text("Import runs")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "compare.png"), full_page=True)
