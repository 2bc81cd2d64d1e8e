"""A training job whose trainer runs in a worker process: `TrainingJob`'s API, on its own core.

The server-side object holds no model. Its time in the pool (the slot, the queue, the
worker, the heartbeat, a worker's death) is `PooledJob`'s; this module says what a training
run sends and receives. The watcher keeps the latest `Frame`; `frame()` only reads that, so
the page never waits on the worker.

Differences from the thread job, all visible in the frame rather than in the API:
- "queued": past the server's cap on concurrent jobs, or past its owner's share of it,
  the job waits its turn and says why ("all 4 busy, position N of M", or "your other run
  is using your slot").
- "error" when the worker process dies: the server, and every other job, goes on.
- The heartbeat is checked here, where the page is, so a queued job whose page went away
  leaves the queue as a running one leaves its worker.
- `trainer` is None while the run goes on; once it has ended it is rebuilt from the final
  checkpoint the worker sent, so code that inspects a finished run keeps working.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import queue
from typing import TYPE_CHECKING

from gan_core.config import GanConfig
from gan_core.jobs.pool import WorkerPool
from gan_core.jobs.pooled_job import Message, PooledJob
from gan_core.jobs.protocol import Frame, TrainingRun, ViewOptions
from gan_core.jobs.slots import ANONYMOUS, Owner
from gan_core.jobs.status import RunStatus
from gan_core.jobs.steering import ORPHANED, EndObserver, FrameObserver, JobSteering
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.training.trainer import Trainer

__all__ = ["ORPHANED", "ProcessTrainingJob"]

Reply = tuple[bytes | None, str]  # a checkpoint, or why there is none


class ProcessTrainingJob(PooledJob, JobSteering):
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
        pool: WorkerPool | None = None,
        owner: Owner = ANONYMOUS,
    ) -> None:
        """`owner`: who asked for the run, whose share of the server's slots it takes."""
        JobSteering.__init__(self, config, view, heartbeat_timeout, on_frame, on_end, trainer)
        PooledJob.__init__(self, pool, self._heartbeat, owner)
        # `trainer` travels to the worker as checkpoint bytes, taken here so later changes
        # to it cannot leak in.
        self._resume = checkpoint_bytes(trainer) if trainer is not None else None
        self._steps_per_second = steps_per_second
        self._start_paused = start_paused
        self._replies: dict[int, queue.Queue[Reply]] = {}  # checkpoint requests awaiting one
        self._requests = itertools.count()
        self._final_checkpoint: bytes | None = None
        self._trainer: Trainer | None = None  # rebuilt from the final checkpoint on first use

    # ------------------------------------------------------------------ steering (any thread)

    def checkpoint(self, timeout: float = 10.0) -> bytes:
        """The run saved as checkpoint bytes, taken by the worker between two steps."""
        reply: queue.Queue[Reply] = queue.Queue(maxsize=1)
        with self._worker_lock:
            ended, worker = self._ended, self._worker
            if not ended and worker is not None:
                request = next(self._requests)
                self._replies[request] = reply
        if ended:
            if self._final_checkpoint is None:
                raise RuntimeError("the run never started")
            return self._final_checkpoint
        if worker is None:
            raise RuntimeError("the run has not started yet")
        worker.send(("checkpoint", self._id, request))
        try:
            data, error = reply.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError("the training worker did not answer in time") from None
        finally:
            with self._worker_lock:
                self._replies.pop(request, None)
        if error or data is None:
            raise RuntimeError(error or "the training worker sent no checkpoint")
        return data

    @property
    def trainer(self) -> Trainer | None:
        """None while the run goes on; afterwards, the run as its worker left it."""
        with self._worker_lock:
            if self._trainer is None and self._ended and self._final_checkpoint is not None:
                self._trainer = load_checkpoint(self._final_checkpoint)
            return self._trainer

    # ------------------------------------------------------------------ in the pool

    def _start_message(self) -> Message:
        run = (self.config, self.view, self._steps_per_second, self._start_paused, self._resume)
        return ("run", self._id, *run)

    def _handle(self, message: Message) -> bool:
        kind = message[0]
        if kind == "frame":
            frame = message[2]
            if message[3:] == (True,):  # sent without its log: the last frame's still holds
                frame = dataclasses.replace(frame, history=self.frame().history)
            if self._orphaned and frame.status == RunStatus.STOPPED:
                frame = dataclasses.replace(frame, message=ORPHANED)
            self.config = frame.config  # live learning-rate changes, as the worker applied them
            self._publish(frame)
        elif kind == "checkpoint":
            _, _, request, data, error = message
            with self._worker_lock:
                reply = self._replies.get(request)
            if reply is not None:
                reply.put((data, error))
        elif kind == "ended":
            with self._worker_lock:
                self._final_checkpoint = message[2]
                self._ended = True
            return True
        return False

    def _show_queued(self, place: int, of: int) -> None:
        message = self._queue_message(place, of)
        previous = self.frame()
        if previous.status != RunStatus.QUEUED or previous.message != message:
            # Not passed to on_frame: a recorder stores training frames, and "queued" is
            # the server's state, not the run's.
            status = RunStatus.QUEUED
            self._publish(dataclasses.replace(previous, status=status, message=message), False)

    def _show_starting(self) -> None:
        previous = self.frame()
        if previous.status == RunStatus.QUEUED:
            starting = dataclasses.replace(previous, status=RunStatus.STARTING, message="")
            self._publish(starting)

    def _end_unreported(self, status: RunStatus, message: str) -> None:
        """Keep the last picture, and say why it ended."""
        previous = self.frame()
        if previous.ended:
            return
        self._publish(
            dataclasses.replace(
                previous,
                status=status,
                message=message,
                steps_per_second=0.0,
                eta_seconds=math.nan,
                config=self.config,
            )
        )

    def _finished(self) -> None:
        """Answer any checkpoint request still waiting, then tell the observer."""
        with self._worker_lock:
            for reply in self._replies.values():
                if self._final_checkpoint is not None:
                    reply.put((self._final_checkpoint, ""))
                else:
                    status = self.frame().status
                    reply.put((None, f"the run ended without a checkpoint ({status})"))
            self._replies.clear()
        self._notify_end()

    # ------------------------------------------------------------------ frames

    def _publish(self, frame: Frame, notify: bool = True) -> None:
        """Make `frame` the latest, numbered after the previous one whatever its source."""
        with self._lock:
            frame = dataclasses.replace(frame, number=self._frame.number + 1)
            self._frame = frame
        if notify:
            self._notify_frame(frame)


if TYPE_CHECKING:  # mypy checks that a process job answers as a TrainingRun
    _conforms: type[TrainingRun] = ProcessTrainingJob
