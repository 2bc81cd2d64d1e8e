"""How close does `recommended` get, and how reliably? Final exact Fréchet distance over seeds.

Trains the `recommended` preset for seeds 0-9 on the seed's Gaussian and on four other
Gaussian targets of similar scale, and the seed's own recipe (`tutorial`) on the same
targets and seeds for contrast. Each run is a plain `Trainer(config).run()`, exactly what
the app does; the score is the exact squared Fréchet (2-Wasserstein) distance between G's
output law and the target distribution after the last step.

Prints a markdown table (target, recipe, median, worst, best) and exits with status 1 if
`recommended` misses its goal on any target: every seed ≤ 0.02 and the median ≤ 0.005.

    python -m benchmarks.quality          # seeds 0-9 (about 4 minutes on one core)
    python -m benchmarks.quality --quick  # seeds 0-2
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch

from gan_core.config import Target
from gan_core.presets import SEED_TARGET, preset_config
from gan_core.trainer import Diverged, Trainer

WORST_GOAL = 0.02  # every seed
MEDIAN_GOAL = 0.005

# Gaussian targets of about the seed's scale, each with its own shape: the seed's long thin
# tilted ellipse, a round one, a tilted one with negative correlation, an axis-aligned one,
# and a nearly degenerate one (eigenvalues 3.99 and 0.01: variance ratio 400).
TARGETS: dict[str, Target] = {
    "seed: mean (1, 2), cov [[1.01, 1.95], [1.95, 4.25]]": SEED_TARGET,
    "mean (0, 0), cov I": Target(mean=(0.0, 0.0), cov=((1.0, 0.0), (0.0, 1.0))),
    "mean (-2, 1), cov [[2, -1.2], [-1.2, 1.5]]": Target(
        mean=(-2.0, 1.0), cov=((2.0, -1.2), (-1.2, 1.5))
    ),
    "mean (3, -1), cov [[0.5, 0], [0, 3]]": Target(mean=(3.0, -1.0), cov=((0.5, 0.0), (0.0, 3.0))),
    "nearly degenerate: mean (0.5, -0.5), cov [[2, 1.99], [1.99, 2]]": Target(
        mean=(0.5, -0.5), cov=((2.0, 1.99), (1.99, 2.0))
    ),
}
RECIPES = ("recommended", "tutorial")


def final_frechet(recipe: str, target: Target, seed: int) -> float:
    """Exact squared Fréchet distance to the target after a full run (inf if it diverged)."""
    config = preset_config(recipe).replace(target=target, seed=seed)
    trainer = Trainer(config)
    try:
        trainer.run()
    except Diverged:
        return float("inf")
    return float(trainer.snapshot(n_points=0).metrics["frechet"])


def measure(seeds: range, recipes=RECIPES, targets=TARGETS, progress=None) -> list[dict]:
    """One row per (target, recipe): the final distances of every seed and their summary."""
    rows = []
    for target_name, target in targets.items():
        for recipe in recipes:
            start = time.perf_counter()
            values = np.array([final_frechet(recipe, target, s) for s in seeds])
            rows.append(
                dict(
                    target=target_name,
                    recipe=recipe,
                    values=values,
                    median=float(np.median(values)),
                    worst=float(values.max()),
                    best=float(values.min()),
                    seconds=time.perf_counter() - start,
                )
            )
            if progress:
                progress(rows[-1])
    return rows


def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| target | recipe | median | worst | best |",
        "|---|---|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['target']} | {row['recipe']} | {row['median']:.4f} "
            f"| {row['worst']:.4f} | {row['best']:.4f} |"
        )
    return "\n".join(lines)


def goal_failures(rows: list[dict]) -> list[str]:
    failures = []
    for row in rows:
        if row["recipe"] != "recommended":
            continue
        if row["worst"] > WORST_GOAL:
            seed = int(np.argmax(row["values"]))
            failures.append(
                f"{row['target']}: worst {row['worst']:.4f} (seed {seed}) > {WORST_GOAL}"
            )
        if row["median"] > MEDIAN_GOAL:
            failures.append(f"{row['target']}: median {row['median']:.4f} > {MEDIAN_GOAL}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="seeds 0-2 instead of 0-9")
    parser.add_argument("--seeds", type=int, default=None, help="run seeds 0 .. N-1")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    n_seeds = args.seeds or (3 if args.quick else 10)
    seeds = range(n_seeds)
    config = preset_config("recommended")

    def progress(row):
        print(
            f"  {row['recipe']:<12} {row['target']}: median {row['median']:.4f}, "
            f"worst {row['worst']:.4f} ({row['seconds']:.0f} s)",
            file=sys.stderr,
            flush=True,
        )

    rows = measure(seeds, progress=progress)
    print(markdown_table(rows))
    print()
    print(
        f"Final exact squared Fréchet distance to the target over seeds 0-{n_seeds - 1}. "
        f"`recommended`: {config.total_steps:,} steps ({config.epochs} epochs of "
        f"{config.steps_per_epoch}), batch {config.batch_size}, {config.n_samples:,} samples; "
        "`tutorial`: 2,500 steps, batch 4, 1,000 samples."
    )
    failures = goal_failures(rows)
    for failure in failures:
        print(f"FAIL: {failure}")
    if not failures:
        print(
            f"OK: `recommended` meets the goal on every target "
            f"(every seed ≤ {WORST_GOAL}, median ≤ {MEDIAN_GOAL})."
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
