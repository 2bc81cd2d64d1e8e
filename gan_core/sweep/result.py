"""What a sweep found: one row per run, one row per cell, and how fast it went.

`runs` columns: run, cell, the axis keys, seed_index, seed, distance, diverged, diverged_at,
loss_d, loss_g. `cells` columns: cell, the axis keys, median, min, max (of the final distance
over the cell's seeds), diverged (how many of its runs), seeds. A diverged run's distance is
inf, so it counts as the worst possible result in the median rather than dropping out of it.
In JSON, inf becomes null (JSON has no infinity).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gan_core.config import GanConfig
from gan_core.serialize import to_dict
from gan_core.sweep.axes import Axis
from gan_core.sweep.distance import metric_label
from gan_core.sweep.plan import SweepPlan

RUN_COLUMNS = ("distance", "diverged", "diverged_at", "loss_d", "loss_g")
CELL_COLUMNS = ("median", "min", "max", "diverged", "seeds")


@dataclass(frozen=True)
class SweepResult:
    base: GanConfig
    axes: tuple[Axis, ...]
    seeds: int
    metric: str  # "frechet" (exact) or "sliced_wasserstein" (sample based): see sweep_distance
    runs: pd.DataFrame
    cells: pd.DataFrame
    cell_configs: tuple[GanConfig, ...]  # each cell's config at seed index 0
    iterations: int | float  # training steps per run (the mean when runs differ in length)
    run_iterations: int  # training steps summed over all runs
    seconds: float

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    @property
    def iterations_per_second(self) -> float:
        """Training steps per second over all runs (= runs × iterations / seconds)."""
        return self.run_iterations / self.seconds if self.seconds > 0 else math.inf

    @property
    def keys(self) -> list[str]:
        return [axis.key for axis in self.axes]

    @property
    def metric_label(self) -> str:
        return metric_label(self.metric)

    def cell_config(self, cell: int) -> GanConfig:
        """The config of a cell, with the seed of its first run: open it to watch that run."""
        return self.cell_configs[cell]

    def to_dict(self) -> dict:
        cells = [
            {**{k: row[k] for k in self.keys}, **{k: row[k] for k in CELL_COLUMNS}}
            for row in self.cells.to_dict("records")
        ]
        runs = [
            {k: row[k] for k in ("cell", "seed", "distance", "diverged")}
            for row in self.runs.to_dict("records")
        ]
        return _plain(
            {
                "base": to_dict(self.base),
                "axes": [{"key": a.key, "values": list(a.values)} for a in self.axes],
                "seeds": self.seeds,
                "metric": self.metric,
                "metric_label": self.metric_label,
                "runs": self.n_runs,
                "iterations": self.iterations,
                "seconds": self.seconds,
                "iterations_per_second": self.iterations_per_second,
                "cells": cells,
                "run_results": runs,
            }
        )

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)


def _plain(value: Any) -> Any:
    """numpy scalars to Python, non-finite floats to None: strict JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def build_result(
    plan: SweepPlan, outcome: dict[str, np.ndarray], seconds: float, metric: str
) -> SweepResult:
    """Assemble the result from the plan and the per-run arrays (in plan.runs order)."""
    keys = [axis.key for axis in plan.axes]
    runs = pd.DataFrame(
        {
            "run": np.arange(len(plan.runs)),
            "cell": [r.cell for r in plan.runs],
            **{k: [plan.cells[r.cell][k] for r in plan.runs] for k in keys},
            "seed_index": [r.seed_index for r in plan.runs],
            "seed": [r.config.seed for r in plan.runs],
            **{name: outcome[name] for name in RUN_COLUMNS},
        }
    )
    grouped = runs.groupby("cell", sort=True)["distance"]
    cells = pd.DataFrame(
        {
            "cell": np.arange(len(plan.cells)),
            **{k: [c[k] for c in plan.cells] for k in keys},
            # np.median, not pandas' (which skips NaN): inf must count as the worst result.
            "median": grouped.apply(lambda d: float(np.median(d.to_numpy()))).to_numpy(),
            "min": grouped.min().to_numpy(),
            "max": grouped.max().to_numpy(),
            "diverged": runs.groupby("cell")["diverged"].sum().to_numpy(),
            "seeds": grouped.size().to_numpy(),
        }
    )
    run_iterations = plan.run_steps
    per_run = run_iterations / len(plan.runs)
    return SweepResult(
        base=plan.base,
        axes=plan.axes,
        seeds=plan.seeds,
        metric=metric,
        runs=runs,
        cells=cells,
        cell_configs=tuple(plan.cell_config(c) for c in range(len(plan.cells))),
        iterations=int(per_run) if float(per_run).is_integer() else per_run,
        run_iterations=run_iterations,
        seconds=seconds,
    )
