"""The one configuration object: every setting of a run, validated, immutable.

The sidebar, the URL, the CLI, JSON files and the sweep all build a `GanConfig` and
nothing else. Construction validates, so a `GanConfig` that exists is a runnable one;
every refusal is a `ConfigError` naming the field, the value and what is allowed.
Serialisation (JSON, URL) lives in `serialize.py`; named presets in `presets.py`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gan_core.i18n import N_, _
from gan_core.i18n.language import DEFAULT, current_language

CONFIG_VERSION = 1

TARGET_KINDS = ("gaussian", "ring", "grid", "points")
NOISE_KINDS = ("normal", "uniform")
ACTIVATIONS = ("tanh", "relu", "leaky_relu", "elu", "sigmoid")
LOSSES = ("cross_entropy", "minimax", "least_squares", "wasserstein_gp", "hinge")
OPTIMIZERS = ("adam", "sgd")

# Bounds that keep any single request within what one small shared machine can serve.
MAX_ABS_COORD = 1e4  # means and data coordinates
MAX_VARIANCE = 1e6
MIN_SAMPLES, MAX_SAMPLES = 2, 100_000
MAX_POINTS = 20_000  # a user's own data set
MAX_NOISE_DIM = 64
MAX_LAYERS, MAX_WIDTH = 4, 256
MAX_BATCH = 4096
MAX_EPOCHS = 1_000_000
MAX_TOTAL_STEPS = 5_000_000
MAX_D_STEPS = 10
MAX_LR = 10.0
MAX_GP_WEIGHT = 1000.0
MAX_SEED = 2**31 - 1
SYMMETRY_TOL = 1e-6  # relative tolerance for a "symmetric" covariance
PSD_TOL = 1e-9  # relative tolerance for "positive semi-definite"

# What each setting is called where a person reads it (translated where shown). Keys of
# links and config files are also named, as refusals of those name them.
SETTING_NAMES = {
    "target": N_("target distribution"),
    "target.kind": N_("kind of target"),
    "target.mean": N_("mean of the target"),
    "target.cov": N_("covariance of the target"),
    "target.points": N_("your own points"),
    "mean": N_("mean of the target"),
    "cov": N_("covariance of the target"),
    "points": N_("your own points"),
    "n_samples": N_("real samples"),
    "noise_dim": N_("noise dimension"),
    "noise": N_("noise distribution"),
    "g_hidden": N_("G's hidden layers"),
    "g_activation": N_("G's activation"),
    "d_hidden": N_("D's hidden layers"),
    "d_activation": N_("D's activation"),
    "loss": N_("loss function"),
    "optimizer": N_("optimizer"),
    "lr_d": N_("D's learning rate"),
    "lr_g": N_("G's learning rate"),
    "beta1": N_("Adam's β1, SGD's momentum"),
    "beta2": N_("Adam's β2"),
    "batch_size": N_("batch size"),
    "epochs": N_("epochs"),
    "d_steps": N_("D steps per G step"),
    "ema": N_("generator EMA"),
    "init_std": N_("initial weight std"),
    "gp_weight": N_("gradient-penalty weight"),
    "seed": N_("seed"),
    "config": N_("config file"),
    "version": N_("format version"),
    "v": N_("format version"),
    "speed": N_("speed"),
    "preset": N_("preset"),
    "checkpoint": N_("checkpoint"),
    "bundle": N_("runs file"),
    "run": N_("run"),
    "sweep": N_("sweep"),
    # fields named by a phrase rather than a key: a translation shows the phrase alone
    "run name": N_("run name"),
    "run store": N_("run store"),
    "store": N_("run store"),
    "store name": N_("store name"),
    "data directory": N_("data directory"),
    "challenge": N_("challenge"),
    "challenge.target": N_("the challenge's target"),
    "title": N_("challenge title"),
    "step limit": N_("step limit"),
    "D's layers": N_("D's hidden layers"),
}

# The choices' display names; the values themselves (keys here) are what is stored.
TARGET_KIND_NAMES = {
    "gaussian": N_("Gaussian"),
    "ring": N_("Ring (8 modes)"),
    "grid": N_("Grid (25 modes)"),
    "points": N_("My points (CSV)"),
}
LOSS_NAMES = {
    "cross_entropy": N_("Cross-entropy (non-saturating G)"),
    "minimax": N_("Minimax (saturating G)"),
    "least_squares": N_("Least squares"),
    "wasserstein_gp": N_("Wasserstein + gradient penalty"),
    "hinge": N_("Hinge"),
}
OPTIMIZER_NAMES = {"adam": N_("Adam"), "sgd": N_("SGD (momentum = β1)")}
NOISE_NAMES = {"normal": N_("Normal N(0, I)"), "uniform": N_("Uniform U(-1, 1)")}
# Written the same in every language, as courses write them: not translated.
ACTIVATION_NAMES = {
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "elu": "ELU",
    "sigmoid": "sigmoid",
}


def setting_name(key: str) -> str | None:
    """The translated name of the setting `key` (e.g. "d_hidden[1]" is one of D's hidden
    layers), or None for a key that is not a setting."""
    base = key.split("[", 1)[0]
    return _(SETTING_NAMES[base]) if base in SETTING_NAMES else None


def target_kind_name(kind: str) -> str:
    return _(TARGET_KIND_NAMES[kind]) if kind in TARGET_KIND_NAMES else kind


def loss_name(loss: str) -> str:
    return _(LOSS_NAMES[loss]) if loss in LOSS_NAMES else loss


def optimizer_name(optimizer: str) -> str:
    return _(OPTIMIZER_NAMES[optimizer]) if optimizer in OPTIMIZER_NAMES else optimizer


def noise_name(noise: str) -> str:
    return _(NOISE_NAMES[noise]) if noise in NOISE_NAMES else noise


def activation_name(activation: str) -> str:
    return ACTIVATION_NAMES.get(activation, activation)


class ConfigError(ValueError):
    """A setting that is not allowed. `field` names the setting, `str()` says why.

    `field` is the setting's key, for code to act on. The text starts with the field as a
    person reads it: `shown_as` when given (e.g. "run 2 config" in the reader's language),
    else `field_label(field)`. The message is translated where it is created, so build
    the error in the thread of the person who will read it.
    """

    def __init__(self, field_name: str, message: str, shown_as: str | None = None) -> None:
        self.field = field_name
        shown = shown_as if shown_as is not None else field_label(field_name)
        super().__init__(_("{field}: {message}").format(field=shown, message=message))


def field_label(key: str) -> str:
    """A setting's key as a refusal shows it. English has always shown the key alone (it is
    what a link, a config file and the CLI spell); other languages add the setting's name
    beside it, e.g. "lr_d（判别器学习率）", so a reader knows which setting is meant."""
    name = setting_name(key)
    if name is None or current_language() == DEFAULT:
        return key
    if " " in key:  # a phrase ("run name"), not a key a person types: its translation will do
        return name
    return _("{key} ({name})").format(key=key, name=name)


QUOTE_LIMIT = 60  # characters of a value that a message shows; longer ones are cut


def quote_value(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value as a refusal quotes it: text in quotes, at most `limit` characters of it.

    Whatever a person sends (a 60,000-digit seed in a link, a megabyte in one CSV cell),
    the message stays short: a longer value is cut, with an ellipsis and its full length,
    e.g. `'1111111111…' (60,000 characters)`.
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        quoted = repr(value[:limit])  # escapes may lengthen it: keep `limit` characters
        return _("{start} ({count} characters)").format(
            start=f"{quoted[: limit + 1]}…{quoted[0]}", count=f"{len(value):,}"
        )
    try:
        text = f"{value}"
    except (ValueError, RecursionError):  # an int past 4,300 digits, or absurd nesting
        if isinstance(value, int):
            return _("a whole number too large to show")
        return _("a {kind} too large to show").format(kind=type(value).__name__)
    if len(text) <= limit:
        return text
    if isinstance(value, int):
        return _("{start} ({count} digits)").format(
            start=f"{text[:limit]}…", count=f"{len(text.lstrip('-')):,}"
        )
    return _("{start} ({count} characters)").format(
        start=f"{text[:limit]}…", count=f"{len(text):,}"
    )


def _number(
    field_name: str, value: object, low: float, high: float, *, low_open: bool = False
) -> float:
    """A finite float within [low, high] (or (low, high] when low_open)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ConfigError(field_name, _("{value} is not a number").format(value=quote_value(value)))
    try:
        value = float(value)
    except OverflowError:  # an integer beyond float range (JSON allows any length)
        raise ConfigError(
            field_name, _out_of_range(quote_value(value), f"[{low:g}, {high:g}]")
        ) from None
    if not math.isfinite(value):
        raise ConfigError(
            field_name,
            _("{value} is not allowed: it must be a finite number").format(value=value),
        )
    too_low = value <= low if low_open else value < low
    if too_low or value > high:
        bracket = "(" if low_open else "["
        raise ConfigError(field_name, _out_of_range(f"{value:g}", f"{bracket}{low:g}, {high:g}]"))
    return value


