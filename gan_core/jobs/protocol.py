"""What a page reads from a run and what it can ask of one, whatever runs it.

Three things answer as a `Job`: a run training on a server thread (`thread_job`), one
training in a worker process (`process_job`) and a saved run reopened read-only from the
store (`store/stored_run.py`). The two that train are also `TrainingRun`s: they take the
steering commands. Each implementation says, for mypy, that it conforms.

A job's state reaches the page as `Frame`s, each built whole and published at once; a run's
first frame (before any step, or when it could not start) comes from `first_frame`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from gan_core.config import GanConfig
from gan_core.jobs.status import RunStatus
from gan_core.training.snapshot import Snapshot
from gan_core.training.trainer import Trainer

Bounds = tuple[float, float, float, float]  # the plot's fixed axes: x0, x1, y0, y1


@dataclass(frozen=True)
class ViewOptions:
    """What each published frame carries (more detail costs the worker more time)."""

    n_points: int = 500
    field_resolution: int = 40
    n_arrows: int = 40
    frame_interval: float = 0.1  # seconds between frames while running


@dataclass(frozen=True)
class Frame:
    status: RunStatus
    message: str
    snapshot: Snapshot | None
    history: pd.DataFrame
    steps_per_second: float
    eta_seconds: float
    number: int  # frames published so far: rises with every new frame
    config: GanConfig
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ended(self) -> bool:
        return RunStatus(self.status).ended


def first_frame(
    config: GanConfig,
    status: RunStatus = RunStatus.STARTING,
    message: str = "",
    snapshot: Snapshot | None = None,
    history: pd.DataFrame | None = None,
    number: int = 0,
) -> Frame:
    """A run's frame before it has a measured speed: starting, failed to start, or reopened."""
    return Frame(
        status,
        message,
        snapshot,
        pd.DataFrame() if history is None else history,
        0.0,
        math.nan,
        number,
        config,
    )


@runtime_checkable
class Job(Protocol):
    """A run as a page shows it: live or stored, the same questions."""

    config: GanConfig  # the run's settings (a live run's learning rates included)
    bounds: Bounds

    @property
    def alive(self) -> bool:
        """Still training (or waiting for its turn to): its frames may change."""
        ...

    def frame(self) -> Frame:
        """The latest published frame."""
        ...

    def heartbeat(self) -> None:
        """The page is still there (a live job whose page stops saying so stops itself)."""
        ...

    def stop(self) -> None: ...

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run has ended (True) or `timeout` passed (False)."""
        ...

    def checkpoint(self, timeout: float = 10.0) -> bytes:
        """The run saved as checkpoint bytes."""
        ...


@runtime_checkable
class TrainingRun(Job, Protocol):
    """A job that trains: started once, then steered while it runs."""

    def start(self) -> TrainingRun: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def step(self, part: str = "both") -> None: ...

    def set_learning_rates(self, lr_d: float | None = None, lr_g: float | None = None) -> None: ...

    def set_speed(self, steps_per_second: float | None) -> None: ...

    @property
    def trainer(self) -> Trainer | None:
        """The run's trainer once it has ended (None before, or if it never started)."""
        ...
