"""Browser tests: a live `streamlit run` server and Debian's chromium driven by Playwright.

Every test under tests/browser is marked `browser` (select with -m browser, skip with
-m "not browser").
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

BROWSER_DIR = Path(__file__).resolve().parent
REPO_ROOT = BROWSER_DIR.parent.parent

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT_S = 60.0


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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _python() -> str:
    venv_python = REPO_ROOT / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the server's process group (it leads its own session), then reap it."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run store of the `app_server`: every run the dashboard trains is saved there."""
    return tmp_path_factory.mktemp("app-data")


@pytest.fixture(scope="session")
def app_server(app_data_dir: Path) -> Iterator[str]:
    """Start `streamlit run dashboard.py` on a free port; yield its base URL."""
    port = _free_port()
    cmd = [
        _python(),
        "-m",
        "streamlit",
        "run",
        "dashboard.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.address",
        "127.0.0.1",
    ]
    base_url = f"http://127.0.0.1:{port}"
    # Output goes to files, not pipes: a full pipe would block the server.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env={**os.environ, "GANSCOPE_DATA_DIR": str(app_data_dir)},
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while not _healthy(f"{base_url}/_stcore/health"):
                if proc.poll() is not None:
                    err.seek(0)
                    pytest.fail(
                        f"streamlit exited with code {proc.returncode} before it was healthy:\n"
                        + err.read().decode(errors="replace")
                    )
                if time.monotonic() > deadline:
                    err.seek(0)
                    pytest.fail(
                        f"streamlit not healthy after {SERVER_START_TIMEOUT_S:.0f} s:\n"
                        + err.read().decode(errors="replace")
                    )
                time.sleep(0.25)
            yield base_url
        finally:
            _stop(proc)


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig: pytest.Config, delete_output_dir: None) -> Path:
    """A directory for screenshots under pytest-playwright's output (default test-results/).

    Depends on pytest-playwright's `delete_output_dir` so that its clean-up of the
    output directory runs first and does not remove the screenshots.
    """
    path = Path(pytestconfig.getoption("--output")).absolute() / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
