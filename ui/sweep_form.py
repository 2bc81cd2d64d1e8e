"""What the Sweep page needs that is not Streamlit: axis inputs to an `Axis`, sensible
starting values per setting, and the wording of cells and plans. Pure functions, tested
without a server; the page only lays out widgets and wires these in."""

from __future__ import annotations

from gan_core.config import ConfigError, quote_value
from gan_core.formatting import format_distance
from gan_core.i18n import N_, _, ngettext
from gan_core.jobs.cost import format_bytes, format_seconds
from gan_core.sweep.axes import AXIS_KEYS, Axis, parse_values
from gan_core.sweep.distance import PROJECTIONS, SAMPLE_COUNT, distance_metric
from gan_core.sweep.plan import SweepPlan
from gan_core.sweep.result import SweepResult

# What each axis is called on the page (translated where shown); the CSV files keep the keys.
AXIS_NAMES = {
    "lr_d": N_("D learning rate"),
    "lr_g": N_("G learning rate"),
    "beta1": N_("Adam β1"),
    "ema": N_("EMA decay"),
    "d_steps": N_("D steps per G step"),
    "batch_size": N_("batch size"),
    "seed": N_("seed"),
}
assert set(AXIS_NAMES) == set(AXIS_KEYS)

# How values are entered: a typed list, or a range the page builds from three fields. The
# keys are the radio's values (and its labels, translated where shown).
VALUE_MODES = {
    N_("list"): None,
    N_("log-spaced range"): "logspace",
    N_("evenly spaced range"): "linspace",
}

# The distance a sweep measures, by `distance_metric`'s name.
METRIC_NAMES = {
    "frechet": N_("squared Fréchet distance (exact, closed form)"),
    "sliced_wasserstein": N_(
        "squared sliced Wasserstein distance ({samples} generator vs {samples} target "
        "samples, {directions} directions)"
    ),
}

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
    """The setting's name in the reader's language."""
    return _(AXIS_NAMES[key])


def axis_titles(keys: list[str]) -> dict[str, str]:
    """The names the heatmap shows for `keys` (the sweep's axis keys)."""
    return {key: axis_label(key) for key in keys}


def metric_name(metric: str) -> str:
    return _(METRIC_NAMES[metric]).format(samples=f"{SAMPLE_COUNT:,}", directions=PROJECTIONS)


def axis_from_inputs(key: str, mode: str, listed: str, start: str, stop: str, count) -> Axis:
    """The axis the page's fields describe; a ConfigError naming the axis if they are bad."""
    kind = VALUE_MODES.get(mode)
    if mode not in VALUE_MODES:
        raise ConfigError(
            key, _("{value} is not a way to give values").format(value=quote_value(mode))
        )
    if kind is None:
        return Axis(key, parse_values(key, listed))
    for name, text in (("from", start), ("to", stop)):
        if not str(text).strip():
            raise ConfigError(key, _("the range needs a '{name}' value").format(name=name))
    return Axis(key, parse_values(key, f"{kind}:{start}:{stop}:{count}"))


def plan_summary(plan: SweepPlan) -> str:
    cells = len(plan.cells)
    grid = ngettext("{cells} cell", "{cells} cells", cells).format(cells=f"{cells:,}")
    seeds = ngettext("{seeds} seed", "{seeds} seeds", plan.seeds).format(seeds=plan.seeds)
    stacks = len(plan.stack_runs)
    in_stacks = ngettext(
        "{stacks} vectorised stack",
        "{stacks} vectorised stacks, trained one after another to fit the server's limits",
        stacks,
    ).format(stacks=stacks)
    return _(
        "{grid} × {seeds} = {runs} runs, {steps} training steps in all, {stacks}: about "
        "{memory} of memory at a time and {seconds} of training. Distance: {metric}."
    ).format(
        grid=grid,
        seeds=seeds,
        runs=f"{len(plan.runs):,}",
        steps=f"{plan.run_steps:,}",
        stacks=in_stacks,
        memory=format_bytes(plan.cost.memory_bytes),
        seconds=format_seconds(plan.cost.seconds),
        metric=metric_name(distance_metric(plan.base)),
    )


def _value(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _distance(value: float) -> str:
    return format_distance(value, infinity=_("diverged"))


def cell_label(result: SweepResult, cell: int) -> str:
    row = result.cells.iloc[[cell]].to_dict("records")[0]  # keeps each column's type
    settings = ", ".join(f"{axis_label(k)} = {_value(row[k])}" for k in result.keys) or _(
        "base setup"
    )
    median = _distance(row["median"])
    if not row["diverged"]:
        return _("{settings}: median {median}").format(settings=settings, median=median)
    return _("{settings}: median {median}, {diverged} of {seeds} diverged").format(
        settings=settings, median=median, diverged=row["diverged"], seeds=row["seeds"]
    )


def cells_best_first(result: SweepResult) -> list[int]:
    """Cell indices from the lowest median distance up (diverged cells last)."""
    return result.cells.sort_values(["median", "cell"], kind="stable")["cell"].tolist()
