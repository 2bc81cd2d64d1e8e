"""`GanConfig` to and from JSON (files, CLI) and flat URL query parameters (share links).

Both forms carry a version number and refuse unknown keys, so a typo never silently
falls back to a default. Every failure is a `ConfigError` naming the field.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from gan_core.config import (
    CONFIG_VERSION,
    MAX_POINTS,
    QUOTE_LIMIT,
    ConfigError,
    GanConfig,
    Target,
    quote_value,
)
from gan_core.i18n import _, use_language

MAX_JSON_BYTES = 2_000_000  # a config file with the largest allowed point set fits well within
MAX_LINK_POINTS_CHARS = 6000  # keep share links short enough for every browser and proxy
MAX_DEPTH = 8  # a config nests 4 deep (points); deeper data would only exhaust the stack

# The speeds a link may carry (steps per second, or "max": as fast as the machine goes).
# Not a setting of the run: the pace the live view shows it at, shared with the setup.
SPEEDS = ("1", "2", "5", "10", "20", "50", "100", "200", "500", "1000", "max")
SPEED_KEY = "speed"

_RUN_FIELDS = [f.name for f in dataclasses.fields(GanConfig) if f.name != "target"]
_TARGET_FIELDS = [f.name for f in dataclasses.fields(Target)]
_LAYER_FIELDS = ("g_hidden", "d_hidden")


# ---------------------------------------------------------------- JSON / plain dict


def to_dict(config: GanConfig) -> dict[str, Any]:
    """Plain JSON-ready data. The target's points appear only for a `points` target."""
    target: dict[str, Any] = {
        "kind": config.target.kind,
        "mean": list(config.target.mean),
        "cov": [list(row) for row in config.target.cov],
    }
    if config.target.kind == "points":
        target["points"] = [list(p) for p in config.target.points]
    data: dict[str, Any] = {"version": CONFIG_VERSION, "target": target}
    for name in _RUN_FIELDS:
        value = getattr(config, name)
        data[name] = list(value) if name in _LAYER_FIELDS else value
    return data


def from_dict(data: object) -> GanConfig:
    if not isinstance(data, Mapping):
        raise ConfigError(
            "config", _("must be a JSON object, got {kind}").format(kind=type(data).__name__)
        )
    if _depth(data) > MAX_DEPTH:
        raise ConfigError(
            "config", _("nested more than {depth} levels deep").format(depth=MAX_DEPTH)
        )
    data = dict(data)
    version = data.pop("version", CONFIG_VERSION)
    if version != CONFIG_VERSION:
        raise ConfigError("version", _unsupported_version(version))
    unknown = sorted(set(data) - set(_RUN_FIELDS) - {"target"})
    if unknown:
        raise _unknown_setting(unknown[0], ["target", *_RUN_FIELDS])
    target_data = data.pop("target", {})
    if not isinstance(target_data, Mapping):
        raise ConfigError("target", _("must be an object with kind, mean, cov (and points)"))
    unknown = sorted(set(target_data) - set(_TARGET_FIELDS))
    if unknown:
        raise _unknown_setting(unknown[0], _TARGET_FIELDS, prefix="target.")
    for name in _LAYER_FIELDS:
        if name in data and not isinstance(data[name], list):
            raise ConfigError(
                name,
                _("{value} must be a list of layer widths").format(value=quote_value(data[name])),
            )
    target = Target(**{k: _as_tuple(v) for k, v in target_data.items()})
    return GanConfig(target=target, **{k: _as_tuple(v) for k, v in data.items()})


def _unsupported_version(version: object) -> str:
    return _("{value} is not supported: this version reads {version}").format(
        value=quote_value(version), version=CONFIG_VERSION
    )


