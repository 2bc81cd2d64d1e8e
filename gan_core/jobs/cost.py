"""What a training run or a sweep will cost this server, computed from its settings alone.

Every job is priced before it starts, and refused (never queued) when it is over the
server's limits, with a message naming the settings that make it costly and by how much
to lower them. Three limits:

- `GANSCOPE_MAX_RUN_COST`: seconds of one core a job may use (a run: its steps; a sweep: all
  its stacks). Default 900 s: a 90-minute lesson on 2 cores holds 10,800 core-seconds, so
  a dozen of the largest jobs fit in a lesson and none holds a core for more than 15 min.
- `GANSCOPE_MAX_SWEEP_MEMORY`: gigabytes one stack of a sweep may hold, on top of its
  worker's own ~0.4 GB. Default 1 GB: the jobs cap lets 6 × cores = 12 jobs train at once,
  12 × (1 + 0.4) GB plus ~30 sessions' pages fits in 24 GB. A sweep over
  the limit is split into stacks that fit, trained one after another; only a single run
  that cannot fit is refused.
- `MAX_STEP_SECONDS` (fixed): the work of one step, for a single run and for one step of
  a sweep's stack. A training job looks for Stop between steps and a sweep every step, so
  bounding a step bounds how long Stop waits, whatever the size; bounding it here, rather
  than checking Stop between the D updates inside a step, also keeps Pause, Step and the
  live view's frames prompt, and needs no second stop check in the training loop (a
  single D update of the largest setup the form allows is itself over a second).

The model. Memory of a stack of R runs = STACK_BASE + R × (parameters, gradients and
optimiser state + the real data and its shuffle order + the activations of the largest
update of a step, which the batch and the layer widths set). Time of one step = updates ×
per-update overhead (torch's per-operation cost, which does not grow with R) + R ×
multiply-adds (from the layer sizes, the batch and the D steps) / MACS_PER_SECOND.

Calibration (benchmarks/cost_model.py, whose docstring holds the table): on the 2-core
24 GB machine this server targets, one intra-op thread, a fresh process per case, the
peak resident memory above the process's baseline (VmHWM) and the CPU seconds per step
of a `StackedGAN`, for twelve cases from the tutorial alone to 1,024 Recommended runs
and the 256×4, batch 4,096, WGAN-GP step. Memory: the model is above every measurement
(measured/model 0.41-0.88; e.g. 1,024 Recommended runs 1.00 GB measured, 1.72 GB
modelled). Time: measured/model 0.5-1.5 wherever a limit can bind (the largest step:
0.92 s measured, 1.84 s modelled); one step of the heaviest setup the form allows (10 D
updates of that) is modelled at 13 s, which matches the ~10 s seen on the server.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gan_core.config import ConfigError, GanConfig
from gan_core.i18n import N_, _
from gan_core.training.losses import get_loss
from gan_core.training.models import discriminator_sizes, generator_sizes

RUN_COST_ENV = "GANSCOPE_MAX_RUN_COST"
SWEEP_MEMORY_ENV = "GANSCOPE_MAX_SWEEP_MEMORY"
DEFAULT_RUN_COST_S = 900.0
DEFAULT_SWEEP_MEMORY_GB = 1.0
MAX_STEP_SECONDS = 0.5  # estimated on an idle core: about a second on a loaded one

GB = 1e9
FLOAT = 4  # bytes: training is float32
# Calibrated constants (see the module docstring and benchmarks/cost_model.py).
STACK_BASE_BYTES = 30e6  # a stack's fixed allocations: the allocator's arenas, small tensors
ACTIVATION_COPIES = 3.0  # live copies of each activation at the peak of an update
DATA_BYTES_PER_SAMPLE = 40  # x, y (8) + the epoch's shuffle: random keys, order, sort scratch
UPDATE_OVERHEAD_S = 0.5e-3  # per network update, any R: ~40 torch operations
GP_OVERHEAD_S = 1.0e-3  # the gradient penalty's autograd graph, per D update
MACS_PER_SECOND = 8e9  # multiply-adds a second, one thread, matrix products of these sizes
ELEMENTWISE_MACS = 8.0  # an activation's element-wise work, in multiply-adds
ROW_SECONDS = 0.3e-6  # per batch row an update handles: drawing, gathering, the loss


@dataclass(frozen=True)
class CostLimits:
    run_seconds: float = DEFAULT_RUN_COST_S
    sweep_memory_bytes: float = DEFAULT_SWEEP_MEMORY_GB * GB
    step_seconds: float = MAX_STEP_SECONDS


def server_limits() -> CostLimits:
    """The limits this server was started with (environment), read strictly."""
    return CostLimits(
        run_seconds=_positive(RUN_COST_ENV, DEFAULT_RUN_COST_S, N_("seconds, e.g. 600")),
        sweep_memory_bytes=_positive(
            SWEEP_MEMORY_ENV, DEFAULT_SWEEP_MEMORY_GB, N_("gigabytes, e.g. 2")
        )
        * GB,
    )


def _positive(name: str, default: float, unit: str) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(
            name,
            _("{value} is not allowed: the server's limit is a positive number of {unit}").format(
                value=repr(text[:40]), unit=_(unit)
            ),
        )
    return value


# ---------------------------------------------------------------------- the model


def _sizes(config: GanConfig) -> tuple[list[int], list[int]]:
    return generator_sizes(config), discriminator_sizes(config)


def _macs(sizes: list[int]) -> int:
    """Multiply-adds of one row through the network (biases included)."""
    return sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))


def _row_work(sizes: list[int]) -> float:
    """A row's forward pass: its multiply-adds plus the element-wise work of its layers."""
    return _macs(sizes) + ELEMENTWISE_MACS * sum(sizes[1:])


