"""A sweep's plan: every cell and every run it will train, checked before any training.

Cells are the grid of axis values (the first axis varies slowest); each cell trains `seeds`
runs. Run seeds: a run's seed is its cell's seed plus its seed index (0, 1, ... seeds-1),
where the cell's seed is the base config's seed, or the axis value when `seed` is an axis.
So `seeds=10` on the tutorial preset (seed 0) trains seeds 0-9 in every cell: cells that
differ only in a learning rate start from the same data and initial weights.

Planning validates everything a sweep could refuse: the axes, every cell's and run's config
(via `GanConfig`, so errors name the setting), the caps on size and the server's cost
limits (`gan_core.jobs.cost`), so that a bad request fails at once, in the caller's thread,
and never half-way through training.

Stacks: runs of one structure train as one vectorised `StackedGAN`, as long as the stack
fits the server's memory limit and keeps one step short (so Stop stays prompt). A group
that does not fit is split into the fewest stacks that do, of near-equal size, in run
order; they train one after another, so a sweep's peak memory is its largest stack's.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from gan_core.config import ConfigError, GanConfig
from gan_core.i18n import _
from gan_core.jobs.cost import (
    Cost,
    CostLimits,
    check_sweep_seconds,
    refuse_unfittable_run,
    runs_per_stack,
    server_limits,
    stacks_cost,
)
from gan_core.sweep.axes import MAX_AXES, Axis
from gan_core.training.engine import structure

# A sweep trains all its runs in one process at once; these keep a request within what a
# small shared machine serves in about a minute. 2,560,000 run-steps is 1,024 runs of the
# tutorial's 2,500 steps.
MAX_SWEEP_RUNS = 1024
MAX_SWEEP_RUN_STEPS = 2_560_000


@dataclass(frozen=True)
class PlannedRun:
    cell: int  # index into SweepPlan.cells
    seed_index: int
    config: GanConfig


@dataclass(frozen=True)
class SweepPlan:
    base: GanConfig
    axes: tuple[Axis, ...]
    seeds: int
    cells: tuple[dict, ...]  # per cell: {axis key: value}
    runs: tuple[PlannedRun, ...]
    stack_runs: tuple[tuple[int, ...], ...]  # run indices of each stack, in training order
    cost: Cost

    @property
    def run_steps(self) -> int:
        """Training steps summed over all runs: the sweep's size, which the cap bounds."""
        return sum(run.config.total_steps for run in self.runs)

    def cell_config(self, cell: int, seed_index: int = 0) -> GanConfig:
        return self.runs[cell * self.seeds + seed_index].config

    def stacks(self) -> list[list[int]]:
        """Run indices of each stack: each trains as one `StackedGAN`, one after another."""
        return [list(stack) for stack in self.stack_runs]


def plan_sweep(
    base: GanConfig,
    axes: list[Axis] | tuple[Axis, ...] = (),
    seeds: int = 1,
    max_runs: int = MAX_SWEEP_RUNS,
    max_run_steps: int = MAX_SWEEP_RUN_STEPS,
    limits: CostLimits | None = None,
) -> SweepPlan:
    """The sweep's plan, or a ConfigError naming what is not allowed. `limits`: the
    server's cost limits (None: read from the environment, see `gan_core.jobs.cost`)."""
    axes = tuple(axes)
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ConfigError(
            "seeds",
            _("{value} seeds per cell: must be a whole number ≥ 1").format(value=repr(seeds)),
        )
    if len(axes) > MAX_AXES:
        raise ConfigError(
            "axis",
            _("{count} axes: a sweep varies at most {limit}").format(
                count=len(axes), limit=MAX_AXES
            ),
        )
    keys = [axis.key for axis in axes]
    if len(set(keys)) != len(keys):
        raise ConfigError(keys[-1], _("the same setting is given as two axes"))
    n_cells = 1
    for axis in axes:
        n_cells *= len(axis.values)
    n_runs = n_cells * seeds
    if n_runs > max_runs:
        raise ConfigError(
            "sweep",
            _("{runs} runs ({cells} cells × {seeds} seeds) exceed the cap {cap} = {limit}").format(
                runs=f"{n_runs:,}",
                cells=f"{n_cells:,}",
                seeds=seeds,
                cap="MAX_SWEEP_RUNS",
                limit=f"{max_runs:,}",
            ),
        )
    cells: list[dict] = []
    runs: list[PlannedRun] = []
    for values in itertools.product(*(axis.values for axis in axes)):
        cell = dict(zip(keys, values))
        cell_config = base.replace(**cell)  # ConfigError names the setting (= the axis)
        for seed_index in range(seeds):
            config = cell_config.replace(seed=cell_config.seed + seed_index)
            runs.append(PlannedRun(len(cells), seed_index, config))
        cells.append(cell)
    run_steps = sum(run.config.total_steps for run in runs)
    if run_steps > max_run_steps:
        raise ConfigError(
            "sweep",
            _(
                "{runs} runs train {steps} steps in all, above the cap {cap} = {limit}: "
                "use fewer cells, seeds or epochs"
            ).format(
                runs=f"{n_runs:,}",
                steps=f"{run_steps:,}",
                cap="MAX_SWEEP_RUN_STEPS",
                limit=f"{max_run_steps:,}",
            ),
        )
    limits = limits or server_limits()
    stacks = split_into_stacks([run.config for run in runs], limits)
    cost = stacks_cost([[runs[i].config for i in stack] for stack in stacks])
    check_sweep_seconds(base, cost.seconds, n_runs, limits)
    return SweepPlan(base, axes, seeds, tuple(cells), tuple(runs), stacks, cost)


def split_into_stacks(configs: list[GanConfig], limits: CostLimits) -> tuple[tuple[int, ...], ...]:
    """Indices of the configs grouped by structure, each group cut into the fewest stacks
    of near-equal size that fit the limits; a ConfigError if one run alone does not."""
    groups: dict[GanConfig, list[int]] = {}
    for index, config in enumerate(configs):
        groups.setdefault(structure(config), []).append(index)
    stacks: list[tuple[int, ...]] = []
    for indices in groups.values():
        first = configs[indices[0]]
        fits = runs_per_stack(first, limits, ema=any(configs[i].ema for i in indices))
        if fits < 1:
            raise refuse_unfittable_run(first, limits)
        count = -(-len(indices) // fits)  # ceiling division
        size, extra = divmod(len(indices), count)
        start = 0
        for piece in range(count):
            end = start + size + (piece < extra)
            stacks.append(tuple(indices[start:end]))
            start = end
    return tuple(stacks)