def _unknown_setting(name: str, allowed: Iterable[str], prefix: str = "") -> ConfigError:
    """The refusal of an unknown key. Its field is the key as English quotes it, whatever
    the reader's language (code compares fields); the text shows it in the reader's."""
    with use_language("en"):
        field_name = prefix + _key(name)
    return ConfigError(
        field_name,
        _("unknown setting (allowed: {allowed})").format(allowed=", ".join(allowed)),
        shown_as=prefix + _key(name),
    )


def _key(name: str) -> str:
    """An unknown key as a message names it: odd ones ('', spaces, line breaks) quoted,
    long ones cut short."""
    return name if name.isidentifier() and len(name) <= QUOTE_LIMIT else quote_value(name)


def _depth(data: object) -> int:
    """How deep lists and objects nest, found without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            item = list(item.values())
        if isinstance(item, (list, tuple)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def _as_tuple(value: Any) -> Any:
    """JSON lists become tuples (frozen config); everything else passes through for validation.

    Any in and out: this is raw JSON, and the config's own validation judges it."""
    if isinstance(value, list):
        return tuple(_as_tuple(v) for v in value)
    return value


def to_json(config: GanConfig) -> str:
    return json.dumps(to_dict(config), indent=2)


def from_json(text: str | bytes) -> GanConfig:
    if len(text) > MAX_JSON_BYTES:
        raise ConfigError(
            "config",
            _("file is {size} bytes: at most {limit} allowed").format(
                size=f"{len(text):,}", limit=f"{MAX_JSON_BYTES:,}"
            ),
        )
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConfigError("config", _("not valid JSON ({reason})").format(reason=error)) from None
    except RecursionError:
        raise ConfigError("config", _("not valid JSON (nested too deeply)")) from None
    except ValueError:  # an integer literal past Python's 4,300-digit conversion limit
        raise ConfigError("config", _("not valid JSON (a number has too many digits)")) from None
    return from_dict(data)


# ---------------------------------------------------------------- URL query


def to_query(config: GanConfig) -> dict[str, str]:
    """Flat string parameters; every setting, the seed included, so a link reproduces a run."""
    query = {
        "v": str(CONFIG_VERSION),
        "target": config.target.kind,
        "mean": _join(config.target.mean),
        "cov": _join(np.ravel(config.target.cov)),
    }
    if config.target.kind == "points":
        query["points"] = _encode_points(config.target.points)
    for name in _RUN_FIELDS:
        value = getattr(config, name)
        query[name] = _join(value) if name in _LAYER_FIELDS else _scalar(value)
    return query


def split_speed(
    params: Mapping[str, str | list[str]],
) -> tuple[str | None, dict[str, str | list[str]]]:
    """(the link's speed or None, the other parameters). A speed not in `SPEEDS` is
    refused with a `ConfigError` naming it; the other parameters are `from_query`'s."""
    rest = {k: v for k, v in params.items() if k != SPEED_KEY}
    if SPEED_KEY not in params:
        return None, rest
    value = params[SPEED_KEY]
    speed = (value[-1] if value else "") if isinstance(value, list) else value
    if speed not in SPEEDS:
        raise ConfigError(
            SPEED_KEY,
            _("{value} is not a speed (steps per second): choose from {allowed}").format(
                value=quote_value(speed), allowed=", ".join(SPEEDS)
            ),
        )
    return speed, rest


def from_query(params: Mapping[str, str | list[str]]) -> GanConfig:
    """Inverse of `to_query`. Missing keys keep their defaults; unknown keys are refused.

    A key given more than once (a list of values) counts with its last value."""
    flat = {k: ((v[-1] if v else "") if isinstance(v, list) else v) for k, v in params.items()}
    version = flat.pop("v", str(CONFIG_VERSION))
    if version != str(CONFIG_VERSION):
        raise ConfigError("v", _unsupported_version(version))
    target_keys = {"target": "kind", "mean": "mean", "cov": "cov", "points": "points"}
    unknown = sorted(set(flat) - set(target_keys) - set(_RUN_FIELDS))
    if unknown:
        raise _unknown_setting(unknown[0], [*target_keys, *_RUN_FIELDS])
    target: dict[str, Any] = {}
    if "target" in flat:
        target["kind"] = flat["target"]
    if "mean" in flat:
        target["mean"] = tuple(_floats("mean", flat["mean"], 2))
    if "cov" in flat:
        a, b, c, d = _floats("cov", flat["cov"], 4)
        target["cov"] = ((a, b), (c, d))
    if "points" in flat:
        target["points"] = _decode_points(flat["points"])
    defaults = GanConfig()
    run: dict[str, Any] = {}
    for name in _RUN_FIELDS:
        if name in flat:
            run[name] = _parse_like(name, flat[name], getattr(defaults, name))
    return GanConfig(target=Target(**target), **run)


