"""Save and load a run: config, weights, optimiser state, random state and history.

The file is a `torch.save` of plain tensors, numbers and strings, and loading uses
`torch.load(weights_only=True)`, which refuses anything else: a crafted file cannot make
the loader build arbitrary objects or run code.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from gan_core.config import ConfigError, out_of_range_between, quote_value
from gan_core.i18n import _
from gan_core.serialize import from_json, to_json
from gan_core.training.history import COLUMNS as HISTORY_COLUMNS
from gan_core.training.history import LOGGED_COLUMNS, History
from gan_core.training.trainer import Trainer
from gan_core.user_files import read_user_file, write_user_files

FORMAT = "ganscope-checkpoint"
VERSION = 1
MAX_CHECKPOINT_BYTES = 50_000_000
# How a torch.save file starts: its zip archive, or (the older plain format) a pickle.
_TORCH_FILE_STARTS = (b"PK\x03\x04", b"\x80")
# The log's row cap: 4,000 by default; 100,000 rows of nine float64 columns are 7 MB,
# within the file cap. (History needs at least 4 rows to thin its older half.)
MIN_HISTORY_CAP, MAX_HISTORY_CAP = 4, 100_000
# Engine counters (data cursor, optimiser steps): far beyond any run (5,000,000 steps at
# most, a few optimiser steps each), small enough for every use as an index or exponent.
MAX_COUNTER = 2**31 - 1


def checkpoint_state(trainer: Trainer) -> dict:
    history = trainer.history.to_columns()
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": to_json(trainer.config),
        "step": trainer.step_count,
        # A D or G update made alone, waiting for its partner to make a whole step: without
        # it, a run resumed after a lone update would count its steps differently.
        "lone_updates": trainer.lone_updates,
        "losses": [trainer.loss_d, trainer.loss_g],
        "sums": [float(v) for v in trainer.interval_sums],
        "log_every": trainer.log_every,
        "engine": trainer.engine.state(),
        "log_rng": trainer.log_rng.get_state(),
        "view_rng": trainer.view_rng.get_state(),
        "history": {
            name: torch.tensor(values, dtype=torch.float64) for name, values in history.items()
        },
        "history_cap": trainer.history.cap,
    }


def checkpoint_bytes(trainer: Trainer) -> bytes:
    buffer = io.BytesIO()
    torch.save(checkpoint_state(trainer), buffer)
    return buffer.getvalue()


def save_checkpoint(trainer: Trainer, path: str | os.PathLike[str]) -> None:
    """Write the checkpoint to `path`, never through a symbolic link there."""
    target = Path(path)
    write_user_files(target.parent, {target.name: checkpoint_bytes(trainer)}, field="checkpoint")


def load_checkpoint(source: bytes | str | os.PathLike[str]) -> Trainer:
    """A trainer restored from bytes, a path or a binary file; it continues the run exactly.

    Anything that is not a checkpoint of ours raises ConfigError with a plain message. The
    size is bounded before anything is read, the archive before torch reads it, and every
    tensor and number before any of them is used: a small file must not be able to make
    the loader allocate gigabytes.
    """
    state = _loaded_state(_checkpoint_data(source))
    for where, tensor in _tensors(state):  # before anything reads a single element
        _check_tensor_layout(tensor, where)
    history_cap = _whole_number(
        state.get("history_cap"), "history_cap", MIN_HISTORY_CAP, MAX_HISTORY_CAP
    )
    try:
        config = from_json(state["config"])
        log_every = _whole_number(
            state.get("log_every"), "log_every", 1, max(1, config.total_steps)
        )
        step = _whole_number(state.get("step"), "step", 0, config.total_steps)
        trainer = Trainer(config, history_cap=history_cap, log_every=log_every)
        _check_engine_state(state["engine"], trainer.engine.state())
        trainer.engine.load_state(state["engine"])
        for name, generator in (("log_rng", trainer.log_rng), ("view_rng", trainer.view_rng)):
            _check_like(state[name], generator.get_state(), name)
            generator.set_state(state[name])
        trainer.step_count = step
        trainer.lone_updates = _lone_updates(state.get("lone_updates", ""))
        trainer.loss_d, trainer.loss_g = _numbers(state["losses"], "losses", 2)
        trainer.interval_sums = _numbers(state["sums"], "sums", len(trainer.interval_sums))
        trainer.history = History.from_columns(
            _history_columns(state["history"], history_cap), cap=history_cap
        )
    except (
        KeyError,
        IndexError,
        TypeError,
        ValueError,
        OverflowError,  # a number too large for a tensor or a float
        RuntimeError,
        AttributeError,
    ) as error:
        if isinstance(error, ConfigError) and error.field == "checkpoint":
            raise  # already says what is wrong with which field
        raise ConfigError(
            "checkpoint",
            _("damaged or incompatible ({kind}: {reason})").format(
                kind=type(error).__name__, reason=_first_line(error)
            ),
        ) from None
    return trainer


def _checkpoint_data(source: bytes | str | os.PathLike[str]) -> bytes:
    """The file's bytes, never more than the cap (plus one byte, to know it is over)."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(MAX_CHECKPOINT_BYTES + 1)
    else:
        data = read_user_file(source, field="checkpoint", limit=MAX_CHECKPOINT_BYTES)
    if len(data) > MAX_CHECKPOINT_BYTES:  # a stream is read no further than one byte past
        exact = isinstance(source, (bytes, bytearray))
        limit = f"{MAX_CHECKPOINT_BYTES:,}"
        if exact:
            message = _("file is {size} bytes: at most {limit} allowed")
        else:
            message = _("file is more than {size} bytes: at most {limit} allowed")
        size = f"{len(data):,}" if exact else limit
        raise ConfigError("checkpoint", message.format(size=size, limit=limit))
    return data


