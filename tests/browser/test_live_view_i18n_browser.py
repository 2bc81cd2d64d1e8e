"""The live view in Chinese in a real browser at a laptop's 1280×720 (`?lang=zh`): the status,
the buttons and every chart's title in Chinese, each title within its chart; a short run to
its end; the run downloaded as HTML plays in Chinese. Screenshots of the view in both
languages go to the screenshot directory (zh-live.png, en-live.png, ...).

Waits are on what the page shows, never on fixed sleeps; nothing here is timed.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

from gan_core.config import GanConfig, Target
from gan_core.serialize import to_query
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
from tests.browser.test_live_view_browser import CURVES, LAPTOP, titles_fit

FINISH_TIMEOUT = 180_000  # 250 steps at full speed, on a machine others are using too
EXPORT_TIMEOUT = 180_000  # the HTML is built when the button is pressed
SHORT_RUN = {**to_query(GanConfig(epochs=1)), "speed": "max"}
READY = {"zh": "就绪", "en": "Ready"}
FINISHED = {"zh": "已完成", "en": "Finished"}


def open_in(page: Page, url: str, language: str) -> None:
    page.set_viewport_size(LAPTOP)
    page.goto(url)
    expect(page.locator(STATUS)).to_contain_text(READY[language], timeout=LOAD_TIMEOUT)
    page.locator(CHARTS).scroll_into_view_if_needed(timeout=LOAD_TIMEOUT)
    for chart in (PLANE, *CURVES):
        expect(charts(page).locator(chart + " .gtitle")).to_be_visible(timeout=LOAD_TIMEOUT)


def chart_titles(page: Page) -> dict[str, str]:
    return {found["id"]: found["text"] for found in titles_fit(page)}


def assert_titles_fit(page: Page) -> None:
    for title in titles_fit(page):
        assert title["right"] <= title["width"], title


def run_to_the_end(page: Page, language: str) -> None:
    run_button(page, "train").click()
    expect(page.locator(STATUS)).to_contain_text(FINISHED[language], timeout=FINISH_TIMEOUT)
    expect(charts(page).locator(PLANE + " .gtitle")).to_contain_text("250", timeout=UPDATE_TIMEOUT)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_short_run_in_each_language(
    page: Page, app_server: str, screenshot_dir: Path, language: str
) -> None:
    open_in(page, f"{app_server}?{urlencode({**SHORT_RUN, 'lang': language})}", language)
    run_to_the_end(page, language)
    found = chart_titles(page)
    if language == "zh":
        expect(run_button(page, "train")).to_have_accessible_name("训练")
        expect(run_button(page, "step_d")).to_have_accessible_name("D 单步")
        assert found == {
            PLANE: "第 250 步，共 250 步",
            "#chart-loss": "损失",
            "#chart-accuracy": "D 的准确率（平滑）",
            "#chart-distance": "到目标分布的 Fréchet²（精确）",
        }
        legend = charts(page).locator(PLANE + " .legendtext").all_text_contents()
        assert "真实样本" in legend and "生成样本" in legend
    else:
        assert found[PLANE] == "Step 250 of 250" and found["#chart-loss"] == "Losses"
    assert_titles_fit(page)
    page.screenshot(path=str(screenshot_dir / f"{language}-live.png"), full_page=True)
    no_exception(page)


def test_the_longest_chinese_titles_fit_at_1280(
    page: Page, app_server: str, screenshot_dir: Path
) -> None:
    # A critic (score gap title) with a multilayer G (the fitted distance: the longer title).
    config = GanConfig(loss="hinge", g_hidden=(16,), target=Target(kind="ring"))
    open_in(page, f"{app_server}?{urlencode({**to_query(config), 'lang': 'zh'})}", "zh")
    found = chart_titles(page)
    assert found["#chart-accuracy"] == "评判器得分差（真实 − 生成）"
    assert found["#chart-distance"] == "到目标分布的 Fréchet²（拟合高斯分布）"
    assert_titles_fit(page)
    page.locator(CHARTS).screenshot(path=str(screenshot_dir / "zh-live-critic.png"))
    no_exception(page)


def test_the_replay_downloaded_from_a_chinese_page_is_in_chinese(
    page: Page, browser: Browser, app_server: str, tmp_path: Path, screenshot_dir: Path
) -> None:
    open_in(page, f"{app_server}?{urlencode({**SHORT_RUN, 'lang': 'zh'})}", "zh")
    run_to_the_end(page, "zh")
    with page.expect_download(timeout=EXPORT_TIMEOUT) as download:
        page.get_by_role("button", name="下载回放，用于幻灯片（HTML）").click()
    exported = tmp_path / "replay.html"
    download.value.save_as(exported)
    viewer = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
    try:
        player = viewer.new_page()
        player.goto(exported.as_uri())
        expect(player.locator(".gtitle").first).to_contain_text(
            "第 1 步，共 250 步", timeout=UPDATE_TIMEOUT
        )
        expect(player.get_by_text("▶ 播放")).to_be_visible()
        expect(player.locator(".slider-group > text.slider-label")).to_have_text("第 1 步")
        player.screenshot(path=str(screenshot_dir / "zh-replay-html.png"))
    finally:
        viewer.close()
