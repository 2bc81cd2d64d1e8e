"""One saved run as plain data: what the run store hands out and what a bundle carries.

The store (`store.py`) reads and writes these; the bundle format (`store_bundle.py`)
turns them into JSON and back. Neither the store's tables nor the JSON leak past here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from gan_core.config import GanConfig, quote_value
from gan_core.i18n import _
from gan_core.jobs.status import RunStatus
from gan_core.training.history import COLUMNS

SOURCES = ("dashboard", "cli", "import")
# Letters and digits of any script (`\w` on str: a class may write its names in Chinese),
# with a few marks that mean nothing to Markdown or HTML; matched whole (`fullmatch`).
NAME_PATTERN = re.compile(r"\w[\w .:#()+-]{0,79}")
MAX_MESSAGE_CHARS = 1000
MAX_SESSION_ID_CHARS = 128  # what the store writes, and so what it accepts back
MAX_METRICS = 100
METRIC_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")  # as the engine names its metrics
# A run its server stopped training (a replica killed, a process crashed) is never ended in
# the store: it still says "running" there. Its recorder stamps `updated` at least every
# `recorder.BEAT_S` seconds while it trains, so one not stamped for `LOST_AFTER_S` is read
# as LOST. Well above the beat, so that a slow save or a server restarting for a moment
# never makes a live run look lost.
LOST = "lost"
LOST_AFTER_S = 120.0
# The log's columns the store keeps: every column all saved forms share, and the trainer's
# JS divergence (schema 4; a run saved before it reads it back as NaN). Rows handed in
# without it are written with NaN there.
OPTIONAL_LOG_COLUMNS = ("js_divergence",)
LOG_COLUMNS = (*COLUMNS, *OPTIONAL_LOG_COLUMNS)


@dataclass(frozen=True)
class RunRecord:
    """A run as saved: its config, its log (`history`, one row per logged step) and its end."""

    id: int | None
    name: str
    config: GanConfig
    preset: str | None
    source: str
    session_id: str | None
    status: RunStatus  # a word read from the store becomes the member (see __post_init__)
    message: str
    metrics: dict
    created: datetime
    updated: datetime
    finished: datetime | None
    history: pd.DataFrame = field(default_factory=lambda: empty_history())
    has_checkpoint: bool = False
    lost: bool = False  # not ended, yet not saved for LOST_AFTER_S: its server stopped

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", check_status(self.status))

    @property
    def label(self) -> str:
        """Short and unique within a store: what charts and tables call the run."""
        return run_label(self.id, self.name)

    @property
    def ended(self) -> bool:
        return self.status.ended

    @property
    def state(self) -> str:
        """Its status word as the store holds it, or LOST for a run its server left."""
        return LOST if self.lost else self.status.value


def is_lost(status: RunStatus, updated: float, now: float) -> bool:
    """A run not ended and not saved (`updated`, Unix seconds) for LOST_AFTER_S before `now`."""
    return not status.ended and updated < now - LOST_AFTER_S


def run_label(run_id: int | None, name: str) -> str:
    return f"#{run_id} {name}" if run_id is not None else name


def empty_history() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in LOG_COLUMNS}).astype(
        {"step": "int64", "epoch": "int64"}
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


def check_status(status: object) -> RunStatus:
    """A saved run's status; ValueError naming the allowed ones if it is not one."""
    try:
        return RunStatus.parse_stored(status)
    except ValueError as error:
        raise ValueError(_("status {problem}").format(problem=error)) from None


def check_name(name: object) -> str:
    """A run name: printable, short, no control characters (it lands in tables and legends)."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ValueError(
            _("run name {value} must be 1 to 80 letters, digits, spaces or _ . : # ( ) + -").format(
                value=quote_value(name)
            )
        )
    return name


def plain_metrics(metrics: Any) -> dict[str, bool | float | None]:
    """Metrics as JSON-ready data: numbers become floats (None when not finite), bools stay.
    Engine metrics mix numpy and Python scalars. Anything else (text, a key that is not a
    metric's name) is left out: read back, the store would take it for damage."""
    if metrics is None:
        return {}
    if not hasattr(metrics, "items"):
        raise ValueError(f"metrics must be a mapping, got {type(metrics).__name__}")
    out: dict[str, bool | float | None] = {}
    for key, value in list(metrics.items()):
        if len(out) == MAX_METRICS or not isinstance(key, str) or not METRIC_KEY.match(key):
            continue
        if value is None or isinstance(value, bool):
            out[key] = value
        elif isinstance(value, (int, float)) or _is_numpy_number(value):
            if hasattr(value, "dtype") and value.dtype.kind == "b":
                out[key] = bool(value)
                continue
            try:
                number = float(value)
            except OverflowError:  # an integer past a float's range
                number = math.inf
            out[key] = number if math.isfinite(number) else None
    return out


def _is_numpy_number(value: object) -> bool:
    return (
        hasattr(value, "dtype")
        and getattr(value, "shape", None) == ()
        and value.dtype.kind in "biuf"
    )
