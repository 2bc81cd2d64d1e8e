"""Does the `tutorial` preset reproduce the seed? Per-epoch D loss and accuracy, side by side.

Trains `tutorial` for seeds 0-9 with the engine, and the seed's own loop (ported line for
line in `benchmarks/seed_loop.py`) for the same seeds, and prints, per epoch, the mean D loss
and D accuracy averaged across seeds beside the numbers saved in the seed's notebook
(SEED_NOTES.md). Both are measured as the seed measures them: the mean of D's loss over the
epoch's iterations, and at the end of the epoch the average of D's hit rates on 100 real and
100 fake samples.

Checks (exit status 1 if one fails): by the last epoch the engine's mean D loss is within
±0.03 of the equilibrium 2·ln 2 and its accuracy within 0.5 ± 0.1.

    python -m benchmarks.faithful            # seeds 0-9
    python -m benchmarks.faithful --seeds 3  # seeds 0-2
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np
import torch

from benchmarks.seed_loop import train_seed_loop
from gan_core.presets import preset_config
from gan_core.training.trainer import Trainer

EQUILIBRIUM = 2 * math.log(2)
LOSS_TOLERANCE = 0.03
ACC_TOLERANCE = 0.1

# Saved outputs of the seed's PyTorch notebook (SEED_NOTES.md), epochs 0-9.
SEED_LOSS = (0.856, 1.178, 1.303, 1.358, 1.383, 1.381, 1.385, 1.388, 1.388, 1.386)
SEED_ACC = (0.77, 0.66, 0.57, 0.50, 0.525, 0.545, 0.45, 0.50, 0.49, 0.50)


def engine_table(seed: int) -> np.ndarray:
    """(epochs, 2): per epoch, the mean D loss and the epoch-end D accuracy of `tutorial`.

    Logging once per epoch makes each history row exactly the seed's measurement: its
    loss_d is the mean over the epoch's steps, its accuracies are taken after the last step.
    """
    config = preset_config("tutorial").replace(seed=seed)
    trainer = Trainer(config, log_every=config.steps_per_epoch)
    trainer.run()
    frame = trainer.history.to_frame()
    if len(frame) != config.epochs or list(frame["epoch"]) != list(range(config.epochs)):
        raise RuntimeError(f"expected one history row per epoch, got epochs {list(frame['epoch'])}")
    accuracy = (frame["acc_real"] + frame["acc_fake"]) / 2
    return np.column_stack([frame["loss_d"].to_numpy(), accuracy.to_numpy()])


def seed_loop_table(seed: int) -> np.ndarray:
    table, _ = train_seed_loop(seed)
    return np.array(table, dtype=float)


def markdown_table(engine: np.ndarray, port: np.ndarray, n_seeds: int) -> str:
    """Rows: epochs; columns: D loss and D accuracy for the notebook, the port and the engine."""
    lines = [
        f"| epoch | D loss: seed notebook | seed loop port ({n_seeds} seeds) "
        f"| engine `tutorial` ({n_seeds} seeds) | D acc: seed notebook | seed loop port "
        "| engine `tutorial` |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for epoch in range(len(engine)):
        lines.append(
            f"| {epoch} | {SEED_LOSS[epoch]:.3f} | {port[epoch, 0]:.3f} | {engine[epoch, 0]:.3f} "
            f"| {SEED_ACC[epoch]:.3f} | {port[epoch, 1]:.3f} | {engine[epoch, 1]:.3f} |"
        )
    return "\n".join(lines)


def check(engine: np.ndarray) -> list[str]:
    """What fails the seed's end state: D loss at 2·ln 2 and accuracy at chance."""
    loss, acc = engine[-1]
    failures = []
    if abs(loss - EQUILIBRIUM) > LOSS_TOLERANCE:
        failures.append(
            f"last-epoch mean D loss {loss:.4f} is not within ±{LOSS_TOLERANCE} "
            f"of 2·ln 2 = {EQUILIBRIUM:.4f}"
        )
    if abs(acc - 0.5) > ACC_TOLERANCE:
        failures.append(f"last-epoch D accuracy {acc:.3f} is not within 0.5 ± {ACC_TOLERANCE}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="run seeds 0 .. N-1 (default 10)")
    parser.add_argument(
        "--no-port", action="store_true", help="skip the seed loop port (faster; no comparison)"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    seeds = range(args.seeds)

    start = time.perf_counter()
    engine = np.mean([engine_table(s) for s in seeds], axis=0)
    engine_time = time.perf_counter() - start
    if args.no_port:
        port = np.full_like(engine, np.nan)
        port_time = 0.0
    else:
        start = time.perf_counter()
        port = np.mean([seed_loop_table(s) for s in seeds], axis=0)
        port_time = time.perf_counter() - start

    print(markdown_table(engine, port, args.seeds))
    print()
    print(
        f"Means over seeds 0-{args.seeds - 1}. Engine: {engine_time:.1f} s; "
        f"seed loop port: {port_time:.1f} s."
    )
    if not args.no_port:
        gap = np.abs(engine - port).max(axis=0)
        print(
            f"Largest engine - port gap over the epochs: D loss {gap[0]:.3f}, "
            f"D accuracy {gap[1]:.3f}."
        )
    failures = check(engine)
    for failure in failures:
        print(f"FAIL: {failure}")
    if not failures:
        loss, acc = engine[-1]
        print(
            f"OK: last epoch D loss {loss:.4f} (2·ln 2 = {EQUILIBRIUM:.4f} ± {LOSS_TOLERANCE}), "
            f"D accuracy {acc:.3f} (0.5 ± {ACC_TOLERANCE})."
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
