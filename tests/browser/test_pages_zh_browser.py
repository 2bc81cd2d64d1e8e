"""The Sweep, Compare and Board pages in chromium, opened from links with `?lang=zh` and
`?lang=en`: the Chinese labels are there (CJK glyphs render), and a screenshot of each page
in each language is saved at 1280×720 for a person to look at.

This module starts its own server with the run store in a fresh data directory holding two
short runs of one session (one published) and a challenge, so every part of the pages shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from benchmarks import app_server as server
from gan_core.classroom.challenge import Challenge
from gan_core.config import GanConfig
from gan_core.store.recorder import record_trainer
from gan_core.store.run_store import RunStore
from gan_core.training.trainer import Trainer
from ui.session import teacher
from ui.session.session_id import COOKIE

SESSION = "pages-zh-browser-session"
CONFIG = GanConfig(n_samples=200, batch_size=20, epochs=3)  # 30 steps
VIEWPORT = {"width": 1280, "height": 720}
WAIT = 90_000  # ms: a shared, busy machine may take a while for each rerun
# What each page must say, exactly, in each language.
LABELS = {
    "zh": {
        "Sweep": ["参数扫描", "基准设置", "每格随机种子数", "运行"],
        "Compare": ["对比训练", "要对比的训练", "曲线", "发布到班级"],
        "Board": ["班级看板", "已发布的训练", "教师密钥", "解锁教师操作"],
    },
    "en": {
        "Sweep": ["Sweep", "Base setup", "Seeds per cell", "Run"],
        "Compare": ["Compare runs", "Runs to compare", "Curves", "Publish to the class"],
        "Board": ["Class board", "Published runs", "Teacher key", "Unlock teacher actions"],
    },
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pages-zh-data")
    store = RunStore(path)
    try:
        for seed, name in ((1, "A1"), (2, "B2")):
            trainer = Trainer(CONFIG.replace(seed=seed))
            trainer.run()
            run_id = record_trainer(store, trainer, name=name, session_id=SESSION)
            assert run_id is not None
        store.set_flags(run_id, published=True)
        challenge = Challenge(title="三十步挑战", target=CONFIG.target, step_limit=30)
        store.set_challenge(challenge.to_json())
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def pages_server(data_dir: Path) -> Iterator[str]:
    try:
        with pytest.MonkeyPatch.context() as env:  # the server takes the test's environment
            env.setenv(teacher.ENV_VAR, "pages-zh-browser-teacher-key")
            with server.app_server(data_dir) as base:
                yield base
    except server.ServerFailed as failure:
        pytest.fail(str(failure))


def open_page(page: Page, base: str, name: str, lang: str) -> None:
    page.set_default_timeout(WAIT)
    page.context.add_cookies([{"name": COOKIE, "value": SESSION, "url": base}])
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{base}/{name}?lang={lang}")
    title = LABELS[lang][name][0]
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=WAIT)


def keyed(page: Page, key: str):
    """The element a widget with `key` is drawn in: Streamlit marks it with a class made of
    the key (its dots written otherwise), so every part of the key is matched."""
    return page.locator("".join(f'[class*="{part}"]' for part in key.split(".")))


def run_small_sweep(page: Page, lang: str) -> None:
    """Two cells of the first preset: two D learning rates, one G learning rate."""
    listed, planned, results = {
        "zh": ("列表", "2 格 × 1 个随机种子 = 2 次训练", "结果"),
        "en": ("list", "2 cells × 1 seed = 2 runs", "Results"),
    }[lang]
    for axis, text in (("axis1.lr_d", "0.01, 0.1"), ("axis2.lr_g", "0.05")):
        keyed(page, f"sweep.{axis}.mode").get_by_text(listed, exact=True).click()
        box = keyed(page, f"sweep.{axis}.list").locator("input")
        expect(box).to_be_visible()
        box.fill(text)
        box.press("Enter")
    expect(page.get_by_text(planned)).to_be_visible()  # the form has read both values
    keyed(page, "sweep.run").get_by_role("button").click()
    expect(page.get_by_role("heading", name=results, exact=True)).to_be_visible(timeout=240_000)
    expect(page.locator(".js-plotly-plot")).to_have_count(1, timeout=WAIT)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_page_shows_its_labels_in_the_links_language(
    page: Page, pages_server: str, screenshot_dir: Path, lang: str
) -> None:
    for name in ("Sweep", "Compare", "Board"):
        open_page(page, pages_server, name, lang)
        for label in LABELS[lang][name]:
            expect(page.get_by_text(label).first, label).to_be_visible(timeout=WAIT)
        if name == "Sweep":
            run_small_sweep(page, lang)
        if name == "Compare":
            expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=WAIT)
        if name == "Board":
            expect(page.get_by_role("heading", name="三十步挑战")).to_be_visible(timeout=WAIT)
            expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=WAIT)  # B2: two charts
        expect(page.get_by_test_id("stException")).to_have_count(0, timeout=WAIT)
        page.screenshot(path=str(screenshot_dir / f"{lang}-{name.lower()}.png"))
        page.set_viewport_size({"width": 1280, "height": 2400})  # the whole page, as a check
        page.screenshot(path=str(screenshot_dir / f"{lang}-{name.lower()}-tall.png"))
