"""Iterations per second of the engine against the seed's loop, side by side, one thread.

Both run the `tutorial` recipe (1000 samples, batch 4, 10 epochs = 2,500 iterations) in
this one process, alternating, several rounds; the ratio of medians is the result, so
a shared, noisy machine slows both alike. Goal: the engine at least 2x the seed loop.

    python -m benchmarks.speed [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch

from benchmarks.seed_loop import train_seed_loop
from gan_core.presets import preset_config
from gan_core.training.trainer import Trainer

GOAL = 2.0


def time_seed_loop(seed: int) -> float:
    started = time.perf_counter()
    train_seed_loop(seed)
    return time.perf_counter() - started


def time_engine(seed: int) -> float:
    """A full run as the app and CLI do it: history logging and exact metrics included."""
    trainer = Trainer(preset_config("tutorial").replace(seed=seed))
    started = time.perf_counter()
    trainer.run()
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    iterations = preset_config("tutorial").total_steps
    time_seed_loop(0), time_engine(0)  # warm-up: first calls pay for lazy initialisation
    seed_times, engine_times = [], []
    for round_ in range(args.rounds):
        seed_times.append(time_seed_loop(round_))
        engine_times.append(time_engine(round_))
    seed_rate = iterations / statistics.median(seed_times)
    engine_rate = iterations / statistics.median(engine_times)
    ratio = engine_rate / seed_rate
    print(f"| loop | iterations/s (median of {args.rounds}) |")
    print("|---|---|")
    print(f"| seed loop, ported | {seed_rate:,.0f} |")
    print(f"| gan_core Trainer | {engine_rate:,.0f} |")
    print(f"| ratio | {ratio:.2f}x (goal ≥ {GOAL:.0f}x) |")
    return 0 if ratio >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