def _gradient_penalty(config: GanConfig) -> bool:
    return get_loss(config.loss).gradient_penalty


def step_macs(config: GanConfig) -> float:
    """Work of one step of one run, in multiply-adds.

    D update: G forward on b rows, D forward and backward (×3) on 2b rows (real and fake);
    the gradient penalty adds D forward, its input gradient and the gradient of that (×5)
    on b rows. G update: G forward and backward (×3), D forward and input gradient (×2).
    """
    g, d = _sizes(config)
    b = config.batch_size
    d_update = b * _row_work(g) + 3 * 2 * b * _row_work(d)
    if _gradient_penalty(config):
        d_update += 5 * b * _row_work(d)
    g_update = 3 * b * _row_work(g) + 2 * b * _row_work(d)
    return config.d_steps * d_update + g_update


def step_seconds(config: GanConfig, runs: int = 1) -> float:
    """Seconds of one step of a stack of `runs` runs of this structure."""
    per_update = UPDATE_OVERHEAD_S
    overhead = (config.d_steps + 1) * per_update
    if _gradient_penalty(config):
        overhead += config.d_steps * GP_OVERHEAD_S
    return overhead + runs * (step_macs(config) / MACS_PER_SECOND + step_rows(config) * ROW_SECONDS)


def step_rows(config: GanConfig) -> int:
    """Batch rows one step of one run handles: a D update 3b (G's fakes, then real and
    fake through D), twice that with the gradient penalty; a G update 2b."""
    d_update = 3 * config.batch_size * (2 if _gradient_penalty(config) else 1)
    return config.d_steps * d_update + 2 * config.batch_size


def run_bytes(config: GanConfig, ema: bool | None = None) -> float:
    """Memory one run adds to a stack: parameters and their state, data, activations."""
    g, d = _sizes(config)
    with_ema = bool(config.ema) if ema is None else ema
    state = 2 if config.optimizer == "adam" else 1
    # parameters, gradient, optimiser state, one update temporary; G's moving average
    g_floats = _macs(g) * (3 + state + with_ema)
    d_floats = _macs(d) * (3 + state + 2 * _gradient_penalty(config))
    b = config.batch_size
    activations = b * (2 * sum(d) + sum(g))
    if _gradient_penalty(config):
        activations += 4 * b * sum(d)
    floats = g_floats + d_floats + ACTIVATION_COPIES * activations
    return FLOAT * floats + DATA_BYTES_PER_SAMPLE * config.data_size


def stack_bytes(configs: Sequence[GanConfig]) -> float:
    """Peak memory of one stack (runs of one structure trained as one model)."""
    ema = any(c.ema for c in configs)
    return STACK_BASE_BYTES + len(configs) * run_bytes(configs[0], ema)


