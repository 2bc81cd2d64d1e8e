"""What a caller can ask of a job and read from it: the same for a thread job (`job.py`)
and a process job (`process_job.py`).

Every request is checked here, in the caller's thread, so a bad value is refused to the
caller rather than failing in the worker; `_send` then delivers it the job's own way.
Both kinds of job keep a watching thread (`_thread`), the latest frame under `_lock`, and
a heartbeat that the page stamps; a job whose page stops stamping it stops itself.
"""

from __future__ import annotations

import threading
import time

from gan_core.config import ConfigError, GanConfig
from gan_core.training.step_part import StepPart

MAX_STEPS_PER_SECOND = 1e6


class JobSteering:
    config: GanConfig
    _thread: threading.Thread
    _lock: threading.Lock
    _heartbeat_timeout: float | None
    _last_heartbeat: float

    def _send(self, kind: str, *values) -> None:
        raise NotImplementedError

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
                f"{steps_per_second} is out of range (0, {MAX_STEPS_PER_SECOND:g}]",
            )
        self._send("speed", steps_per_second)

    def heartbeat(self) -> None:
        """The page is still there. Without one for `heartbeat_timeout` s, the job stops itself."""
        self._last_heartbeat = time.monotonic()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has ended (True) or the timeout passed (False)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def frame(self):
        """The latest published `Frame`."""
        with self._lock:
            return self._frame

    def _heartbeat_lost(self) -> bool:
        return (
            self._heartbeat_timeout is not None
            and time.monotonic() - self._last_heartbeat > self._heartbeat_timeout
        )
