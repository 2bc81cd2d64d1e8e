"""Give the training workers a core of their own, as if the viewer's browser ran elsewhere.

In a classroom each student's browser runs on the student's machine; in a benchmark on one
2-core box, chromium's drawing (software WebGL, no GPU) competes with the training for the
same cores. `training_core_apart()` pins every training worker under this process to core
0 and everything else this process started (the Streamlit server, chromium, and this
process itself) to the other cores, then restores the affinities it found.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import psutil

from gan_core.jobs.worker import PROCESS_NAME

TRAINING_CORE = 0


def descendants(root: int) -> dict[int, str]:
    """pid -> name of every process below `root`."""
    below = {}
    for process in psutil.Process(root).children(recursive=True):
        try:
            below[process.pid] = process.name()
        except psutil.NoSuchProcess:  # exited meanwhile
            pass
    return below


def available() -> bool:
    return hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) >= 2


@contextmanager
def training_core_apart():
    others = os.sched_getaffinity(0) - {TRAINING_CORE}
    pinned = {os.getpid(): os.sched_getaffinity(0)}
    try:
        os.sched_setaffinity(0, others)
        for pid, name in descendants(os.getpid()).items():
            try:
                pinned.setdefault(pid, os.sched_getaffinity(pid))
                os.sched_setaffinity(pid, {TRAINING_CORE} if name == PROCESS_NAME else others)
            except OSError:  # exited meanwhile
                pass
        yield
    finally:
        for pid, cores in pinned.items():
            try:
                os.sched_setaffinity(pid, cores)
            except OSError:
                pass


@contextmanager
def on_training_core():
    """Run this process on the training core for a while (the bare engine's windows)."""
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {TRAINING_CORE})
    try:
        yield
    finally:
        os.sched_setaffinity(0, cores)
