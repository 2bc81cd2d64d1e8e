"""Sweep axes: which settings a sweep may vary, and reading their values from text.

An axis is a setting and the values it takes. Values are written as a comma-separated list
(`0.01,0.02,0.05`) or as an evenly spaced range, `logspace:FROM:TO:COUNT` (learning rates:
evenly spaced in decades) or `linspace:FROM:TO:COUNT` (betas, EMA decay), both ends included.
Range values are rounded to 4 significant digits, which is all a hyperparameter needs and
keeps labels, CSV files and links readable; whole-number settings are rounded to integers,
and a range that then repeats a value keeps it once. A list that repeats a value is refused
(two cells would share one label).

Every error is a `ConfigError` whose field is the axis' key. Whether a value is allowed for
the setting (range, batch size vs data size) is the config's own check, made when the
sweep's cells are built (see `sweep_plan.py`).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np

from gan_core.config import ConfigError, not_whole_number, quote_value
from gan_core.i18n import _

# The settings a sweep can vary, with the type of their values. batch_size and d_steps
# change the shape of the computation, so each of their values trains in a stack of its own.
AXIS_TYPES: dict[str, type] = {
    "lr_d": float,
    "lr_g": float,
    "beta1": float,
    "ema": float,
    "d_steps": int,
    "batch_size": int,
    "seed": int,
}
AXIS_KEYS = tuple(AXIS_TYPES)
MAX_AXES = 2
MAX_AXIS_VALUES = 1024  # no single axis can exceed the sweep's run cap anyway
RANGE_KINDS = ("logspace", "linspace")


@dataclass(frozen=True)
class Axis:
    key: str
    values: tuple

    def __post_init__(self) -> None:
        if self.key not in AXIS_TYPES:
            raise ConfigError("axis", _cannot_be_swept(self.key))
        values = tuple(_coerce(self.key, v) for v in self.values)
        if not values:
            raise ConfigError(self.key, _("the axis has no values"))
        if len(values) > MAX_AXIS_VALUES:
            raise ConfigError(
                self.key,
                _("{count} values: at most {limit}").format(
                    count=len(values), limit=MAX_AXIS_VALUES
                ),
            )
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ConfigError(
                self.key,
                _("the value {value} appears more than once").format(value=f"{repeated[0]:g}"),
            )
        object.__setattr__(self, "values", values)

    def spec(self) -> str:
        """The axis as `KEY=V1,V2,...` text, which `parse_axis` reads back."""
        return f"{self.key}=" + ",".join(repr(v) for v in self.values)


def _keys() -> str:
    return ", ".join(AXIS_KEYS)


def _cannot_be_swept(key: str) -> str:
    return _("{value} cannot be swept: choose from {allowed}").format(
        value=quote_value(key), allowed=_keys()
    )


def _not_a_number(value: object) -> str:
    return _("{value} is not a number").format(value=value)


def _coerce(key: str, value: object) -> int | float:
    """A value of the axis' type, or a ConfigError naming the axis."""
    kind = AXIS_TYPES[key]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ConfigError(key, _not_a_number(quote_value(value)))
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(key, _("{value} is not a finite number").format(value=value))
    if kind is int:
        if not value.is_integer():
            raise ConfigError(key, not_whole_number(f"{value:g}"))
        return int(value)
    return value


def _number(key: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ConfigError(key, _not_a_number(quote_value(text.strip()))) from None


def range_values(key: str, kind: str, start: float, stop: float, count: int) -> tuple:
    """COUNT values from START to STOP (both included), spaced evenly in log or linear scale."""
    if kind not in RANGE_KINDS:
        raise ConfigError(
            key,
            _("{value} is not a range: use {first} or {second}").format(
                value=quote_value(kind), first=RANGE_KINDS[0], second=RANGE_KINDS[1]
            ),
        )
    if not 1 <= count <= MAX_AXIS_VALUES:
        raise ConfigError(
            key,
            _("a range of {count} values: allowed 1 to {limit}").format(
                count=count, limit=MAX_AXIS_VALUES
            ),
        )
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise ConfigError(key, _("range ends must be finite numbers"))
    if kind == "logspace" and (start <= 0 or stop <= 0):
        raise ConfigError(
            key,
            _("logspace needs positive ends, got {start} and {stop}").format(
                start=f"{start:g}", stop=f"{stop:g}"
            ),
        )
    with np.errstate(all="ignore"):  # an overflow is refused below, not printed as a warning
        raw = (np.geomspace if kind == "logspace" else np.linspace)(start, stop, count)
    if not np.isfinite(raw).all():  # e.g. linspace from -1e308 to 1e308: the step overflows
        raise ConfigError(
            key,
            _(
                "the range {range} overflows (its span is beyond the largest number, "
                "{largest}): choose closer ends"
            ).format(
                range=f"{kind}:{start:g}:{stop:g}:{count}", largest=f"{sys.float_info.max:.2g}"
            ),
        )
    rounded: list[int | float]
    if AXIS_TYPES[key] is int:
        rounded = [int(round(v)) for v in raw]
    else:
        rounded = [float(f"{v:.4g}") for v in raw]
    return tuple(dict.fromkeys(rounded))  # drop repeats that rounding made, keep the order


def parse_values(key: str, text: str) -> tuple:
    """Values for axis `key` from a list (`a,b,c`) or a range (`logspace:from:to:count`)."""
    if key not in AXIS_TYPES:
        raise ConfigError("axis", _cannot_be_swept(key))
    text = text.strip()
    if not text:
        raise ConfigError(key, _("no values given"))
    head = text.split(":", 1)[0].strip().lower()
    if ":" in text:
        parts = [p.strip() for p in text.split(":")]
        if head not in RANGE_KINDS or len(parts) != 4:
            raise ConfigError(
                key,
                _("{value} is not a range: write logspace:FROM:TO:COUNT or linspace:...").format(
                    value=quote_value(text)
                ),
            )
        start, stop, count = (_number(key, p) for p in parts[1:])
        if not count.is_integer():
            raise ConfigError(
                key,
                _("the count {value} is not a whole number").format(value=quote_value(parts[3])),
            )
        return Axis(key, range_values(key, head, start, stop, int(count))).values
    items = [p.strip() for p in text.split(",")]
    if any(not p for p in items):
        raise ConfigError(
            key, _("{value} has an empty value between commas").format(value=quote_value(text))
        )
    return Axis(key, tuple(_number(key, p) for p in items)).values


def parse_axis(spec: str) -> Axis:
    """An axis from `KEY=VALUES` text, e.g. `lr_d=logspace:1e-4:1e-1:8` or `seed=0,1,2`."""
    key, sep, values = spec.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(
            "axis",
            _("{value} must look like KEY=V1,V2,... (keys: {allowed})").format(
                value=quote_value(spec), allowed=_keys()
            ),
        )
    return Axis(key, parse_values(key, values))
