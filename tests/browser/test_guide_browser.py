"""The Guide in chromium, in English and in Chinese: its headings, its formulas typeset by
KaTeX, a try-it button that keeps the language, and screenshots of both at 1280x720."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

WAIT = 60_000  # ms: a shared, busy machine may take a while for each rerun
VIEWPORT = {"width": 1280, "height": 720}

HEADERS = {
    "en": [
        "Two players and a cloud of points",
        "What the dashboard shows",
        "Why D's loss settles at 2·ln 2",
        "An exact distance, at every step",
        "Experiments",
    ],
    "zh": [
        "两个玩家，一团点云",
        "主页面上显示什么",
        "为什么 D 的损失会停在 2·ln 2",
        "每一步都能精确算出的距离",
        "实验",
    ],
}
TITLE = {"en": "Guide", "zh": "指南"}


def open_guide(page: Page, base: str, lang: str) -> None:
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{base}/Guide?lang={lang}")
    expect(page.get_by_role("heading", name=TITLE[lang], exact=True)).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_guide_renders_in_its_language(
    page: Page, app_server: str, screenshot_dir: Path, lang: str
) -> None:
    open_guide(page, app_server, lang)
    for header in HEADERS[lang]:
        expect(page.get_by_role("heading", name=header, exact=True)).to_have_count(1)
    # The formulas are typeset (KaTeX), not left as raw LaTeX, in either language.
    # 6 display formulas and some 30 inline ones, none refused by KaTeX.
    expect(page.locator(".katex").first).to_be_visible(timeout=WAIT)
    assert page.locator(".katex").count() > 30
    expect(page.locator(".katex-error")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / f"{lang}-guide.png"))
    # The equilibrium section: Chinese prose beside inline and display formulas.
    page.get_by_role("heading", name=HEADERS[lang][2], exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"{lang}-guide-equilibrium.png"))
    # The experiments: a lesson's card with its preset and its button.
    page.get_by_role("heading", name=HEADERS[lang][4], exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"{lang}-guide-experiments.png"))


def test_a_try_it_button_opens_the_dashboard_in_chinese(page: Page, app_server: str) -> None:
    open_guide(page, app_server, "zh")
    button = page.locator(".st-key-try_high_lr button")
    # (the preset's title inside the label comes from gan_core/presets.py)
    expect(button).to_have_text(re.compile("^在主页面载入“.+”$"), timeout=WAIT)
    button.click()
    # The dashboard writes its setup back into the address, the language with it.
    page.wait_for_url(lambda url: "Guide" not in url and "lang=zh" in url, timeout=WAIT)
    assert "lr_d=0.5" in page.url  # the preset's setup, now in the address
    expect(page.get_by_test_id("stException")).to_have_count(0)