def runs_per_stack(config: GanConfig, limits: CostLimits, ema: bool | None = None) -> int:
    """The most runs of this structure one stack may hold (0: not even one fits)."""
    per_run = run_bytes(config, ema)
    by_memory = (limits.sweep_memory_bytes - STACK_BASE_BYTES) / per_run
    per_step = step_seconds(config, 1) - step_seconds(config, 0)
    by_time = (limits.step_seconds - step_seconds(config, 0)) / per_step
    return max(0, math.floor(min(by_memory, by_time)))


@dataclass(frozen=True)
class Cost:
    seconds: float  # the whole job, on one core
    step_seconds: float  # the longest step (of the largest stack)
    memory_bytes: float  # the largest stack's peak
    stacks: int = 1


def run_cost(config: GanConfig) -> Cost:
    step = step_seconds(config)
    return Cost(config.total_steps * step, step, stack_bytes([config]))


def stacks_cost(stacks: Sequence[Sequence[GanConfig]]) -> Cost:
    """A sweep's cost: its stacks, trained one after another."""
    seconds = sum(c[0].total_steps * step_seconds(c[0], len(c)) for c in stacks)
    return Cost(
        seconds,
        max(step_seconds(c[0], len(c)) for c in stacks),
        max(stack_bytes(c) for c in stacks),
        len(stacks),
    )


# ---------------------------------------------------------------------- refusals


def check_run(config: GanConfig, limits: CostLimits | None = None) -> Cost:
    """The run's cost, or a ConfigError saying what to lower when it is over a limit."""
    limits = limits or server_limits()
    cost = run_cost(config)
    if cost.step_seconds > limits.step_seconds:
        raise ConfigError(
            "run",
            _step_too_long(
                cost.step_seconds,
                limits,
                _what_to_lower(
                    config,
                    lambda c: step_seconds(c),
                    cost.step_seconds / limits.step_seconds,
                    per_step=True,
                ),
            ),
        )
    if cost.seconds > limits.run_seconds:
        raise ConfigError(
            "run",
            _(
                "{steps} steps would take about {time}, over this server's limit of {limit} "
                "({setting}): {advice}"
            ).format(
                steps=f"{config.total_steps:,}",
                time=format_seconds(cost.seconds),
                limit=format_seconds(limits.run_seconds),
                setting=RUN_COST_ENV,
                advice=_what_to_lower(
                    config, lambda c: run_cost(c).seconds, cost.seconds / limits.run_seconds
                ),
            ),
        )
    return cost


def check_sweep_seconds(base: GanConfig, seconds: float, runs: int, limits: CostLimits) -> None:
    if seconds <= limits.run_seconds:
        return
    factor = seconds / limits.run_seconds
    per_run = _what_to_lower(base, lambda c: run_cost(c).seconds, factor, sweep_runs=runs)
    raise ConfigError(
        "sweep",
        _(
            "{runs} runs would take about {time}, over this server's limit of {limit} "
            "({setting}): {advice}"
        ).format(
            runs=f"{runs:,}",
            time=format_seconds(seconds),
            limit=format_seconds(limits.run_seconds),
            setting=RUN_COST_ENV,
            advice=per_run,
        ),
    )


def refuse_unfittable_run(config: GanConfig, limits: CostLimits) -> ConfigError:
    """Why not even one run of this structure fits a stack: its memory or its step."""
    memory = stack_bytes([config])
    if memory > limits.sweep_memory_bytes:
        factor = memory / limits.sweep_memory_bytes
        return ConfigError(
            "sweep",
            _(
                "one run needs about {memory}, over this server's {limit} per stack "
                "({setting}): {advice}"
            ).format(
                memory=format_bytes(memory),
                limit=format_bytes(limits.sweep_memory_bytes),
                setting=SWEEP_MEMORY_ENV,
                advice=_what_to_lower(config, lambda c: stack_bytes([c]), factor, per_step=True),
            ),
        )
    step = step_seconds(config)
    return ConfigError(
        "sweep",
        _step_too_long(
            step,
            limits,
            _what_to_lower(
                config, lambda c: step_seconds(c), step / limits.step_seconds, per_step=True
            ),
        ),
    )


def _step_too_long(step: float, limits: CostLimits, advice: str) -> str:
    return _(
        "one training step would take about {time}, over this server's {limit} "
        "(so Stop stays prompt): {advice}"
    ).format(time=format_seconds(step), limit=format_seconds(limits.step_seconds), advice=advice)


# ---------------------------------------------------------------------- what to lower

