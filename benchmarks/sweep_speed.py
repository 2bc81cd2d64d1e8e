"""Sweep speed vs the seed's loop, measured side by side in one process.

Goal: a sweep of 256 configurations of the `tutorial` preset (16 lr_d × 16 lr_g values,
1 seed, 2,500 iterations each) finishes within the time of 2 single runs of the seed's own
loop, i.e. at ≥ 128× the seed loop's iterations per second. Both sides use one torch thread
(the fair comparison, and the goal); the same pair is then measured with torch's default
thread count for reference.

    python -m benchmarks.sweep_speed          # prints a markdown table; exit 1 below the goal

Times are wall-clock and include everything a caller waits for: the seed loop's per-epoch
evaluation, and the sweep's planning, engine set-up and final distances.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import torch

from benchmarks.seed_loop import train_seed_loop
from gan_core.presets import preset_config
from gan_core.sweep.run import parse_axis, run_sweep

GOAL_RATIO = 128.0  # 256 runs in the time of 2 seed-loop runs
SEED_LOOP_ITERATIONS = 2500  # 10 epochs of 1,000 samples in batches of 4
DEFAULT_THREADS = torch.get_num_threads()  # read before anything changes it
AXES = ("lr_d=logspace:1e-3:0.5:16", "lr_g=logspace:1e-3:0.5:16")


def time_seed_loop(repeats: int) -> float:
    """Median seconds of one seed-loop run (2,500 iterations)."""
    times = []
    for seed in range(repeats):
        started = time.perf_counter()
        train_seed_loop(seed)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def time_sweep():
    started = time.perf_counter()
    axes = [parse_axis(a) for a in AXES]
    # threads=None: keep the thread count this measurement set, for both sides alike.
    result = run_sweep(preset_config("tutorial"), axes, seeds=1, threads=None)
    return time.perf_counter() - started, result


def measure(threads: int | None, repeats: int) -> dict:
    torch.set_num_threads(threads or DEFAULT_THREADS)
    loop_seconds = time_seed_loop(repeats)
    sweep_seconds, result = time_sweep()
    loop_rate = SEED_LOOP_ITERATIONS / loop_seconds
    sweep_rate = result.run_iterations / sweep_seconds
    return {
        "threads": torch.get_num_threads(),
        "loop_seconds": loop_seconds,
        "loop_rate": loop_rate,
        "runs": result.n_runs,
        "iterations": result.iterations,
        "sweep_seconds": sweep_seconds,
        "sweep_rate": sweep_rate,
        "ratio": sweep_rate / loop_rate,
        "diverged": int(result.runs["diverged"].sum()),
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| torch threads | seed loop: s per run | seed loop it/s | sweep runs × it "
        "| sweep s | sweep it/s | ratio | in time of N seed-loop runs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['threads']} | {r['loop_seconds']:.2f} | {r['loop_rate']:,.0f} "
            f"| {r['runs']} × {r['iterations']:,} | {r['sweep_seconds']:.2f} "
            f"| {r['sweep_rate']:,.0f} | {r['ratio']:.0f}× "
            f"| {r['sweep_seconds'] / r['loop_seconds']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats", type=int, default=2, help="seed-loop runs per measurement (median)"
    )
    args = parser.parse_args(argv)
    rows = [measure(1, args.repeats), measure(None, args.repeats)]
    print(table(rows))
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\n{os.cpu_count()} CPUs; load average (1, 5, 15 min) at the end: {load}.")
    ratio = rows[0]["ratio"]
    verdict = "met" if ratio >= GOAL_RATIO else "NOT met"
    print(
        f"Goal (1 thread): sweep ≥ {GOAL_RATIO:.0f}× the seed loop's iterations per second "
        f"(256 runs within 2 seed-loop runs): {ratio:.0f}×, {verdict}. "
        f"{rows[0]['diverged']} of {rows[0]['runs']} sweep runs diverged."
    )
    return 0 if ratio >= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