def _scalar(value: object) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _join(values: Iterable[float]) -> str:
    return ",".join(_scalar(float(v) if not isinstance(v, int) else v) for v in values)


def _floats(name: str, text: str, count: int) -> list[float]:
    parts = text.split(",")
    problem = _("{value} must be {count} comma-separated numbers").format(
        value=quote_value(text), count=count
    )
    if len(parts) != count:
        raise ConfigError(name, problem)
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise ConfigError(name, problem) from None
    return [_finite_or_named(name, text, number) for number in numbers]


def _finite_or_named(name: str, text: str, number: float) -> float:
    """`number`, unless a number written out in full overflowed to infinity: then the
    refusal quotes what was typed (validation would otherwise name an `inf` nobody wrote).
    `inf` and `nan` spelt as such pass through for validation to refuse by their names."""
    if np.isinf(number) and "inf" not in text.lower():
        raise ConfigError(
            name,
            _("{value} is too large a number: it must be finite").format(value=quote_value(text)),
        )
    return number


def _parse_like(name: str, text: str, default: object) -> tuple[int, ...] | int | float | str:
    """Parse a link value with the type of the setting's default; validation does the rest."""
    try:
        if isinstance(default, tuple):
            return tuple(int(p) for p in text.split(",") if p.strip())
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            number = float(text)
    except ValueError:
        # English names the Python type, as it always has; the name is translated with it.
        if isinstance(default, tuple):
            kind = _("comma-separated whole numbers")
        elif isinstance(default, int):
            kind = _("int")
        else:
            kind = _("float")
        raise ConfigError(
            name,
            _("{value} is not a valid value ({kind} expected)").format(
                value=quote_value(text), kind=kind
            ),
        ) from None
    if isinstance(default, float):
        return _finite_or_named(name, text, number)
    return text


def _encode_points(points: Sequence[tuple[float, float]]) -> str:
    raw = np.asarray(points, dtype="<f4").tobytes()
    text = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii")
    if len(text) > MAX_LINK_POINTS_CHARS:
        raise ConfigError(
            "target.points",
            _("{count} points are too many for a link; share the config file instead").format(
                count=f"{len(points):,}"
            ),
        )
    return text


def _decode_points(text: str) -> tuple[tuple[float, float], ...]:
    limit = MAX_POINTS * 8  # two float32 per point: refuse anything that inflates further
    damaged = ConfigError("points", _("the link's point data is damaged"))
    try:
        # validate=True: a lenient decoder drops characters outside base64 and would read
        # `points=!!` as no data at all, so garbage would pass as an empty point set.
        packed = base64.b64decode(text.encode("ascii"), altchars=b"-_", validate=True)
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, limit + 1)
    except (binascii.Error, zlib.error, UnicodeEncodeError, ValueError):
        raise damaged from None
    if len(raw) > limit or len(raw) % 8:
        raise ConfigError("points", _("the link's point data is damaged or too large"))
    if not inflater.eof:  # no data, or a link cut short inside its compressed points
        raise damaged
    array = np.frombuffer(raw, dtype="<f4").reshape(-1, 2).astype(float)
    return tuple((float(x), float(y)) for x, y in array)
