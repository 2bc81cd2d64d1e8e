"""What the job tests share: configs, a light view, a deadline wait and the worker count."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psutil

from gan_core.config import GanConfig
from gan_core.jobs.pool import WorkerPool
from gan_core.jobs.protocol import ViewOptions
from gan_core.jobs.worker import PROCESS_NAME

LONG = GanConfig(epochs=400)  # far longer than any test waits for
SHORT = GanConfig(epochs=1)  # 250 steps
FAST_VIEW = ViewOptions(n_points=100, field_resolution=10, n_arrows=5, frame_interval=0.05)


@contextmanager
def warm_pool(size: int, max_jobs: int) -> Iterator[WorkerPool]:
    """A pool of its own whose `size` workers are started and ready, shut down afterwards."""
    pool = WorkerPool(size=size, max_jobs=max_jobs)
    try:
        assert pool.wait_ready(60)
        yield pool
    finally:
        pool.shutdown()


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Poll until `predicate()` holds (True) or the deadline passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return False


def worker_processes() -> set[int]:
    """Pids of training workers this process started.

    Children only: a Streamlit server that another test module started (a grandchild's
    pool) has training workers of its own, which are not this module's to count."""
    found = set()
    for child in psutil.Process(os.getpid()).children():
        try:
            if child.name() == PROCESS_NAME:
                found.add(child.pid)
        except psutil.NoSuchProcess:  # exited while we looked
            pass
    return found
