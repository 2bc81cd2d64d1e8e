"""What the end of a run costs the command line, as a share of the run's training time.

`python -m gan_core train --json` trains, then measures the run (final metrics, D's
accuracy) and prints its summary. This times the whole command, in this process, and
subtracts the training time it reports: what is left is the set-up and the end of the
run. Three setups: the `recommended` preset (40,000 samples), the same recipe at the
largest allowed sample count (2,500 steps, as `recommended`), and the ring at that count
(its generator's Gaussian is fitted and its modes counted). Each is run a few times;
medians are reported.

Goal: at the largest sample count, the end of a run adds at most 0.5 s on a quiet
machine. A shared machine slows everything alike, so the goal is checked as a ratio:
at most a quarter of the training time of the same 2,500-step run (0.5 s against the
~2 s `recommended` trains in when the machine is quiet).

    python -m benchmarks.end_of_run [--rounds N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import time

from gan_core.cli import main as cli_main
from gan_core.config import MAX_SAMPLES

GOAL_RATIO = 0.25
GOAL_SECONDS = 0.5
SETUPS = {
    "recommended (40,000 samples)": ["--preset", "recommended"],
    f"recommended at {MAX_SAMPLES:,} samples": [
        "--preset",
        "recommended",
        "--set",
        f"n_samples={MAX_SAMPLES}",
        "--epochs",
        "4",  # 625 batches an epoch: 2,500 steps, as `recommended`
    ],
    f"ring at {MAX_SAMPLES:,} samples": [
        "--preset",
        "ring_collapse",
        "--set",
        f"n_samples={MAX_SAMPLES}",
        "--epochs",
        "1",
    ],
}


def time_cli(args: list[str]) -> tuple[float, float]:
    """(seconds the command took, training seconds it reported) for one CLI run."""
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        status = cli_main(["train", *args, "--json", "--quiet", "--threads", "1"])
    wall = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"`train {' '.join(args)}` exited with status {status}")
    return wall, json.loads(out.getvalue())["train_seconds"]


def measure(args: list[str], rounds: int) -> dict:
    extra, training = [], []
    for _ in range(rounds):
        wall, train_seconds = time_cli(args)
        extra.append(wall - train_seconds)
        training.append(train_seconds)
    end = statistics.median(extra)
    train = statistics.median(training)
    return {"train": train, "end": end, "ratio": end / train}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    time_cli(["--preset", "tutorial", "--epochs", "1"])  # warm-up: lazy initialisation
    rows = {name: measure(setup, args.rounds) for name, setup in SETUPS.items()}
    print(f"| setup | training s | set-up + end of run s | ratio (median of {args.rounds}) |")
    print("|---|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['train']:.2f} | {row['end']:.3f} | {row['ratio']:.3f} |")
    at_max = rows[f"recommended at {MAX_SAMPLES:,} samples"]
    met = at_max["ratio"] <= GOAL_RATIO
    print(
        f"\nGoal at {MAX_SAMPLES:,} samples: the end of a run within {GOAL_RATIO:.2f}x the "
        f"training time (≈ {GOAL_SECONDS} s on a quiet machine): {at_max['ratio']:.3f}x, "
        f"{'met' if met else 'NOT met'}."
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
