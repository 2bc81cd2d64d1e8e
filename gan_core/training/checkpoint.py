"""Save and load a run: config, weights, optimiser state, random state and history.

The file is a `torch.save` of plain tensors, numbers and strings, and loading uses
`torch.load(weights_only=True)`, which refuses anything else: a crafted file cannot make
the loader build arbitrary objects or run code.
"""

from __future__ import annotations

import io
import os
from typing import Any

import torch

from gan_core.config import ConfigError
from gan_core.serialize import from_json, to_json
from gan_core.training.history import History
from gan_core.training.trainer import Trainer

FORMAT = "ganscope-checkpoint"
VERSION = 1
MAX_CHECKPOINT_BYTES = 50_000_000


def checkpoint_state(trainer: Trainer) -> dict:
    history = trainer.history.to_columns()
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": to_json(trainer.config),
        "step": trainer.step_count,
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
    with open(path, "wb") as handle:
        handle.write(checkpoint_bytes(trainer))


def load_checkpoint(source: bytes | str | os.PathLike[str]) -> Trainer:
    """A trainer restored from bytes, a path or a binary file; it continues the run exactly.

    Anything that is not a checkpoint of ours raises ConfigError with a plain message.
    """
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(MAX_CHECKPOINT_BYTES + 1)
    else:
        with open(source, "rb") as handle:
            data = handle.read(MAX_CHECKPOINT_BYTES + 1)
    if len(data) > MAX_CHECKPOINT_BYTES:
        raise ConfigError("checkpoint", f"larger than {MAX_CHECKPOINT_BYTES:,} bytes")
    try:
        state = torch.load(io.BytesIO(data), weights_only=True)
    except Exception as error:  # weights_only ran no code: any failure just means "not ours"
        if str(error).startswith("Weights only load failed"):
            # torch's own text goes on to advise loading it unsafely: not advice for our users.
            raise ConfigError(
                "checkpoint",
                "unsafe: it holds objects other than tensors, numbers and text, which could "
                "run code, so it was not loaded",
            ) from None
        raise ConfigError(
            "checkpoint", f"not a GANscope checkpoint, or unsafe ({_first_line(error)})"
        ) from None
    # Plain values only before comparing: a tensor here would make `!=` elementwise.
    if not isinstance(state, dict) or not isinstance(state.get("format"), str):
        raise ConfigError("checkpoint", "not a GANscope checkpoint")
    if state["format"] != FORMAT:
        raise ConfigError("checkpoint", "not a GANscope checkpoint")
    version = state.get("version")
    if type(version) is not int or version != VERSION:
        raise ConfigError("checkpoint", f"version {_first_line(repr(version))} is not supported")
    try:
        trainer = Trainer(
            from_json(state["config"]),
            history_cap=int(state["history_cap"]),
            log_every=int(state["log_every"]),
        )
        _check_engine_state(state["engine"], trainer.engine.state())
        trainer.engine.load_state(state["engine"])
        trainer.log_rng.set_state(state["log_rng"])
        trainer.view_rng.set_state(state["view_rng"])
        trainer.step_count = int(state["step"])
        if not 0 <= trainer.step_count <= trainer.config.total_steps:
            raise ValueError(f"step {trainer.step_count} is outside this run's 0 to total steps")
        trainer.loss_d, trainer.loss_g = (float(v) for v in state["losses"])
        sums = [float(v) for v in state["sums"]]
        if len(sums) != len(trainer.interval_sums):  # the trainer indexes them by position
            raise ValueError(f"{len(sums)} interval sums, {len(trainer.interval_sums)} expected")
        trainer.interval_sums = sums
        columns = {name: values.tolist() for name, values in state["history"].items()}
        trainer.history = History.from_columns(columns, cap=int(state["history_cap"]))
    except (
        KeyError,
        IndexError,
        TypeError,
        ValueError,
        OverflowError,  # a number too large for a tensor or a float
        RuntimeError,
        AttributeError,
    ) as error:
        raise ConfigError(
            "checkpoint", f"damaged or incompatible ({type(error).__name__}: {_first_line(error)})"
        ) from None
    return trainer


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
    elif type(given) is not int or given < 0:  # counters: the cursor, optimiser steps
        raise ValueError(f"{where} must be a whole number ≥ 0")


def _first_line(error: BaseException | str) -> str:
    """A message fit for one line: the first line of a (possibly long) error text."""
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__
