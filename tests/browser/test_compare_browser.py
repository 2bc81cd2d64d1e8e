"""The Compare page in chromium: two real recorded runs show up as two curves; a run
published to the class is seen from a second browser, which may not delete it until the
teacher key is entered there.

The shared `app_server` fixture starts streamlit with the test process's environment, so
this module starts its own server with `GANSCOPE_DATA_DIR` pointing at a fresh data
directory (and a teacher key set), and records short training jobs into it, filed under
the session id that the browser's cookie then brings to the page (a session sees only its
own runs, and the published ones when it asks).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from benchmarks import app_server as server
from gan_core.config import GanConfig
from gan_core.jobs.thread_job import TrainingJob, ViewOptions
from gan_core.store.recorder import RunRecorder
from gan_core.store.run_store import RunStore
from ui.session import teacher
from ui.session.session_id import COOKIE

CONFIG = GanConfig(n_samples=400, batch_size=8, epochs=4)  # 200 steps: a second or two
VIEW = ViewOptions(n_points=50, field_resolution=8, n_arrows=4, frame_interval=0.05)
SESSION = "compare-browser-session"
MAKER = "compare-browser-maker-session"  # publishes a run to the class
CLASSMATE = "compare-browser-classmate-session"  # sees it; becomes the teacher
TEACHER_KEY = "browser-test-teacher-key"
WAIT = 60_000  # ms: a shared, busy machine may take a while for each rerun


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("compare-data")


@pytest.fixture(scope="module")
def compare_server(data_dir: Path) -> Iterator[str]:
    """`streamlit run app.py` with the run store in `data_dir` and a teacher key set;
    yields the base URL."""
    try:
        with pytest.MonkeyPatch.context() as env:  # the server takes the test's environment
            env.setenv(teacher.ENV_VAR, TEACHER_KEY)
            with server.app_server(data_dir) as base:
                yield base
    except server.ServerFailed as failure:
        pytest.fail(str(failure))


def record(store: RunStore, config: GanConfig, session: str = SESSION, **names) -> int:
    recorder = RunRecorder(store, config, session_id=session, **names)
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
        page.get_by_role("button", name="Export 2 runs as JSON").click()
    bundle = json.loads(Path(download.value.path()).read_text())
    assert [run["name"] for run in bundle["runs"]] == ["gentle", "tutorial"]

    # Streamlit scrolls inside its own container: a tall window shows the whole page at once.
    page.set_viewport_size({"width": 1400, "height": 3400})
    expect(page.get_by_text("Import runs")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "compare.png"), full_page=True)


def open_compare(page: Page, base: str, session: str) -> None:
    page.set_default_timeout(WAIT)
    page.context.add_cookies([{"name": COOKIE, "value": session, "url": base}])
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{base}/Compare")
    expect(page.get_by_role("heading", name="Compare runs")).to_be_visible(timeout=WAIT)


def test_a_published_run_is_seen_by_the_class_and_deleted_only_by_a_teacher(
    page: Page, browser: Browser, compare_server: str, data_dir: Path, screenshot_dir: Path
) -> None:
    store = RunStore(data_dir)
    run_id = record(store, CONFIG, session=MAKER, name="to share")
    renamed = f"#{run_id} for the class"

    # The maker publishes the run, then renames it.
    open_compare(page, compare_server, MAKER)
    expect(page.get_by_role("button", name="Publish to the class")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Publish to the class").click()
    expect(page.get_by_text(f"#{run_id} to share is published")).to_be_visible(timeout=WAIT)
    name_box = page.get_by_label(f"Name of run #{run_id}")
    name_box.fill("for the class")
    name_box.press("Enter")
    page.get_by_role("button", name="Rename", exact=True).click()
    expect(page.get_by_text(f"Renamed #{run_id} to share to {renamed}.")).to_be_visible(
        timeout=WAIT
    )
    expect(page.get_by_test_id("stMultiSelect").get_by_text(renamed)).to_be_visible(timeout=WAIT)
    page.get_by_role("heading", name="Compare runs").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "compare-1280x720.png"))
    assert store.list_runs(published=True).name.tolist() == ["for the class"]

    # A classmate, in a browser of their own, sees it among the published runs ...
    classmate = browser.new_context().new_page()
    open_compare(classmate, compare_server, CLASSMATE)
    none_of_their_own = classmate.get_by_text("No saved runs yet")
    expect(none_of_their_own).to_be_visible(timeout=WAIT)
    classmate.get_by_test_id("stRadio").get_by_text("Published to the class").click()
    chosen = classmate.get_by_test_id("stMultiSelect").get_by_text(renamed)
    expect(chosen).to_be_visible(timeout=WAIT)
    expect(classmate.get_by_text("only its maker or a teacher")).to_be_visible(timeout=WAIT)
    # ... with no way offered to change it, and the store refuses them all the same.
    for name in ("Rename", "Unpublish", "Publish to the class"):
        expect(classmate.get_by_role("button", name=name, exact=True)).to_have_count(
            0, timeout=WAIT
        )
    expect(classmate.get_by_role("button", name="Delete 1 run…")).to_have_count(0, timeout=WAIT)
    assert store.delete_runs_of([run_id], CLASSMATE).refused == [run_id]

    # With the teacher key entered, the classmate may delete it.
    sidebar = classmate.get_by_test_id("stSidebar")
    sidebar.get_by_text("Teacher", exact=True).click()
    sidebar.get_by_label("Teacher key").fill("a guess")
    sidebar.get_by_role("button", name="Unlock teacher actions").click()
    expect(sidebar.get_by_text("That is not the teacher key.")).to_be_visible(timeout=WAIT)
    expect(classmate.get_by_role("button", name="Delete 1 run…")).to_have_count(0, timeout=WAIT)
    sidebar.get_by_label("Teacher key").fill(TEACHER_KEY)
    sidebar.get_by_role("button", name="Unlock teacher actions").click()
    expect(sidebar.get_by_text("Teacher key accepted")).to_be_visible(timeout=WAIT)
    classmate.get_by_role("button", name="Delete 1 run…").click()
    classmate.get_by_role("button", name="Yes, delete").click()
    expect(classmate.get_by_text("Deleted 1 run.")).to_be_visible(timeout=WAIT)
    assert run_id not in store.list_runs().id.tolist()
    expect(classmate.get_by_test_id("stException")).to_have_count(0, timeout=WAIT)
    classmate.context.close()
    store.close()
