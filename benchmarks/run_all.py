"""Run every benchmark in turn and print their tables: `make bench`.

Each benchmark measures its goal as a ratio against a baseline run in the same process,
so results hold on a shared, noisy machine. Exit status: the number of goals missed.
"""

from __future__ import annotations

import importlib
import sys
import time

BENCHMARKS = ["speed", "faithful", "quality", "sweep_speed", "end_of_run", "concurrency"]


def main() -> int:
    missed = 0
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ImportError as error:
            print(f"\n## {name}: not available ({error})")
            continue
        print(f"\n## {name}\n", flush=True)
        started = time.perf_counter()
        status = module.main([])
        print(
            f"\n({name}: {'goal met' if status == 0 else 'GOAL MISSED'}, "
            f"{time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        missed += status != 0
    return missed


if __name__ == "__main__":
    sys.exit(main())
