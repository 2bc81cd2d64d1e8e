"""Shared pytest setup for every test directory.

Nothing here knows about the engine: only the repository layout and test-wide settings.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # hypothesis is a dev dependency; tests that need it import it themselves
    settings = None

if settings is not None:
    # Torch calls have a slow first run (lazy init, thread pools), which trips Hypothesis'
    # per-example deadline at random. Turn the deadline off; timeouts are pytest-timeout's job.
    settings.register_profile(
        "dev",
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile(
        "ci",
        parent=settings.get_profile("dev"),
        print_blob=True,
    )
    settings.load_profile("ci" if os.environ.get("CI") else "dev")


# These networks are tiny: one thread is fastest, and several test processes on a small
# machine with torch's default thread pool each would slow one another down many times over.
try:
    import torch
except ImportError:
    torch = None
else:
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """Absolute path of the repository root."""
    return REPO_ROOT


# A server keeps a warm worker for every job slot (a dozen on two cores); the tests' own
# pools and servers keep one per core, as before, so the suite does not spend minutes of
# CPU importing torch into workers it never uses. Tests of the default unset it.
os.environ.setdefault("GANSCOPE_WORKERS", str(len(os.sched_getaffinity(0))))


# The store's tests run on both of its databases (tests/pg_server.py).
from pg_server import pg_server, store_backend, store_url  # noqa: E402, F401
