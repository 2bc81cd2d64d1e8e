"""The main page's language in a real browser: the browser's own preference on a first
visit, `lang=` in the link, the sidebar's switch during a run, and refusals in Chinese.

Screenshots of the page in both languages at 1280×720 go to the `screenshot_dir`
(en-dashboard.png, zh-dashboard.png, zh-refusal.png, zh-switched-mid-run.png) for a person
to look at: Chinese characters drawn (fonts-noto-cjk), not boxes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_dashboard_browser import UPDATE_TIMEOUT, run_button, wait_for_step_above

LOAD_TIMEOUT = 120_000  # ms: the first load imports torch, and a busy machine draws slowly

SIDEBAR = "[data-testid='stSidebar']"
STATUS = ".st-key-run_status"
SWITCH = ".st-key-language_switch"
READY = re.compile("Ready|就绪")  # the status badge is translated with the live view


def open_dashboard(page: Page, url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(url)
    expect(page.locator(STATUS)).to_contain_text(READY, timeout=LOAD_TIMEOUT)


def expect_chinese(page: Page) -> None:
    sidebar = page.locator(SIDEBAR)
    expect(sidebar.get_by_text("目标分布", exact=True)).to_be_visible(timeout=UPDATE_TIMEOUT)
    expect(sidebar.get_by_text("训练设置", exact=True)).to_be_visible()
    expect(page.get_by_text("分享与保存", exact=True)).to_be_visible()


def expect_english(page: Page) -> None:
    sidebar = page.locator(SIDEBAR)
    expect(sidebar.get_by_text("Target", exact=True)).to_be_visible(timeout=UPDATE_TIMEOUT)
    expect(page.get_by_text("Share and save", exact=True)).to_be_visible()


@pytest.mark.parametrize("locale, language", [("zh-CN", "zh"), ("en-US", "en")])
def test_the_browsers_language_is_used_on_a_first_visit(
    browser: Browser, app_server: str, screenshot_dir: Path, locale: str, language: str
) -> None:
    context = browser.new_context(locale=locale)
    try:
        page = context.new_page()
        open_dashboard(page, app_server)  # no lang= in the address
        expect_chinese(page) if language == "zh" else expect_english(page)
        page.wait_for_url(f"**lang={language}**", timeout=UPDATE_TIMEOUT)  # the link says so
        page.screenshot(path=str(screenshot_dir / f"{language}-dashboard.png"))
    finally:
        context.close()


def test_the_link_fixes_the_language_whatever_the_browser_says(
    browser: Browser, app_server: str
) -> None:
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        open_dashboard(page, f"{app_server}/?lang=zh")
        expect_chinese(page)
        expect(page.locator("[data-testid='stCode']").first).to_contain_text("lang=zh")
    finally:
        context.close()
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        open_dashboard(page, f"{app_server}/?lang=en")
        expect_english(page)
    finally:
        context.close()


def test_a_bad_language_is_refused_and_the_page_serves(page: Page, app_server: str) -> None:
    open_dashboard(page, f"{app_server}/?lang=xx")
    refusal = page.get_by_test_id("stAlertContentError")
    expect(refusal).to_contain_text("lang: 'xx' is not allowed: use one of en, zh")
    expect_english(page)  # Playwright's default browser asks for en-US
    expect(run_button(page, "train")).to_be_enabled()


def test_a_refusal_in_the_sidebar_reads_in_chinese(
    page: Page, app_server: str, screenshot_dir: Path
) -> None:
    open_dashboard(page, f"{app_server}/?lang=zh")
    box = page.locator(SIDEBAR).get_by_role("spinbutton", name=re.compile("^D 的学习率"))
    box.fill("0")
    box.press("Enter")
    refusal = page.locator(SIDEBAR).get_by_test_id("stAlertContentError")
    # "lr_d: <reason from gan_core/config.py>。保留原来的值（0.05）。"
    expect(refusal).to_contain_text("lr_d", timeout=UPDATE_TIMEOUT)
    expect(refusal).to_contain_text("。保留原来的值（0.05）。")
    refusal.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "zh-refusal.png"))


def test_the_switch_changes_the_language_during_a_run_and_the_run_goes_on(
    page: Page, app_server: str, screenshot_dir: Path
) -> None:
    # 20 epochs of the tutorial at 10 steps/s: minutes of training, far past the test.
    open_dashboard(page, f"{app_server}/?lang=en&epochs=20&speed=10")
    expect_english(page)
    run_button(page, "train").click()
    before = wait_for_step_above(page, 0)

    page.locator(SWITCH).get_by_text("中文", exact=True).click()
    expect_chinese(page)
    page.wait_for_url("**lang=zh**", timeout=UPDATE_TIMEOUT)
    later = wait_for_step_above(page, before)  # the same run counts on, not from 0
    assert later > before
    expect(run_button(page, "stop")).to_be_enabled()  # still live
    page.screenshot(path=str(screenshot_dir / "zh-switched-mid-run.png"))

    run_button(page, "stop").click()
    expect(run_button(page, "stop")).to_be_disabled(timeout=UPDATE_TIMEOUT)