WIDTH_SHOWN = 32  # layer widths a message suggests trying
BATCH_SHOWN = 256
SAMPLES_SHOWN = 1000


def _lowered(config: GanConfig) -> list[tuple[str, str, dict]]:
    """Each setting that adds cost, as (name, its value shown, a cheaper value of it)."""
    options: list[tuple[str, str, dict]] = []
    if config.d_steps > 1:
        options.append(("d_steps", str(config.d_steps), {"d_steps": 1}))
    if config.batch_size > BATCH_SHOWN:
        options.append(("batch_size", f"{config.batch_size:,}", {"batch_size": BATCH_SHOWN}))
    for name in ("d_hidden", "g_hidden"):
        widths = getattr(config, name)
        if any(w > WIDTH_SHOWN for w in widths):
            cheaper = tuple(min(w, WIDTH_SHOWN) for w in widths)
            options.append((name, ", ".join(map(str, widths)), {name: cheaper}))
    if _gradient_penalty(config):
        options.append(("loss", config.loss, {"loss": "cross_entropy"}))
    samples = config.target.kind != "points" and config.n_samples > SAMPLES_SHOWN
    if samples and config.batch_size <= SAMPLES_SHOWN:
        options.append(("n_samples", f"{config.n_samples:,}", {"n_samples": SAMPLES_SHOWN}))
    if config.noise_dim > 2:
        options.append(("noise_dim", str(config.noise_dim), {"noise_dim": 2}))
    return options


def _what_to_lower(
    config: GanConfig,
    cost_of: Callable[[GanConfig], float],
    factor: float,
    per_step: bool = False,
    sweep_runs: int = 1,
) -> str:
    """Name the settings that dominate `cost_of(config)`, each with how much it alone saves,
    and (for a whole run) the epochs or runs that would fit."""
    if per_step:  # a step's cost does not depend on the epochs, whose cap might refuse a change
        config = config.replace(epochs=1)
    full = cost_of(config)
    savings: list[tuple[float, str]] = []
    for name, shown, changes in _lowered(config):
        try:
            cheaper = config.replace(**changes)
        except ConfigError:  # e.g. a smaller batch would make too many steps
            continue
        ratio = full / max(cost_of(cheaper), 1e-12)
        if ratio >= 1.2:
            lower = _short(changes[name])
            saving = _("{name} = {value} ({ratio} less at {lower})").format(
                name=name, value=shown, ratio=_ratio(ratio), lower=lower
            )
            savings.append((ratio, saving))
    savings.sort(reverse=True)
    parts = [text for _, text in savings[:3]]
    if not per_step and sweep_runs > 1:
        fit = max(0, math.floor(sweep_runs / factor))
        parts.insert(
            0,
            _("runs = {runs} (cells × seeds; {fit} would fit)").format(
                runs=f"{sweep_runs:,}", fit=f"{fit:,}"
            ),
        )
    elif not per_step:
        fit = max(0, math.floor(config.epochs / factor))
        epochs = _("epochs = {epochs} ({fit} would fit)").format(
            epochs=f"{config.epochs:,}", fit=f"{fit:,}"
        )
        parts.insert(0, epochs if fit else "epochs")
    if not parts:
        return _("it is {ratio} too much: lower the network sizes or the batch.").format(
            ratio=_ratio(factor)
        )
    # The settings are a list, each item whole in itself: "; " joins them in any language.
    return _("it is {ratio} too much. Lower {settings}.").format(
        ratio=_ratio(factor), settings="; ".join(parts[:4])
    )


def _short(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return f"{value:,}" if isinstance(value, int) else str(value)


def _ratio(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def format_seconds(seconds: float) -> str:
    """A duration as a page shows it, in the reader's language: "40 s", "3 min", "2 days"."""
    if seconds < 1:
        return _("{n} s").format(n=f"{seconds:.2g}")
    if seconds < 120:
        return _("{n} s").format(n=f"{seconds:.0f}")
    if seconds < 7200:
        return _("{n} min").format(n=f"{seconds / 60:.0f}")
    if seconds < 2 * 86400:
        return _("{n} h").format(n=f"{seconds / 3600:.0f}")
    return _("{n} days").format(n=f"{seconds / 86400:,.0f}")


def format_bytes(size: float) -> str:
    return f"{size / GB:.1f} GB" if size >= 0.1 * GB else f"{size / 1e6:.0f} MB"
