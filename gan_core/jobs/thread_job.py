"""A training job: one run on a worker thread, steered and watched from other threads.

The page (or any caller) never touches the trainer. It sends commands (pause, resume,
step, stop, new learning rates, speed) and reads the latest published `Frame`: a snapshot,
the history so far, the status and the speed. The worker publishes a frame a few times a
second and whenever something changes, under a lock, so a reader always sees a consistent
one. When the run diverges, the frame before the divergence stays published.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from typing import TYPE_CHECKING, Any

import torch

from gan_core.config import GanConfig
from gan_core.jobs.protocol import Frame, TrainingRun, ViewOptions
from gan_core.jobs.status import RunStatus
from gan_core.jobs.steering import ORPHANED, EndObserver, FrameObserver, JobSteering
from gan_core.training.checkpoint import checkpoint_bytes
from gan_core.training.timeline import TIMELINE
from gan_core.training.trainer import Diverged, Trainer

__all__ = ["Frame", "TrainingJob", "ViewOptions"]  # Frame and ViewOptions: for older imports

FIRST_FRAME_S = 0.01  # seconds of training before the first running frame


class TrainingJob(JobSteering):
    def __init__(
        self,
        config: GanConfig,
        view: ViewOptions | None = None,
        steps_per_second: float | None = None,
        start_paused: bool = False,
        heartbeat_timeout: float | None = None,
        on_frame: FrameObserver | None = None,
        on_end: EndObserver | None = None,
        trainer: Trainer | None = None,
    ) -> None:
        super().__init__(config, view, heartbeat_timeout, on_frame, on_end, trainer)
        self._commands: queue.Queue[tuple[str, tuple[Any, ...]]] = queue.Queue()
        self._wake = threading.Event()
        self._stop_requested = threading.Event()
        self._paused = start_paused
        self._steps_per_second = steps_per_second
        self._given_trainer = trainer
        self.trainer: Trainer | None = None  # worker-owned; read only after the thread ends
        self._thread = threading.Thread(target=self._work, name="gan-training", daemon=True)
        # (time, step) of the last speed reading: a continued run starts past step 0
        self._rate_mark = (time.monotonic(), trainer.step_count if trainer else 0)
        self._speed = 0.0

    # ------------------------------------------------------------------ steering (any thread)

    def start(self) -> TrainingJob:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop_requested.set()
        self._wake.set()

    def checkpoint(self, timeout: float = 10.0) -> bytes:
        """The run saved as checkpoint bytes, taken by the worker between two steps."""
        if self.alive and (self._stop_requested.is_set() or self.frame().ended):
            # The worker has left its loop (or is leaving it) and reads no more commands:
            # let it finish its end (observers included), then save from the trainer.
            self.wait(timeout)
        if not self.alive:
            if self.trainer is None:
                raise RuntimeError("the run never started")
            return checkpoint_bytes(self.trainer)
        reply: queue.Queue[bytes | Exception] = queue.Queue(maxsize=1)
        self._send("checkpoint", reply)
        try:
            result = reply.get(timeout=timeout)
        except queue.Empty:
            if not self.alive and self.trainer is not None:
                return checkpoint_bytes(self.trainer)
            raise TimeoutError("the training worker did not answer in time") from None
        if isinstance(result, Exception):
            raise result
        return result

    def _send(self, kind: str, *values: Any) -> None:
        self._commands.put((kind, values))
        self._wake.set()

    # ------------------------------------------------------------------ the worker

    def _work(self) -> None:
        # One thread per process: these networks are tiny, and with torch's default pool
        # every concurrent job (and the server) would fight over the cores.
        torch.set_num_threads(1)
        try:
            self.trainer = self._given_trainer or Trainer(self.config)
            self._given_trainer = None  # the worker owns it from here
            self._publish(RunStatus.PAUSED if self._paused else RunStatus.RUNNING)
            self._loop()
        except Diverged as error:
            self._publish(RunStatus.DIVERGED, str(error), snapshot=False)
        except Exception as error:  # a crash ends this job only, and says why
            self._publish(RunStatus.ERROR, f"{type(error).__name__}: {error}", snapshot=False)
        finally:
            self._notify_end()

    def _loop(self) -> None:
        trainer = self.trainer
        assert trainer is not None  # set by _work before the loop
        # The first frame goes out after FIRST_FRAME_S of training, not a whole interval:
        # the page is waiting to show that the run has started.
        last_frame, first_chunk = -math.inf, True
        rate_clock, rate_steps = time.monotonic(), trainer.step_count
        while True:
            changed = self._apply_commands()
            if changed:  # a new speed (or any command) starts a new pacing window
                rate_clock, rate_steps = time.monotonic(), trainer.step_count
            if self._stop_requested.is_set():
                self._publish(RunStatus.STOPPED, "stopped on request")
                return
            if self._heartbeat.lost():
                self._publish(RunStatus.STOPPED, ORPHANED)
                return
            if trainer.finished:
                self._publish(RunStatus.FINISHED, full_metrics=True)
                return
            if self._paused:
                if changed:
                    self._publish(RunStatus.PAUSED)
                self._wake.wait(0.05)
                self._wake.clear()
                rate_clock, rate_steps = time.monotonic(), trainer.step_count
                continue
            chunk = FIRST_FRAME_S if first_chunk else self.view.frame_interval
            deadline, first_chunk = time.monotonic() + chunk, False
            while time.monotonic() < deadline and not trainer.finished:
                if self._stop_requested.is_set() or not self._commands.empty():
                    break
                trainer.step()
                if self._steps_per_second:
                    self._throttle(rate_clock, trainer.step_count - rate_steps)
            now = time.monotonic()
            if now - last_frame >= self.view.frame_interval or changed:
                self._publish(RunStatus.RUNNING)
                last_frame = now

    def _throttle(self, since: float, steps: int) -> None:
        assert self._steps_per_second  # only called under a cap
        ahead = steps / self._steps_per_second - (time.monotonic() - since)
        if ahead > 0 and self._wake.wait(min(ahead, 0.05)):
            # Woken by a command, which the loop reads next. Clear the wake, or every later
            # wait would return at once and the cap would stop capping.
            self._wake.clear()

    def _apply_commands(self) -> bool:
        trainer = self.trainer
        assert trainer is not None  # commands are applied by the loop only
        changed = False
        while True:
            try:
                command, values = self._commands.get_nowait()
            except queue.Empty:
                return changed
            changed = True
            if command == "pause":
                self._paused = True
            elif command == "resume":
                self._paused = False
            elif command == "step" and self._paused and not trainer.finished:
                trainer.step(*values)
            elif command == "lr":
                trainer.set_learning_rates(*values)
                self.config = trainer.config
            elif command == "speed":
                (self._steps_per_second,) = values
            elif command == "checkpoint":
                (reply,) = values
                try:
                    reply.put(checkpoint_bytes(trainer))
                except Exception as error:  # hand the failure to the caller, keep training
                    reply.put(error)

    def _publish(
        self,
        status: RunStatus,
        message: str = "",
        snapshot: bool = True,
        full_metrics: bool = False,
    ) -> None:
        trainer = self.trainer
        previous = self.frame()
        snap, history = previous.snapshot, previous.history
        if trainer is not None and snapshot:
            view = self.view
            # The plane's bounds follow the last frame's (None: fitted afresh).
            shown = snap.bounds if snap is not None else None
            snap = trainer.snapshot(
                view.n_points,
                view.field_resolution,
                shown,
                view.n_arrows,
                full_metrics=full_metrics,
            )
            history = trainer.history.to_frame()
        steps = trainer.step_count if trainer else 0
        speed = self._measure_speed(steps, running=status is RunStatus.RUNNING)
        remaining = (self.config.total_steps - steps) / speed if speed > 0 else math.nan
        frame = Frame(
            status,
            message,
            snap,
            history,
            speed,
            remaining,
            previous.number + 1,
            self.config,
            extra=_timeline_extra(trainer, status, snapshot),
        )
        with self._lock:
            self._frame = frame
        self._notify_frame(frame)

    def _measure_speed(self, steps: int, running: bool) -> float:
        """Steps per second over recent frames (smoothed), not counting paused time."""
        now = time.monotonic()
        then, steps_then = self._rate_mark
        if running and now > then and steps > steps_then:
            recent = (steps - steps_then) / (now - then)
            self._speed = recent if self._speed == 0 else 0.7 * self._speed + 0.3 * recent
        self._rate_mark = (now, steps)
        return self._speed


def _timeline_extra(trainer: Trainer | None, status: RunStatus, sound: bool) -> dict[str, Any]:
    """The run's timeline, carried by its last frame only: for replay, and for the recorder.

    A run stopped between two logged rows gets one more frame, of the state it stopped in
    (`sound`: not after a divergence or a crash, whose weights may not be finite)."""
    if trainer is None or not status.ended:
        return {}
    if sound:
        trainer.timeline.record(trainer)
    frames = trainer.timeline.frames()
    return {TIMELINE: frames} if frames else {}


if TYPE_CHECKING:  # mypy checks that a thread job answers as a TrainingRun
    _conforms: type[TrainingRun] = TrainingJob