def _loaded_state(data: bytes) -> dict:
    """torch.load with weights_only: plain tensors, numbers and text; then our format."""
    _check_archive(data)
    if data and not data.startswith(_TORCH_FILE_STARTS):
        # A text file, an image, ...: torch would fail with some unpickler's complaint.
        raise ConfigError(
            "checkpoint",
            _("not a GANscope checkpoint (not a file saved by torch at all)"),
        )
    try:
        state = torch.load(io.BytesIO(data), weights_only=True)
    except Exception as error:  # weights_only ran no code: any failure just means "not ours"
        if str(error).startswith("Weights only load failed"):
            # torch's own text goes on to advise loading it unsafely: not advice for our users.
            raise ConfigError(
                "checkpoint",
                _(
                    "unsafe: it holds objects other than tensors, numbers and text, which could "
                    "run code, so it was not loaded"
                ),
            ) from None
        raise ConfigError(
            "checkpoint",
            _("not a GANscope checkpoint, or unsafe ({reason})").format(reason=_first_line(error)),
        ) from None
    # Plain values only before comparing: a tensor here would make `!=` elementwise.
    if not isinstance(state, dict) or not isinstance(state.get("format"), str):
        raise ConfigError("checkpoint", _("not a GANscope checkpoint"))
    if state["format"] != FORMAT:
        raise ConfigError("checkpoint", _("not a GANscope checkpoint"))
    version = state.get("version")
    if type(version) is not int or version != VERSION:
        raise ConfigError(
            "checkpoint",
            _("version {version} is not supported").format(version=_first_line(repr(version))),
        )
    return state


