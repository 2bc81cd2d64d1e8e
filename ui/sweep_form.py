"""What the Sweep page needs that is not Streamlit: axis inputs to an `Axis`, sensible
starting values per setting, and the wording of cells and plans. Pure functions, tested
without a server; the page only lays out widgets and wires these in."""

from __future__ import annotations

from gan_core.config import ConfigError, quote_value
from gan_core.formatting import DIVERGED, format_distance
from gan_core.jobs.cost import format_bytes, format_seconds
from gan_core.sweep.axes import AXIS_KEYS, Axis, parse_values
from gan_core.sweep.distance import METRIC_LABELS, distance_metric
from gan_core.sweep.plan import SweepPlan
from gan_core.sweep.result import SweepResult

AXIS_NAMES = {
    "lr_d": "D learning rate",
    "lr_g": "G learning rate",
    "beta1": "Adam β1",
    "ema": "EMA decay",
    "d_steps": "D steps per G step",
    "batch_size": "batch size",
    "seed": "seed",
}
assert set(AXIS_NAMES) == set(AXIS_KEYS)

# How values are entered: a typed list, or a range the page builds from three fields.
VALUE_MODES = {"list": None, "log-spaced range": "logspace", "evenly spaced range": "linspace"}

# Starting inputs per setting: wide enough to show something, small enough to run fast.
DEFAULT_INPUTS = {
    "lr_d": ("log-spaced range", "0.001,0.01,0.1", "0.001", "0.5", 6),
    "lr_g": ("log-spaced range", "0.001,0.01,0.1", "0.001", "0.5", 6),
    "beta1": ("list", "0.5,0.8,0.9", "0.5", "0.9", 3),
    "ema": ("list", "0,0.9,0.99", "0", "0.99", 3),
    "d_steps": ("list", "1,2,5", "1", "5", 3),
    "batch_size": ("list", "4,16,64", "4", "64", 3),
    "seed": ("list", "0,1,2,3", "0", "3", 4),
}


def axis_label(key: str) -> str:
    return f"{AXIS_NAMES[key]} ({key})"


def axis_from_inputs(key: str, mode: str, listed: str, start: str, stop: str, count) -> Axis:
    """The axis the page's fields describe; a ConfigError naming the axis if they are bad."""
    kind = VALUE_MODES.get(mode)
    if mode not in VALUE_MODES:
        raise ConfigError(key, f"{quote_value(mode)} is not a way to give values")
    if kind is None:
        return Axis(key, parse_values(key, listed))
    for name, text in (("from", start), ("to", stop)):
        if not str(text).strip():
            raise ConfigError(key, f"the range needs a '{name}' value")
    return Axis(key, parse_values(key, f"{kind}:{start}:{stop}:{count}"))


def plan_summary(plan: SweepPlan) -> str:
    cells = len(plan.cells)
    seeds = f"{plan.seeds} seed" + ("s" if plan.seeds > 1 else "")
    stacks = len(plan.stack_runs)
    in_stacks = (
        "1 vectorised stack"
        if stacks == 1
        else f"{stacks} vectorised stacks, trained one after another to fit the server's limits"
    )
    return (
        f"{cells:,} cell{'s' if cells > 1 else ''} × {seeds} = {len(plan.runs):,} runs, "
        f"{plan.run_steps:,} training steps in all, {in_stacks}: about "
        f"{format_bytes(plan.cost.memory_bytes)} of memory at a time and "
        f"{format_seconds(plan.cost.seconds)} of training. "
        f"Distance: {METRIC_LABELS[distance_metric(plan.base)]}."
    )


def _value(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _distance(value: float) -> str:
    return format_distance(value, infinity=DIVERGED)


def cell_label(result: SweepResult, cell: int) -> str:
    row = result.cells.iloc[[cell]].to_dict("records")[0]  # keeps each column's type
    settings = ", ".join(f"{k} = {_value(row[k])}" for k in result.keys) or "base setup"
    diverged = f", {row['diverged']} of {row['seeds']} diverged" if row["diverged"] else ""
    return f"{settings}: median {_distance(row['median'])}{diverged}"


def cells_best_first(result: SweepResult) -> list[int]:
    """Cell indices from the lowest median distance up (diverged cells last)."""
    return result.cells.sort_values(["median", "cell"], kind="stable")["cell"].tolist()
