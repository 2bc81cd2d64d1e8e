"""The class board in chromium: two people's pages on one server, the store shared.

This module starts its own server, with the run store in a fresh data directory and a
teacher key in its environment. Runs are trained with the engine and published through the
store directly, as the Compare page's Publish does, while the pages are open.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from benchmarks import app_server as server
from gan_core.config import GanConfig
from gan_core.store.recorder import record_trainer
from gan_core.store.run_store import RunStore
from gan_core.training.trainer import Trainer
from ui.board.live import REFRESH_SECONDS
from ui.session.teacher import ENV_VAR as KEY_NAME

KEY = "board-browser-teacher-key"
CONFIG = GanConfig(n_samples=200, batch_size=20, epochs=3)  # 30 steps: well under a second
VIEWPORT = {"width": 1280, "height": 720}
# A refresh comes every REFRESH_SECONDS; a loaded machine may add a good deal to it.
WITHIN_REFRESH_MS = (REFRESH_SECONDS + 25) * 1000


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("board-data")


@pytest.fixture(scope="module")
def board_server(data_dir: Path) -> Iterator[str]:
    """`streamlit run app.py` with the store in `data_dir` and a teacher key set."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_NAME, KEY)  # the server copies the environment as it starts
        try:
            with server.app_server(data_dir) as base:
                yield base
        except server.ServerFailed as failure:
            pytest.fail(str(failure))


@pytest.fixture
def two_people(browser: Browser) -> Iterator[tuple[BrowserContext, BrowserContext]]:
    """Two browser contexts: two people, with their own cookies and sessions."""
    contexts = (browser.new_context(viewport=VIEWPORT), browser.new_context(viewport=VIEWPORT))
    yield contexts
    for context in contexts:
        context.close()


def open_board(context: BrowserContext, base: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}/Board")
    expect(page.get_by_role("heading", name="Class board")).to_be_visible(timeout=90_000)
    return page


def publish(data_dir: Path, name: str, seed: int) -> int:
    trainer = Trainer(CONFIG.replace(seed=seed))
    trainer.run()
    store = RunStore(data_dir)
    try:
        run_id = record_trainer(store, trainer, name=name, session_id=f"student-{seed}")
        assert run_id is not None
        store.set_flags(run_id, published=True)
    finally:
        store.close()
    return run_id


def test_a_run_published_elsewhere_appears_on_both_boards_and_the_teacher_sets_a_challenge(
    two_people, board_server: str, data_dir: Path, screenshot_dir: Path
) -> None:
    teacher_context, student_context = two_people
    teacher = open_board(teacher_context, board_server)
    student = open_board(student_context, board_server)
    expect(student.get_by_text("Nothing is published yet")).to_be_visible(timeout=30_000)
    student.screenshot(path=str(screenshot_dir / "board_empty.png"))

    first = publish(data_dir, "ada", seed=1)
    for page in (teacher, student):  # no reload: the board's refresh finds it
        expect(page.get_by_text(f"#{first} ada", exact=True)).to_be_visible(
            timeout=WITHIN_REFRESH_MS
        )
    expect(student.get_by_text("Nothing is published yet")).to_have_count(0)

    # The teacher signs in with the key and sets a challenge from the sidebar.
    sidebar = teacher.get_by_test_id("stSidebar")
    sidebar.get_by_label("Teacher key").fill(KEY)
    sidebar.get_by_role("button", name="Unlock teacher actions").click()
    expect(sidebar.get_by_text("Teacher key accepted")).to_be_visible(timeout=30_000)
    expect(student.get_by_label("Title")).to_have_count(0)  # the student has no such form
    sidebar.get_by_label("Title").fill("Closest in 30 steps")
    sidebar.get_by_label("Step limit").fill("30")
    sidebar.get_by_role("button", name="Set challenge").click()
    expect(teacher.get_by_role("heading", name="Closest in 30 steps")).to_be_visible(timeout=30_000)

    second = publish(data_dir, "grace", seed=2)
    expect(student.get_by_role("heading", name="Closest in 30 steps")).to_be_visible(
        timeout=WITHIN_REFRESH_MS
    )
    expect(student.get_by_text(f"#{second} grace", exact=True)).to_be_visible(
        timeout=WITHIN_REFRESH_MS
    )
    student.screenshot(path=str(screenshot_dir / "board_student.png"))
    expect(student.get_by_test_id("stDataFrame")).to_have_count(1, timeout=30_000)
    expect(student.locator(".js-plotly-plot")).to_have_count(4)  # two runs, two charts each
    for page in (teacher, student):
        expect(page.get_by_test_id("stException")).to_have_count(0)
    teacher.screenshot(path=str(screenshot_dir / "board_teacher.png"))
    student.screenshot(path=str(screenshot_dir / "board_student.png"))
    student.set_viewport_size({"width": 1280, "height": 1500})
    student.screenshot(path=str(screenshot_dir / "board_student_tall.png"))