def _out_of_range(value: str, interval: str) -> str:
    """`value` is outside `interval`, written as in mathematics: "(0, 10]"."""
    return _("{value} is out of range: allowed {interval}").format(value=value, interval=interval)


def out_of_range_between(value: str, low: object, high: object) -> str:
    """`value` is outside the whole numbers `low` to `high` (each already written out)."""
    return _("{value} is out of range: allowed {low} to {high}").format(
        value=value, low=low, high=high
    )


def _integer(field_name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float)):
        raise ConfigError(field_name, not_whole_number(quote_value(value)))
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ConfigError(field_name, not_whole_number(f"{value}"))
    value = int(value)
    if not low <= value <= high:
        raise ConfigError(field_name, out_of_range_between(quote_value(value), low, high))
    return value


def not_whole_number(value: str) -> str:
    return _("{value} is not a whole number").format(value=value)


def _choice(field_name: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError(
            field_name,
            _("{value} is not one of {allowed}").format(
                value=quote_value(value), allowed=", ".join(allowed)
            ),
        )
    return value


def _layers(field_name: str, value: object) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ConfigError(
            field_name,
            _("{value} is not a list of layer widths").format(value=quote_value(value)),
        )
    widths = tuple(value)
    if len(widths) > MAX_LAYERS:
        raise ConfigError(
            field_name,
            _("{count} hidden layers: at most {limit} allowed").format(
                count=len(widths), limit=MAX_LAYERS
            ),
        )
    return tuple(_integer(f"{field_name}[{i}]", w, 1, MAX_WIDTH) for i, w in enumerate(widths))


def _holds_non_numbers(value: object) -> bool:
    """Nested lists holding anything but numbers. numpy would read "1" and true as 1.0,
    which would let a mistyped file through here while the same text is refused elsewhere."""
    stack: list[Any] = [value]  # Any: whether an item is a list is found out by trying
    while stack:  # a loop, not recursion: the nesting may be deep
        item = stack.pop()
        if isinstance(item, (str, bytes, bool, np.bool_)):
            return True
        if isinstance(item, np.ndarray):
            if item.dtype.kind not in "iuf":
                return True
        elif not isinstance(item, (int, float, np.integer, np.floating)):
            try:
                stack.extend(item)
            except TypeError:  # null, or another object that is not a list
                return True
    return False


def covariance_problem(cov: object) -> str | None:
    """Why `cov` is not a valid 2x2 covariance, or None if it is.

    Symmetric within a small relative tolerance and positive semi-definite; a singular
    (degenerate) covariance is allowed. The message gives the eigenvalues so a person
    can see how far off an indefinite matrix is.
    """
    not_a_matrix = _("{value} is not a 2x2 matrix of numbers")
    if _holds_non_numbers(cov):
        return not_a_matrix.format(value=quote_value(cov))
    try:
        matrix = np.array(cov, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return not_a_matrix.format(value=quote_value(cov))
    if matrix.shape != (2, 2):
        return _("must be a 2x2 matrix, got shape {shape}").format(shape=matrix.shape)
    if not np.all(np.isfinite(matrix)):
        return _("{value} contains a value that is not finite").format(value=matrix.tolist())
    if np.abs(matrix).max() > MAX_VARIANCE:
        return _("entries must be within ±{limit}, got {value}").format(
            limit=f"{MAX_VARIANCE:g}", value=matrix.tolist()
        )
    scale = max(np.abs(matrix).max(), 1e-300)
    if abs(matrix[0, 1] - matrix[1, 0]) > SYMMETRY_TOL * scale:
        return _(
            "{value} is not symmetric: the off-diagonal entries {upper} and {lower} differ"
        ).format(value=matrix.tolist(), upper=f"{matrix[0, 1]:g}", lower=f"{matrix[1, 0]:g}")
    eigenvalues = np.linalg.eigvalsh((matrix + matrix.T) / 2)
    if eigenvalues.min() < -PSD_TOL * scale:
        return _(
            "{value} is not positive semi-definite: its eigenvalues are {first} and {second} "
            "(both must be ≥ 0)"
        ).format(
            value=matrix.tolist(), first=f"{eigenvalues[0]:.4g}", second=f"{eigenvalues[1]:.4g}"
        )
    return None


@dataclass(frozen=True)
class Target:
    """What the generator must learn to imitate.

    gaussian: N(mean, cov). ring / grid: the 8- and 25-mode Gaussian mixtures used by
    VEEGAN and PacGAN (fixed geometry, see targets.py). points: the user's own x,y data.
    """

    kind: str = "gaussian"
    mean: tuple[float, float] = (1.0, 2.0)
    cov: tuple[tuple[float, float], tuple[float, float]] = ((1.01, 1.95), (1.95, 4.25))
    points: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        _choice("target.kind", self.kind, TARGET_KINDS)
        try:
            pair = None if isinstance(self.mean, (str, bytes)) else tuple(self.mean)
        except TypeError:  # a single number, null, ...
            pair = None
        if pair is None or len(pair) != 2:
            raise ConfigError(
                "target.mean",
                _("{value} must be two numbers (x, y)").format(value=quote_value(self.mean)),
            )
        mean = tuple(
            _number(f"target.mean[{i}]", v, -MAX_ABS_COORD, MAX_ABS_COORD)
            for i, v in enumerate(pair)
        )
        problem = covariance_problem(self.cov)
        if problem:
            raise ConfigError("target.cov", problem)
        matrix = np.array(self.cov, dtype=float)
        symmetric = (matrix + matrix.T) / 2
        cov = tuple(tuple(float(v) for v in row) for row in symmetric)
        points = self._validated_points()
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "cov", cov)
        object.__setattr__(self, "points", points)

    def _validated_points(self) -> tuple[tuple[float, float], ...]:
        if self.kind != "points":
            try:
                empty = len(self.points) == 0
            except TypeError:  # a number, null, ...: not an empty list either
                empty = False
            if not empty:
                raise ConfigError("target.points", _("only allowed when target.kind is 'points'"))
            return ()
        problem = ConfigError("target.points", _("must be a list of [x, y] number pairs"))
        if _holds_non_numbers(self.points):
            raise problem
        try:
            array = np.array(self.points, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise problem from None
        if array.ndim != 2 or array.shape[1] != 2:
            raise ConfigError(
                "target.points",
                _("must be a list of [x, y] pairs, got shape {shape}").format(shape=array.shape),
            )
        if not MIN_SAMPLES <= len(array) <= MAX_POINTS:
            raise ConfigError(
                "target.points",
                _("{count} points: allowed {low} to {high}").format(
                    count=len(array), low=MIN_SAMPLES, high=MAX_POINTS
                ),
            )
        if not np.all(np.isfinite(array)):
            bad = int(np.argwhere(~np.isfinite(array))[0][0])
            raise ConfigError(
                "target.points",
                _("row {row} holds a value that is not finite").format(row=bad),
            )
        if np.abs(array).max() > MAX_ABS_COORD:
            raise ConfigError(
                "target.points",
                _("coordinates must be within ±{limit}").format(limit=f"{MAX_ABS_COORD:g}"),
            )
        # Training runs in float32: storing exactly those values makes every round trip
        # (JSON, share link) reproduce the run bit for bit.
        array = array.astype(np.float32).astype(float)
        return tuple((float(x), float(y)) for x, y in array)


@dataclass(frozen=True)
class GanConfig:
    """Every setting of one training run. Defaults are the seed's `tutorial` setup."""

    target: Target = field(default_factory=Target)
    n_samples: int = 1000  # real samples drawn once per run (ignored for kind 'points')
    noise_dim: int = 2
    noise: str = "normal"  # normal N(0, I) or uniform U(-1, 1)
    g_hidden: tuple[int, ...] = ()  # empty: the seed's affine generator
    g_activation: str = "tanh"
    d_hidden: tuple[int, ...] = (5, 3)
    d_activation: str = "tanh"
    loss: str = "cross_entropy"
    optimizer: str = "adam"
    lr_d: float = 0.05
    lr_g: float = 0.01
    beta1: float = 0.9  # Adam's beta1; SGD's momentum
    beta2: float = 0.999
    batch_size: int = 4
    epochs: int = 10
    d_steps: int = 1  # discriminator updates per generator update
    ema: float = 0.0  # decay of the generator's exponential moving average; 0 = off
    init_std: float = 0.02  # weights ~ N(0, init_std); biases keep PyTorch's default
    gp_weight: float = 10.0  # gradient-penalty weight, used by wasserstein_gp only
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.target, Target):
            raise ConfigError(
                "target", _("{value} is not a target").format(value=quote_value(self.target))
            )
        checks = {
            "n_samples": lambda v: _integer("n_samples", v, MIN_SAMPLES, MAX_SAMPLES),
            "noise_dim": lambda v: _integer("noise_dim", v, 1, MAX_NOISE_DIM),
            "noise": lambda v: _choice("noise", v, NOISE_KINDS),
            "g_hidden": lambda v: _layers("g_hidden", v),
            "g_activation": lambda v: _choice("g_activation", v, ACTIVATIONS),
            "d_hidden": lambda v: _layers("d_hidden", v),
            "d_activation": lambda v: _choice("d_activation", v, ACTIVATIONS),
            "loss": lambda v: _choice("loss", v, LOSSES),
            "optimizer": lambda v: _choice("optimizer", v, OPTIMIZERS),
            "lr_d": lambda v: _number("lr_d", v, 0.0, MAX_LR, low_open=True),
            "lr_g": lambda v: _number("lr_g", v, 0.0, MAX_LR, low_open=True),
            "beta1": lambda v: _number("beta1", v, 0.0, 0.999),
            "beta2": lambda v: _number("beta2", v, 0.0, 0.99999),
            "batch_size": lambda v: _integer("batch_size", v, 1, MAX_BATCH),
            "epochs": lambda v: _integer("epochs", v, 1, MAX_EPOCHS),
            "d_steps": lambda v: _integer("d_steps", v, 1, MAX_D_STEPS),
            "ema": lambda v: _number("ema", v, 0.0, 0.9999),
            "init_std": lambda v: _number("init_std", v, 0.0, 1.0, low_open=True),
            "gp_weight": lambda v: _number("gp_weight", v, 0.0, MAX_GP_WEIGHT),
            "seed": lambda v: _integer("seed", v, 0, MAX_SEED),
        }
        for name, check in checks.items():
            object.__setattr__(self, name, check(getattr(self, name)))
        if self.batch_size > self.data_size:
            raise ConfigError(
                "batch_size",
                _(
                    "{value} is larger than the data ({size} real samples): allowed 1 to {size}"
                ).format(value=self.batch_size, size=self.data_size),
            )
        if self.total_steps > MAX_TOTAL_STEPS:
            raise ConfigError(
                "epochs",
                _(
                    "{epochs} epochs make {steps} steps: at most {limit} steps allowed "
                    "({fitting} epochs at this batch size)"
                ).format(
                    epochs=self.epochs,
                    steps=f"{self.total_steps:,}",
                    limit=f"{MAX_TOTAL_STEPS:,}",
                    fitting=f"{MAX_TOTAL_STEPS // self.steps_per_epoch:,}",
                ),
            )

    # Derived quantities: never stored, so they can never disagree with the settings.
    @property
    def data_size(self) -> int:
        return len(self.target.points) if self.target.kind == "points" else self.n_samples

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(self.data_size / self.batch_size)

    @property
    def total_steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    @property
    def generator_is_affine(self) -> bool:
        return not self.g_hidden

    @property
    def has_exact_metrics(self) -> bool:
        """G's output law is known in closed form: affine G of Gaussian noise, Gaussian target."""
        return (
            self.generator_is_affine and self.noise == "normal" and self.target.kind == "gaussian"
        )

    def replace(self, **changes: Any) -> GanConfig:
        """A copy with some settings changed (validated again). `target_*` keys edit the target."""
        target_changes = {
            k[len("target_") :]: changes.pop(k) for k in list(changes) if k.startswith("target_")
        }
        if target_changes:
            changes["target"] = dataclasses.replace(self.target, **target_changes)
        return dataclasses.replace(self, **changes)
