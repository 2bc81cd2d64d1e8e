"""How close does `recommended` get, and how reliably? Final exact Fréchet distance over seeds.

Trains the `recommended` preset for seeds 0-9 on the seed's Gaussian and on four other
Gaussian targets of similar scale, and the seed's own recipe (`tutorial`) on the same
targets and seeds for contrast. Each run is a plain `Trainer(config).run()`, exactly what
the app does; the score is the exact squared Fréchet (2-Wasserstein) distance between G's
output law and the target distribution after the last step.

Prints a markdown table (target, recipe, median, worst, best) and exits with status 1 if
`recommended` misses its goal on any target: every seed ≤ 0.02 and the median ≤ 0.005.

With `--lessons` it measures the teaching presets instead, each against the twin that
differs only in the setting it teaches, and exits with status 1 if a lesson does not show.

    python -m benchmarks.quality                   # seeds 0-9 (about 4 minutes on one core)
    python -m benchmarks.quality --quick           # seeds 0-2
    python -m benchmarks.quality --first-seed 10   # seeds 10-19: the goal on unseen seeds
    python -m benchmarks.quality --lessons         # the teaching presets (about 9 minutes)
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch

from gan_core.config import Target
from gan_core.presets import SEED_TARGET, preset_config
from gan_core.training.trainer import Diverged, Trainer

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
                    seeds=list(seeds),
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
            seed = row["seeds"][int(np.argmax(row["values"]))]
            failures.append(
                f"{row['target']}: worst {row['worst']:.4f} (seed {seed}) > {WORST_GOAL}"
            )
        if row["median"] > MEDIAN_GOAL:
            failures.append(f"{row['target']}: median {row['median']:.4f} > {MEDIAN_GOAL}")
    return failures


# ---------------------------------------------------------------- the teaching presets

STUCK = 1.0  # a final squared distance above this counts as "never got there"


def train(config, full_metrics: bool = False) -> dict:
    """One run to the end: final metrics (empty if it diverged), history and seconds taken."""
    start = time.perf_counter()
    trainer = Trainer(config)
    diverged = False
    try:
        trainer.run()
    except Diverged:
        diverged = True
    metrics = {} if diverged else trainer.snapshot(n_points=0, full_metrics=full_metrics).metrics
    return dict(
        diverged=diverged,
        frechet=float(metrics.get("frechet", np.inf)),
        metrics=metrics,
        frame=trainer.history.to_frame(),
        seconds=time.perf_counter() - start,
    )


def final_distances(config, seeds) -> np.ndarray:
    return np.array([train(config.replace(seed=s))["frechet"] for s in seeds])


def curve_second_half(frame) -> tuple[float, float]:
    """Over the second half of a run's logged distance curve: its mean level and its mean
    change from one logged row to the next (how jagged it is)."""
    values = frame.loc[frame["step"] > frame["step"].max() / 2, "frechet"].to_numpy()
    return float(values.mean()), float(np.abs(np.diff(values)).mean())


def spread(values) -> str:
    values = np.asarray(values, dtype=float)
    return f"{np.median(values):.3g} [{values.min():.3g}, {values.max():.3g}]"


def lesson_ema(seeds) -> dict:
    config = preset_config("ema_smoothing")
    shown, raw = [], []
    for s in seeds:
        shown.append(curve_second_half(train(config.replace(seed=s))["frame"]))
        raw.append(curve_second_half(train(config.replace(seed=s, ema=0.0))["frame"]))
    shown, raw = np.array(shown), np.array(raw)
    level_ratio = np.median(raw[:, 0]) / np.median(shown[:, 0])
    jag_ratio = np.median(raw[:, 1]) / np.median(shown[:, 1])
    return dict(
        preset="ema_smoothing",
        measure="2nd half of the distance curve: mean level; mean change per logged row",
        value=f"{np.median(shown[:, 0]):.4f}; {np.median(shown[:, 1]):.5f}",
        twin=f"EMA 0 (G itself): {np.median(raw[:, 0]):.4f}; {np.median(raw[:, 1]):.5f}",
        shows=level_ratio >= 2 and jag_ratio >= 5,
        verdict=f"{level_ratio:.1f}× lower, {jag_ratio:.0f}× smoother (need 2×, 5×)",
    )


def lesson_ring(seeds) -> dict:
    config = preset_config("ring_collapse")
    runs = [train(config.replace(seed=s), full_metrics=True)["metrics"] for s in seeds]
    modes = np.array([m["modes_covered"] for m in runs])
    quality = np.array([m["high_quality"] for m in runs])
    return dict(
        preset="ring_collapse",
        measure="modes covered of 8; share of samples within 3σ of a mode",
        value=f"{spread(modes)}; {spread(quality)}",
        twin="a G that covers the ring: 8; 1.0",
        shows=np.median(modes) <= 2 and modes.max() < 8,
        verdict=f"{np.sum(modes == 1)} of {len(modes)} seeds sit on a single mode",
    )


def lesson_high_lr(seeds) -> dict:
    high = final_distances(preset_config("high_lr"), seeds)
    base = final_distances(preset_config("tutorial"), seeds)
    ratio = np.median(high) / np.median(base)
    diverged = int(np.sum(~np.isfinite(high)))
    return dict(
        preset="high_lr",
        measure="final squared Fréchet distance",
        value=spread(high),
        twin=f"tutorial: {spread(base)}",
        shows=ratio >= 10 or diverged >= len(high) / 2,
        verdict=f"median {ratio:.0f}× the tutorial's; {diverged} of {len(high)} diverged",
    )


def lesson_minimax(seeds) -> dict:
    config = preset_config("minimax")
    minimax = final_distances(config, seeds)
    twin = final_distances(config.replace(loss="cross_entropy"), seeds)
    stuck = int(np.sum(minimax > STUCK))
    return dict(
        preset="minimax",
        measure="final squared Fréchet distance",
        value=spread(minimax),
        twin=f"non-saturating (cross_entropy): {spread(twin)}",
        shows=np.median(minimax) >= 100 * np.median(twin) and stuck >= len(seeds) / 2,
        verdict=f"G stalls (> {STUCK:g}) in {stuck} of {len(seeds)} seeds, "
        f"the twin in {int(np.sum(twin > STUCK))}",
    )


def lesson_least_squares(seeds) -> dict:
    config = preset_config("least_squares")
    ls = final_distances(config, seeds)
    minimax = final_distances(preset_config("minimax").replace(lr_d=config.lr_d), seeds)
    return dict(
        preset="least_squares",
        measure="final squared Fréchet distance",
        value=spread(ls),
        twin=f"minimax with D's step {config.lr_d:g}: {spread(minimax)}",
        shows=np.median(ls) <= 0.01 and ls.max() <= 0.05,
        verdict=f"every seed lands: worst {ls.max():.4f} (need ≤ 0.05, median ≤ 0.01); "
        f"minimax stalls in {int(np.sum(minimax > STUCK))}",
    )


def lesson_wgan(seeds) -> dict:
    config = preset_config("wgan_gp_grid")
    runs = [train(config.replace(seed=s), full_metrics=True) for s in seeds]
    modes = np.array([r["metrics"]["modes_covered"] for r in runs])
    quality = np.array([r["metrics"]["high_quality"] for r in runs])
    seconds = max(r["seconds"] for r in runs)
    return dict(
        preset="wgan_gp_grid",
        measure="modes covered of 25; share of samples within 3σ of a mode",
        value=f"{spread(modes)}; {spread(quality)}",
        twin="—",
        shows=np.median(modes) >= 20,
        verdict=f"{config.total_steps:,} steps, slowest run {seconds:.0f} s (need ≥ 20 modes)",
    )


def measure_lessons(seeds, wgan_seeds, progress=None) -> list[dict]:
    rows = []
    for lesson, lesson_seeds in (
        (lesson_ema, seeds),
        (lesson_ring, seeds),
        (lesson_high_lr, seeds),
        (lesson_minimax, seeds),
        (lesson_least_squares, seeds),
        (lesson_wgan, wgan_seeds),
    ):
        start = time.perf_counter()
        row = lesson(lesson_seeds)
        row["seeds"] = f"{lesson_seeds[0]}-{lesson_seeds[-1]}"
        row["seconds"] = time.perf_counter() - start
        rows.append(row)
        if progress:
            progress(row)
    return rows


def lessons_table(rows: list[dict]) -> str:
    lines = [
        "| preset | seeds | measure | this preset | compared with | lesson shows? |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['preset']} | {row['seeds']} | {row['measure']} | {row['value']} "
            f"| {row['twin']} | {'yes' if row['shows'] else 'NO'}: {row['verdict']} |"
        )
    return "\n".join(lines)


def run_lessons(seeds, wgan_seeds) -> int:
    def progress(row):
        print(
            f"  {row['preset']:<14} {'shows' if row['shows'] else 'DOES NOT SHOW'}: "
            f"{row['verdict']} ({row['seconds']:.0f} s)",
            file=sys.stderr,
            flush=True,
        )

    rows = measure_lessons(seeds, wgan_seeds, progress)
    print(lessons_table(rows))
    print()
    print("Values are the median [best, worst] over the seeds; each run is Trainer(config).run().")
    failed = [row["preset"] for row in rows if not row["shows"]]
    for name in failed:
        print(f"FAIL: the lesson of `{name}` does not show")
    if not failed:
        print("OK: every teaching preset shows its lesson.")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="seeds 0-2 instead of 0-9")
    parser.add_argument("--seeds", type=int, default=None, help="how many seeds (default 10)")
    parser.add_argument("--first-seed", type=int, default=0, help="start there (default 0)")
    parser.add_argument(
        "--lessons", action="store_true", help="measure the teaching presets instead"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    n_seeds = args.seeds or (3 if args.quick else 10)
    seeds = range(args.first_seed, args.first_seed + n_seeds)
    if args.lessons:
        # WGAN-GP runs take most of a minute each: fewer seeds.
        return run_lessons(list(seeds), list(seeds)[: 1 if args.quick else 3])
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
        f"Final exact squared Fréchet distance to the target over seeds {seeds[0]}-{seeds[-1]}. "
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
