"""Training one stack of a sweep: R runs of one structure, side by side, to the end.

Each step is the single-run trainer's step, taken from the one definition both follow
(`StackedGAN.updates`): `d_steps` discriminator updates, then one generator update on the
noise of the last D update. Runs never mix:
every tensor operation of the engine acts on each run's own slice, so a run that blows up
cannot change the numbers of the others.

Stop is asked before every step (a flag read, nothing more), and the cost model keeps one
step of a stack short (`gan_core.jobs.cost.MAX_STEP_SECONDS`), so a sweep of any size
stops within about a second. Divergence is looked for, and progress reported, every
`check_interval` steps rather than every step: `CHECK_EVERY`, or fewer when the stack's
steps are slow, so a check comes at least every `CHECK_S` seconds of estimated work. A
non-finite loss leaves its mark in the running sum of that run's losses, and non-finite
parameters stay non-finite, so nothing is missed, at the cost of two additions per step
and a few operations per check. A diverged run is frozen: its parameters and optimiser state are set
to zero and its learning rates to zero, so its slice holds finite numbers (no NaN or inf
arithmetic for the rest of the sweep) and its result is recorded as diverged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from gan_core.config import GanConfig
from gan_core.jobs.cost import step_seconds
from gan_core.sweep.distance import final_distances
from gan_core.training.engine import StackedGAN
from gan_core.training.step_part import StepPart

CHECK_EVERY = 50  # steps between divergence checks and progress reports, at most
CHECK_S = 0.25  # estimated seconds of work between them, at most


class SweepStopped(RuntimeError):
    """The caller asked the sweep to stop before it finished."""

    def __init__(self, message: str, steps_done: int = 0) -> None:
        super().__init__(message)
        self.steps_done = steps_done  # steps the stopped stack had trained


def check_interval(configs: list[GanConfig]) -> int:
    """Steps between checks for this stack: CHECK_EVERY, fewer if its steps are slow."""
    step = step_seconds(configs[0], len(configs))
    return max(1, min(CHECK_EVERY, math.floor(CHECK_S / step)))


@dataclass(frozen=True)
class StackOutcome:
    distance: np.ndarray  # (R,) final distance; inf for a diverged run
    diverged_at: np.ndarray  # (R,) step of the check that found the run diverged; 0 if not
    loss_d: np.ndarray  # (R,) mean D loss over the last check interval; NaN if diverged
    loss_g: np.ndarray


def train_stack(
    configs: list[GanConfig],
    advance: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> StackOutcome:
    """Train the runs to the end of their schedule. `advance(n)` is told of every n run-steps
    done; `should_stop()` is asked before every step, and a yes raises `SweepStopped`."""
    engine = StackedGAN(configs)
    d_steps, total = engine.config.d_steps, engine.config.total_steps
    runs = engine.runs
    diverged_at = np.zeros(runs, dtype=np.int64)
    sum_d, sum_g = torch.zeros(runs), torch.zeros(runs)
    lr_d = [c.lr_d for c in configs]
    lr_g = [c.lr_g for c in configs]
    every = check_interval(configs)
    done = 0
    while done < total:
        chunk = min(every, total - done)
        sum_d.zero_()
        sum_g.zero_()
        for step in range(chunk):
            if should_stop is not None and should_stop():
                raise SweepStopped("the sweep was stopped", done + step)
            for update in engine.updates(StepPart.BOTH):
                (sum_d if update.part == StepPart.D else sum_g).add_(update.loss)
        done += chunk
        bad = _newly_diverged(engine, sum_d, sum_g, diverged_at)
        if bad.any():
            diverged_at[bad] = done
            _freeze(engine, torch.as_tensor(bad), lr_d, lr_g)
        if advance is not None:
            advance(chunk * runs)
    distance = final_distances(engine)
    diverged = (diverged_at > 0) | ~np.isfinite(distance)
    distance[diverged] = np.inf
    diverged_at[diverged & (diverged_at == 0)] = total
    loss_d = (sum_d / (chunk * d_steps)).numpy().astype(float)
    loss_g = (sum_g / chunk).numpy().astype(float)
    loss_d[diverged], loss_g[diverged] = np.nan, np.nan
    return StackOutcome(distance, diverged_at, loss_d, loss_g)


def _newly_diverged(
    engine: StackedGAN, sum_d: torch.Tensor, sum_g: torch.Tensor, diverged_at: np.ndarray
) -> np.ndarray:
    g_ok, d_ok = engine.finite_parameters()
    ok = g_ok & d_ok & torch.isfinite(sum_d) & torch.isfinite(sum_g)
    return ~ok.numpy() & (diverged_at == 0)


@torch.no_grad()
def _freeze(engine: StackedGAN, bad: torch.Tensor, lr_d: list[float], lr_g: list[float]) -> None:
    """Zero the diverged runs' slices and learning rates.

    If the runs shared one learning rate, Adam now takes its per-run path, whose rounding
    differs in the last bit: the other runs stay healthy, but are not bit-identical to a
    sweep without the diverged one (SGD's update rounds the same either way).
    """
    buffers = [engine.G.flat, engine.D.flat]
    if engine.G_ema is not None:
        buffers.append(engine.G_ema.flat)
    for optimizer in (engine.opt_d, engine.opt_g):
        buffers += [v for v in optimizer.state().values() if isinstance(v, torch.Tensor)]
    for buffer in buffers:
        buffer[bad] = 0.0
    for r in bad.nonzero().flatten().tolist():
        lr_d[r] = lr_g[r] = 0.0
    engine.set_learning_rates(lr_d=lr_d, lr_g=lr_g)
