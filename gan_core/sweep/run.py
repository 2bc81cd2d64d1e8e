"""Hyperparameter sweeps: many runs of one base config, trained at once, compared by distance.

    plan = plan_sweep(preset_config("tutorial"), [parse_axis("lr_d=logspace:1e-3:1:8"),
                                                  parse_axis("lr_g=logspace:1e-3:1:8")], seeds=3)
    result = run_plan(plan, progress=lambda done, total: ...)
    result.cells  # per cell: axis values, median / min / max final distance, diverged count

Runs of the same structure train as one `StackedGAN` (a vectorised computation, not a
loop over runs); an axis that changes structure (batch_size, d_steps) makes one stack per
value, and a group too large for the server's memory limit is split into stacks that fit
(see `sweep_plan`), trained one after another. The pieces, one idea each: `sweep_axes`
(what can vary and how values are written), `sweep_plan` (cells, run seeds, caps,
stacks), `sweep_train` (one stack to the end, divergence), `sweep_distance` (the final
distance), `sweep_result` (tables and JSON).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from gan_core.config import GanConfig
from gan_core.sweep.axes import AXIS_KEYS, Axis, parse_axis, parse_values
from gan_core.sweep.distance import METRIC_LABELS, distance_metric, metric_label
from gan_core.sweep.plan import MAX_SWEEP_RUN_STEPS, MAX_SWEEP_RUNS, SweepPlan, plan_sweep
from gan_core.sweep.result import RUN_COLUMNS, SweepResult, build_result
from gan_core.sweep.train import SweepStopped, train_stack

__all__ = [
    "AXIS_KEYS",
    "MAX_SWEEP_RUNS",
    "MAX_SWEEP_RUN_STEPS",
    "METRIC_LABELS",
    "Axis",
    "SweepPlan",
    "SweepResult",
    "SweepStopped",
    "metric_label",
    "parse_axis",
    "parse_values",
    "plan_sweep",
    "run_plan",
    "run_sweep",
]

Progress = Callable[[int, int], None]  # (run-steps done, run-steps in all)


def run_plan(
    plan: SweepPlan,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    threads: int | None = 1,
) -> SweepResult:
    """Train every run of the plan and measure where each ended up.

    `progress(done, total)` is called every few dozen steps (more often when steps are
    slow, see `sweep_train`) with run-steps done (runs × steps, summed over stacks) and the
    total; `should_stop()` is asked before every step and, when it returns True, the sweep
    raises `SweepStopped`.

    `threads`: torch's intra-op threads while the sweep trains (a process-wide setting,
    restored afterwards; None leaves it alone). One, because even at 256 runs the tensors
    are tiny: more threads only hand work back and forth, and on a busy machine their
    spin-waiting made a sweep over 10x slower (measured: 13 s with 2 threads vs 0.75 s).
    """
    if threads is None:
        return _run(plan, progress, should_stop)
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _run(plan, progress, should_stop)
    finally:
        torch.set_num_threads(previous)


def _run(
    plan: SweepPlan, progress: Progress | None, should_stop: Callable[[], bool] | None
) -> SweepResult:
    total = plan.run_steps
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    started = time.perf_counter()
    outcome = {name: np.empty(len(plan.runs)) for name in RUN_COLUMNS}
    for indices in plan.stacks():
        stack = train_stack([plan.runs[i].config for i in indices], advance, should_stop)
        outcome["distance"][indices] = stack.distance
        outcome["diverged_at"][indices] = stack.diverged_at
        outcome["loss_d"][indices] = stack.loss_d
        outcome["loss_g"][indices] = stack.loss_g
    seconds = time.perf_counter() - started
    outcome["diverged"] = ~np.isfinite(outcome["distance"])
    outcome["diverged_at"] = np.where(outcome["diverged"], outcome["diverged_at"], np.nan)
    return build_result(plan, outcome, seconds, distance_metric(plan.base))


def run_sweep(
    base: GanConfig,
    axes: list[Axis] | tuple[Axis, ...] = (),
    seeds: int = 1,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    threads: int | None = 1,
) -> SweepResult:
    """Plan (validating everything, see `plan_sweep`) and run a sweep."""
    return run_plan(plan_sweep(base, axes, seeds), progress, should_stop, threads)
