"""The machine's processes as /proc shows them: who started whom, and under what name.

Training workers name themselves (`worker_main.PROCESS_NAME`), so tests and benchmarks can
count and place them without any help from the pool that started them.
"""

from __future__ import annotations

from pathlib import Path


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, name) for every process /proc shows (empty off Linux)."""
    found = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # exited while we looked
            continue
        # "pid (name) state ppid ...": the name may hold spaces, so split after its ")".
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        found[int(entry.name)] = (int(stat[stat.rindex(")") + 2 :].split()[1]), name)
    return found
