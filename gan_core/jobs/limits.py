"""How many training processes a server keeps warm, how many jobs may train at once, and how
many of those one person may hold.

The pool defaults to one warm worker per job the cap allows (`pool_size`). The cap on jobs
at once defaults to six per core: with each person held to their share (below), the cap no
longer keeps anyone from hoarding; it bounds memory and how thinly the cores are shared. Six
per core lets a class that presses Train in the same second (ten people, beside someone who
holds a heavy run) all start at once on a 2-core server, each run slower while they overlap
rather than waiting in a queue; a step's work is bounded (`cost.py`), so every run stays
responsive. Memory: 12 jobs of at most a worker (~0.4 GB) plus a sweep's stack (`cost.py`, 1
GB) each fit in 24 GB.

Fair sharing: one browser session may run one job at a time (its further jobs wait behind
it), and one client address at most two. Two per address, because the address limit is
the backstop for a person who opens private windows to get several sessions: on a
classroom LAN, where each machine has its own address, two lets a pair share a machine
and still leaves most of a small server's slots to the others. A whole class behind one
NAT shares one address, so such a server must raise it (to GANSCOPE_MAX_JOBS it is off);
the queue message says which limit holds a run back, so a too-low setting shows.

Operators override each with an environment variable. Each is parsed strictly: a value
that is not a whole number in range is refused by name, and `check_server_settings()`
lists every such problem (with the cost limits, the store's quota and the store's
`GANSCOPE_DATABASE_URL`, its password hidden), so the server can refuse to start with one
line each:

    python -m gan_core.jobs.limits      (exit 0 when all settings are valid, 2 if not)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

MAX_JOBS_ENV = "GANSCOPE_MAX_JOBS"
JOBS_PER_CORE = 6
WORKERS_ENV = "GANSCOPE_WORKERS"
PER_SESSION_ENV = "GANSCOPE_MAX_JOBS_PER_SESSION"
PER_ADDRESS_ENV = "GANSCOPE_MAX_JOBS_PER_ADDRESS"

DEFAULT_PER_SESSION = 1
DEFAULT_PER_ADDRESS = 2


class SettingError(ValueError):
    """A server setting (an environment variable) that cannot be used, in one line."""


def cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def max_jobs() -> int:
    """The cap on training jobs running at once, across all sessions of this server."""
    return _whole_number(MAX_JOBS_ENV, default=JOBS_PER_CORE * cores(), minimum=1)


def pool_size() -> int:
    """Worker processes kept warm (started, torch imported) for the next Train.

    As many as jobs may run at once: a worker started cold spends seconds of CPU importing
    torch, and ten of them started together on two cores take ~20 s, so a class pressing
    Train in the same second would wait that long. An idle worker holds ~190 MB of its
    own (12 of them: ~2.3 GB); the pool starts them a few at a time in the background."""
    try:
        default = max_jobs()
    except ValueError:  # a bad GANSCOPE_MAX_JOBS is refused on its own, once
        default = cores()
    return _whole_number(WORKERS_ENV, default=default, minimum=0)


def per_session() -> int:
    """Jobs one browser session may run at once; its further jobs wait their turn."""
    return _whole_number(PER_SESSION_ENV, default=DEFAULT_PER_SESSION, minimum=1)


def per_address() -> int:
    """Jobs one client address may run at once (unknown addresses are not grouped)."""
    return _whole_number(PER_ADDRESS_ENV, default=DEFAULT_PER_ADDRESS, minimum=1)


# Every server setting, read the way the server reads it. Add new ones here.
SETTINGS: tuple[Callable[[], int], ...] = (max_jobs, pool_size, per_session, per_address)


def check_server_settings() -> list[str]:
    """One line per server setting that cannot be used; empty when all are fine."""
    # The cost limits, the store's quota and its database URL are read where they are used;
    # imported here, not at the top, so the pool does not load the cost model and the store.
    from gan_core.config import ConfigError
    from gan_core.jobs.cost import server_limits
    from gan_core.store.quota import quota_from_environment
    from gan_core.store.sql.postgres import database_url_from_environment

    problems = []
    for read in (*SETTINGS, server_limits, quota_from_environment, database_url_from_environment):
        try:
            read()
        except (SettingError, ConfigError) as error:
            problems.append(str(error))
    return problems


def _whole_number(name: str, default: int, minimum: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < minimum:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise SettingError(f"{name} must be a whole number >= {minimum}, not {shown!r}")
    return value


def main() -> int:
    problems = check_server_settings()
    for problem in problems:
        print(f"GANscope will not start: {problem}", file=sys.stderr)
    return 2 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
