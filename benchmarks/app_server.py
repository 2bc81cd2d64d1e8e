"""A live `streamlit run app.py` on a free loopback port, and Debian's chromium: what
the browser tests and the browser benchmarks both drive.

The server leads its own process session, so stopping it stops its training workers too.
Its output goes to files, not pipes: a full pipe would block the server.
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
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
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
START_TIMEOUT_S = 60.0  # the first start imports torch


class ServerFailed(RuntimeError):
    """The server exited or did not become healthy; the message holds its stderr."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def python() -> str:
    venv_python = REPO_ROOT / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def entry_point(root: Path) -> str:
    """`app.py` (the app with its chart feed); a tree from before it had `dashboard.py`."""
    return "app.py" if (root / "app.py").exists() else "dashboard.py"


@contextmanager
def app_server(data_dir: str | Path, root: Path = REPO_ROOT) -> Iterator[str]:
    """Start the app with its run store in `data_dir`; yield its base URL; always stop it.
    `root`: the tree to run it from (another checkout, for a benchmark's baseline)."""
    port = free_port()
    cmd = [
        python(),
        "-m",
        "streamlit",
        "run",
        entry_point(root),
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
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env={**os.environ, "GANSCOPE_DATA_DIR": str(data_dir)},
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not healthy(f"{base_url}/_stcore/health"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    err.seek(0)
                    why = (
                        f"exited with code {proc.returncode}"
                        if proc.poll() is not None
                        else f"not healthy after {START_TIMEOUT_S:.0f} s"
                    )
                    raise ServerFailed(f"streamlit {why}:\n" + err.read().decode(errors="replace"))
                time.sleep(0.25)
            yield base_url
        finally:
            stop(proc)


def stop(proc: subprocess.Popen) -> None:
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
