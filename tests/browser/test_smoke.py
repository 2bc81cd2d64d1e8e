"""The app starts, renders its title and shows no exception."""

from pathlib import Path

from playwright.sync_api import Page, expect


def test_app_renders_title(page: Page, app_server: str, screenshot_dir: Path) -> None:
    page.goto(app_server)
    expect(page.get_by_text("GANscope").first).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "smoke.png"), full_page=True)