def _check_archive(data: bytes) -> None:
    """torch.save writes its zip archive uncompressed: a compressed part could inflate to
    a thousand times its size when torch reads it, so it is refused unopened."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return  # not a zip archive: torch.load refuses it, or reads its older plain format
    if any(part.compress_type != zipfile.ZIP_STORED for part in parts):
        raise ConfigError("checkpoint", _("not a GANscope checkpoint (its parts are compressed)"))
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_CHECKPOINT_BYTES:
        raise ConfigError(
            "checkpoint",
            _("its parts hold {size} bytes: at most {limit} allowed").format(
                size=f"{unpacked:,}", limit=f"{MAX_CHECKPOINT_BYTES:,}"
            ),
        )


def _tensors(state: object) -> Iterator[tuple[str, torch.Tensor]]:
    """Every tensor in the loaded state, with where it is; walked without recursion."""
    pending: list[tuple[str, object]] = [("", state)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, torch.Tensor):
            yield where or "checkpoint", value
        elif isinstance(value, dict):
            pending.extend(
                (f"{where}.{key}" if where else str(key), item) for key, item in value.items()
            )
        elif isinstance(value, (list, tuple)):
            pending.extend((f"{where}[{index}]", item) for index, item in enumerate(value))


def _check_tensor_layout(tensor: torch.Tensor, where: str) -> None:
    """A plain tensor that holds each of its elements once, in storage it really has.

    torch.load rebuilds a tensor from its storage, shape and strides as saved. A stride of
    0 (what `expand` makes) repeats one stored element any number of times: a 38 KB file
    can describe billions of elements, which the first copy, sum or `tolist` would then
    materialise. Checked from the shape and strides alone, so nothing is materialised.
    """
    shown = _short(where)
    if tensor.layout is not torch.strided or tensor.is_quantized:
        raise ConfigError(
            "checkpoint", _("{where} is not a plain dense tensor").format(where=shown)
        )
    shape, strides = tuple(tensor.shape), tuple(tensor.stride())
    reach = 0  # the furthest offset, in elements, that the dimensions so far can address
    for stride, size in sorted((st, si) for si, st in zip(shape, strides) if si > 1):
        if stride <= reach:
            raise ConfigError(
                "checkpoint",
                _(
                    "{where} repeats its elements (shape {shape}, strides {strides}): "
                    "a saved tensor must hold each element once"
                ).format(where=shown, shape=_short(shape), strides=_short(strides)),
            )
        reach += (size - 1) * stride
    needed = (tensor.storage_offset() + reach + 1) * tensor.element_size()
    if tensor.numel() and tensor.untyped_storage().nbytes() < needed:
        raise ConfigError(
            "checkpoint", _("{where} reaches past the end of its storage").format(where=shown)
        )


def _whole_number(value: object, name: str, low: int, high: int) -> int:
    if type(value) is not int:
        raise ConfigError(
            "checkpoint",
            _("{key}: {value} is not a whole number").format(key=name, value=_shown(value)),
        )
    if not low <= value <= high:
        raise ConfigError(
            "checkpoint",
            _("{key}: {problem}").format(
                key=name,
                problem=out_of_range_between(quote_value(value), f"{low:,}", f"{high:,}"),
            ),
        )
    return value


def _lone_updates(value: object) -> str:
    """Updates waiting for a partner: only D's or only G's (a D and a G make a step).

    Older checkpoints lack the field: none were pending, or they were not saved."""
    if not isinstance(value, str) or set(value) - {"D", "G"} or {"D", "G"} <= set(value):
        raise ConfigError(
            "checkpoint",
            _("lone_updates: {value} must be text of only D's or only G's").format(
                value=_shown(value)
            ),
        )
    if len(value) > MAX_COUNTER:
        raise ConfigError(
            "checkpoint",
            _("lone_updates: {count} is too many").format(count=f"{len(value):,}"),
        )
    return value


def _numbers(values: object, name: str, count: int) -> list[float]:
    if not isinstance(values, (list, tuple)) or len(values) != count:
        raise ConfigError(
            "checkpoint",
            _("{key}: {value} must be a list of {count} numbers").format(
                key=name, value=_shown(values), count=count
            ),
        )
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in values):
        raise ConfigError(
            "checkpoint",
            _("{key}: {value} holds something other than numbers").format(
                key=name, value=_shown(values)
            ),
        )
    return [float(v) for v in values]


def _history_columns(history: object, cap: int) -> dict[str, list[float]]:
    """The log's columns: one float64 vector each, all as long, at most `cap` rows."""
    # The extra columns came later: a checkpoint saved before them lacks them.
    if (
        not isinstance(history, dict)
        or not set(HISTORY_COLUMNS) <= set(history)
        or not set(history) <= set(LOGGED_COLUMNS)
    ):
        raise ConfigError(
            "checkpoint",
            _("history must hold the columns {required} (and may hold {optional})").format(
                required=", ".join(HISTORY_COLUMNS),
                optional=", ".join(c for c in LOGGED_COLUMNS if c not in HISTORY_COLUMNS),
            ),
        )
    present = [name for name in LOGGED_COLUMNS if name in history]
    lengths = set()
    for name in present:
        column = history[name]
        if (
            not isinstance(column, torch.Tensor)
            or column.dtype != torch.float64
            or column.dim() != 1
        ):
            raise ConfigError(
                "checkpoint", _("history.{column} must be a float64 vector").format(column=name)
            )
        lengths.add(column.numel())
    if len(lengths) != 1:
        raise ConfigError("checkpoint", _("history: columns have different lengths"))
    (rows,) = lengths
    if rows > cap:
        raise ConfigError(
            "checkpoint",
            _("history: {rows} rows: at most history_cap ({cap}) allowed").format(
                rows=f"{rows:,}", cap=f"{cap:,}"
            ),
        )
    return {name: history[name].tolist() for name in present}


def _shown(value: object) -> str:
    """A loaded value as a message quotes it; a tensor by its kind, never its elements."""
    if isinstance(value, torch.Tensor):
        return _("a {shape} tensor").format(shape=_short(tuple(value.shape)))
    if isinstance(value, (list, tuple, dict)):
        return _("a {kind} of {count}").format(kind=type(value).__name__, count=f"{len(value):,}")
    return quote_value(value)


def _short(value: object) -> str:
    return quote_value(value if isinstance(value, str) else f"{value}", 80).strip("'")


def _check_engine_state(given: Any, fresh: dict) -> None:
    """The saved engine state has the keys, dtypes and shapes this config gives a new engine.

    The engine copies tensors in without checking: a wrong shape would broadcast silently
    or fail only at the next training step.
    """
    _check_like(given, fresh, "engine")
    order, (runs, n) = given["order"], fresh["data"].shape[:2]
    # Empty before the first batch, then indices into the data.
    if order.shape not in ((runs, 0), (runs, n)) or (
        order.numel() and (order.min() < 0 or order.max() >= n)
    ):
        raise ValueError("engine.order is not a batch order of the data")


def _check_like(given: object, fresh: object, where: str) -> None:
    if isinstance(fresh, dict):
        if not isinstance(given, dict) or set(given) != set(fresh):
            raise ValueError(f"{where} must hold {', '.join(sorted(fresh))}")
        for key in fresh:
            _check_like(given[key], fresh[key], f"{where}.{key}")
    elif isinstance(fresh, torch.Tensor):
        if not isinstance(given, torch.Tensor) or given.dtype != fresh.dtype:
            raise ValueError(f"{where} must be a {fresh.dtype} tensor")
        if given.shape != fresh.shape and where != "engine.order":  # order: see _check_engine_state
            raise ValueError(
                f"{where} has shape {tuple(given.shape)}: {tuple(fresh.shape)} expected"
            )
    else:  # counters: the cursor, optimiser steps
        _whole_number(given, where, 0, MAX_COUNTER)


def _first_line(error: BaseException | str) -> str:
    """A message fit for one line: the first line of a (possibly long) error text."""
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__
