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


@pytest.fixture(autouse=True)
def _app_tests_read_choices_in_the_pages_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """A browser sends a radio's or a list's choice as its index; AppTest instead works the
    choice out again before every run, in the test's own thread, by formatting each option
    with the widget's `format_func`, which translates in the reader's language. That thread
    is no session, so it would read English and not find a Chinese page's options. Each run
    of an AppTest is therefore made in the language its session last chose."""
    from streamlit.testing.v1.element_tree import ElementTree

    from gan_core.i18n import use_language
    from ui.language import STATE_KEY

    original = ElementTree.run

    def run(self: ElementTree, *, timeout: float | None = None):  # type: ignore[no-untyped-def]
        try:
            language = self._runner.session_state[STATE_KEY] if self._runner else None
        except KeyError:
            language = None
        if language not in ("en", "zh"):
            return original(self, timeout=timeout)
        with use_language(language):
            return original(self, timeout=timeout)

    monkeypatch.setattr(ElementTree, "run", run)
