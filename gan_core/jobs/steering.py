"""What the two training jobs share: how one is set up, steered, watched and observed.

A thread job (`thread_job.py`) and a process job (`process_job.py`) are built the same way
(the config checked against a restored trainer, the view, the plot bounds, the page's
heartbeat, the observers, the latest frame under a lock) and take the same requests.
Every request is checked here, in the caller's thread, so a bad value is refused to the
caller rather than failing in the worker; `_send` then delivers it the job's own way.
A job whose page stops stamping its heartbeat stops itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from gan_core.config import ConfigError, GanConfig
from gan_core.i18n import _
from gan_core.jobs.protocol import Frame, ViewOptions, first_frame
from gan_core.targets import plot_bounds
from gan_core.training.step_part import StepPart
from gan_core.training.trainer import Trainer

MAX_STEPS_PER_SECOND = 1e6
ORPHANED = "stopped: the page that started it went away"

# Observers, called from the job's own thread: every published frame, and the job's end.
FrameObserver = Callable[[Any, Frame], None]
EndObserver = Callable[[Any], None]


class Heartbeat:
    """The page's sign of life: stamped on every poll, lost after `timeout` s without one."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout  # None: never lost
        self._last = time.monotonic()

    def stamp(self) -> None:
        self._last = time.monotonic()

    def lost(self) -> bool:
        return self.timeout is not None and time.monotonic() - self._last > self.timeout


class JobSteering:
    _thread: threading.Thread  # the job's own thread: it has ended when the job has

    def __init__(
        self,
        config: GanConfig,
        view: ViewOptions | None,
        heartbeat_timeout: float | None,
        on_frame: FrameObserver | None,
        on_end: EndObserver | None,
        trainer: Trainer | None,
    ) -> None:
        # `trainer`: a restored run to continue exactly (see checkpoint.load_checkpoint),
        # instead of a fresh one built from `config`; its own config is the run's.
        if trainer is not None and trainer.config != config:
            raise ValueError("trainer.config must be the job's config")
        self.config = config
        self.view = view or ViewOptions()
        self.bounds = plot_bounds(config.target)
        self._heartbeat = Heartbeat(heartbeat_timeout)
        self._on_frame, self._on_end = on_frame, on_end
        self._lock = threading.Lock()  # guards the latest frame
        self._frame = first_frame(config)

    def _send(self, kind: str, *values: Any) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ requests

    def pause(self) -> None:
        self._send("pause")

    def resume(self) -> None:
        self._send("resume")

    def step(self, part: StepPart | str = StepPart.BOTH) -> None:
        """One step while paused: 'both', or only a 'd' or 'g' update."""
        self._send("step", StepPart.parse(part).value)

    def set_learning_rates(self, lr_d: float | None = None, lr_g: float | None = None) -> None:
        """New learning rates from the next step on; the optimisers keep their state."""
        self.config.replace(**{k: v for k, v in (("lr_d", lr_d), ("lr_g", lr_g)) if v is not None})
        self._send("lr", lr_d, lr_g)

    def set_speed(self, steps_per_second: float | None) -> None:
        """Cap the training speed (None: as fast as possible), so a class can watch slowly."""
        if steps_per_second is not None and not 0 < steps_per_second <= MAX_STEPS_PER_SECOND:
            raise ConfigError(
                "steps_per_second",
                _("{value} is out of range (0, {limit}]").format(
                    value=steps_per_second, limit=f"{MAX_STEPS_PER_SECOND:g}"
                ),
            )
        self._send("speed", steps_per_second)

    def heartbeat(self) -> None:
        """The page is still there. Without one for `heartbeat_timeout` s, the job stops itself."""
        self._heartbeat.stamp()

    # ------------------------------------------------------------------ watching

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has ended (True) or the timeout passed (False)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def frame(self) -> Frame:
        """The latest published `Frame`."""
        with self._lock:
            return self._frame

    def _notify_frame(self, frame: Frame) -> None:
        if self._on_frame is not None:
            try:
                self._on_frame(self, frame)
            except Exception:  # an observer's failure must not stop the job
                pass

    def _notify_end(self) -> None:
        if self._on_end is not None:
            try:
                self._on_end(self)
            except Exception:  # an observer's failure must not hide the run's own end
                pass
