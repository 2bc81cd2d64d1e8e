"""How many training processes a server keeps warm and how many jobs may train at once.

Both default to the machine's cores: one warm worker per core, and twice as many concurrent
jobs as cores (a paused or slowed run barely uses its core, so a strict one-per-core cap
would keep people waiting behind idle runs). Operators override them with environment
variables; a value that is not a whole number >= 1 (>= 0 for the pool) is refused by name.
"""

from __future__ import annotations

import os

MAX_JOBS_ENV = "GANSCOPE_MAX_JOBS"
WORKERS_ENV = "GANSCOPE_WORKERS"


def cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def max_jobs() -> int:
    """The cap on training jobs running at once, across all sessions of this server."""
    return _whole_number(MAX_JOBS_ENV, default=2 * cores(), minimum=1)


def pool_size() -> int:
    """Worker processes kept warm (started, torch imported) for the next Train."""
    return _whole_number(WORKERS_ENV, default=cores(), minimum=0)


def _whole_number(name: str, default: int, minimum: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, not {text!r}")
    return value
