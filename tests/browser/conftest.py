"""Browser tests: a live `streamlit run` server and Debian's chromium driven by Playwright.

Every test under tests/browser is marked `browser` (select with -m browser, skip with
-m "not browser").
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import app_server as server

BROWSER_DIR = Path(__file__).resolve().parent

CHROMIUM = server.CHROMIUM
CHROMIUM_ARGS = server.CHROMIUM_ARGS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if Path(item.path).resolve().is_relative_to(BROWSER_DIR):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's chromium instead of a Playwright-downloaded browser."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} not found: install it with `apt-get install -y chromium` "
            "(`make test` does this)"
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run store of the `app_server`: every run the dashboard trains is saved there."""
    return tmp_path_factory.mktemp("app-data")


@pytest.fixture(scope="session")
def app_server(app_data_dir: Path) -> Iterator[str]:
    """Start `streamlit run app.py` on a free port; yield its base URL."""
    try:
        with server.app_server(app_data_dir) as base_url:
            yield base_url
    except server.ServerFailed as failure:
        pytest.fail(str(failure))


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig: pytest.Config, delete_output_dir: None) -> Path:
    """A directory for screenshots under pytest-playwright's output (default test-results/).

    Depends on pytest-playwright's `delete_output_dir` so that its clean-up of the
    output directory runs first and does not remove the screenshots.
    """
    path = Path(pytestconfig.getoption("--output")).absolute() / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
