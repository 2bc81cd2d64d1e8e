"""A training job whose trainer runs in a worker process: `TrainingJob`'s API, on its own core.

The server-side object holds no model. It waits for a training slot (see `job_slots`),
borrows a warm worker process from the pool, sends it the run, and relays commands to it.
One small watcher thread per job reads what the worker sends back and keeps the latest
`Frame`; `frame()` only reads that, so the page never waits on the worker.

Differences from the thread job, all visible in the frame rather than in the API:
- "queued": past the server's cap on concurrent jobs, the job waits its turn and says
  where it stands ("waiting for a free training slot: position N of M").
- "error" when the worker process dies (killed, out of memory, a crash in native code):
  the server, and every other job, goes on.
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
import signal
import threading
import time

import pandas as pd

from gan_core.config import GanConfig
from gan_core.jobs.pool import WorkerPool, get_pool
from gan_core.jobs.steering import JobSteering
from gan_core.jobs.thread_job import Frame, ViewOptions
from gan_core.jobs.worker_process import WorkerProcess
from gan_core.targets import plot_bounds
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.training.trainer import Trainer

QUEUED = "queued"
WATCH_S = 0.1  # the watcher wakes at least this often to check heartbeat and stop deadline
STOP_GRACE_S = 3.0  # a worker that has not ended this long after a stop is killed
ORPHANED = "stopped: the page that started it went away"

_job_ids = itertools.count(1)  # tags every message, so none reaches the wrong job


class ProcessTrainingJob(JobSteering):
    def __init__(
        self,
        config: GanConfig,
        view: ViewOptions | None = None,
        steps_per_second: float | None = None,
        start_paused: bool = False,
        heartbeat_timeout: float | None = None,
        on_frame=None,
        on_end=None,
        trainer: Trainer | None = None,
        pool: WorkerPool | None = None,
    ):
        # `trainer`: a restored run to continue exactly, as with TrainingJob. It travels to
        # the worker as checkpoint bytes, taken here so later changes to it cannot leak in.
        if trainer is not None and trainer.config != config:
            raise ValueError("trainer.config must be the job's config")
        self._resume = checkpoint_bytes(trainer) if trainer is not None else None
        self.config = config
        self.view = view or ViewOptions()
        self.bounds = plot_bounds(config.target)
        self._id = next(_job_ids)
        self._pool = pool
        self._steps_per_second = steps_per_second
        self._start_paused = start_paused
        self._heartbeat_timeout = heartbeat_timeout
        self._last_heartbeat = time.monotonic()
        self._on_frame, self._on_end = on_frame, on_end
        self._lock = threading.Lock()  # guards the frame, worker, pending and replies
        self._frame = Frame("starting", "", None, pd.DataFrame(), 0.0, math.nan, 0, config)
        self._worker: WorkerProcess | None = None
        self._pending: list[tuple] = []  # commands given before the worker was assigned
        self._replies: dict[int, queue.Queue] = {}  # checkpoint requests awaiting an answer
        self._requests = itertools.count()
        self._stop_requested = threading.Event()
        self._orphaned = False
        self._ended = False  # the worker has said "ended", or the job never reached one
        self._final_checkpoint: bytes | None = None
        self._trainer = None  # rebuilt from the final checkpoint on first use
        self._thread = threading.Thread(target=self._watch, name="gan-job-watch", daemon=True)

    # ------------------------------------------------------------------ steering (any thread)

    def start(self) -> ProcessTrainingJob:
        if self._thread.ident is not None:
            raise RuntimeError("a job can only be started once")
        if self._pool is None:
            self._pool = get_pool()
        # Enter the queue here, not in the watcher, so the frame says "queued" on return.
        if not self._pool.slots.enter(self):
            self._show_queue_place()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop_requested.set()
        if self._pool is not None:
            self._pool.slots.withdraw(self)  # a queued job leaves the queue at once
        self._send("stop")

    def checkpoint(self, timeout: float = 10.0) -> bytes:
        """The run saved as checkpoint bytes, taken by the worker between two steps."""
        with self._lock:
            ended, worker = self._ended, self._worker
            if not ended and worker is not None:
                request = next(self._requests)
                reply: queue.Queue = queue.Queue(maxsize=1)
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
            with self._lock:
                self._replies.pop(request, None)
        if error:
            raise RuntimeError(error)
        return data

    @property
    def worker_pid(self) -> int | None:
        """The process training this job now (None while queued or after the end)."""
        worker = self._worker
        return worker.pid if worker is not None else None

    @property
    def trainer(self):
        """None while the run goes on; afterwards, the run as its worker left it."""
        with self._lock:
            if self._trainer is None and self._ended and self._final_checkpoint is not None:
                self._trainer = load_checkpoint(self._final_checkpoint)
            return self._trainer

    def _send(self, kind: str, *values) -> None:
        with self._lock:
            if self._ended:
                return
            worker = self._worker
            if worker is None:
                self._pending.append((kind, self._id, *values))
                return
        worker.send((kind, self._id, *values))

    # ------------------------------------------------------------------ the watcher

    def _watch(self) -> None:
        worker, reusable = None, True
        try:
            if self._await_slot():
                worker = self._pool.checkout()
                reusable = self._drive(worker)
        except Exception as error:  # the pool refused (shut down, out of processes, ...)
            self._end_frame("error", f"{type(error).__name__}: {error}")
        finally:
            # Worker back first, then the slot: the next job in the queue finds it idle.
            if worker is not None:
                self._pool.checkin(worker, reusable)
            self._pool.slots.leave(self)
            self._close_requests()
            if self._on_end is not None:
                try:
                    self._on_end(self)
                except Exception:  # an observer's failure must not hide the run's own end
                    pass

    def _await_slot(self) -> bool:
        """Wait in the queue, showing the place; False if stopped or orphaned meanwhile."""
        slots, queued = self._pool.slots, False
        while not slots.wait_turn(self, WATCH_S):
            queued = True
            if self._stop_requested.is_set():
                break
            if self._heartbeat_lost():
                slots.withdraw(self)
                self._end_frame("stopped", ORPHANED)
                return False
            self._show_queue_place()
        if self._stop_requested.is_set():
            self._end_frame("stopped", "stopped on request")
            return False
        if self._heartbeat_lost():  # its turn came, but nobody is watching any more
            self._end_frame("stopped", ORPHANED)
            return False
        if queued:
            self._publish(dataclasses.replace(self.frame(), status="starting", message=""))
        return True

    def _drive(self, worker: WorkerProcess) -> bool:
        """Run the job on `worker` until it ends; False if the worker cannot be reused."""
        with self._lock:
            run = (self.config, self.view, self._steps_per_second, self._start_paused, self._resume)
            worker.send(("run", self._id, *run))
            for command in self._pending:
                worker.send(command)
            self._pending.clear()
            self._worker = worker
        stop_deadline = None
        while True:
            if self._heartbeat_lost() and not self._orphaned:
                self._orphaned = True
                self.stop()
            if self._stop_requested.is_set() and stop_deadline is None and worker.ready:
                # Counted from when it can answer: a worker still importing torch is slow,
                # not stuck, and will read the stop as soon as it is up.
                stop_deadline = time.monotonic() + STOP_GRACE_S
            # A dead worker's pipe reads as EOF once its last messages are read, so a crash
            # is seen here too, after whatever it managed to send.
            try:
                if worker.events.poll(WATCH_S) and self._handle(worker.events.recv(), worker):
                    return True
            except (EOFError, OSError):  # died, or the pool closed it at shutdown
                return self._worker_died(worker)
            if stop_deadline is not None and time.monotonic() > stop_deadline:
                worker.kill()
                self._end_frame("stopped", "stopped (the training worker did not answer)")
                return False

    def _handle(self, message, worker: WorkerProcess) -> bool:
        """Take one message from the worker; True when it says the job has ended."""
        kind = message[0]
        if kind == "ready":
            worker.ready = True
            return False
        if message[1] != self._id:  # left over from an earlier job on this worker
            return False
        if kind == "frame":
            frame = message[2]
            if self._orphaned and frame.status == "stopped":
                frame = dataclasses.replace(frame, message=ORPHANED)
            self.config = frame.config  # live learning-rate changes, as the worker applied them
            self._publish(frame)
        elif kind == "checkpoint":
            _, _, request, data, error = message
            with self._lock:
                reply = self._replies.get(request)
            if reply is not None:
                reply.put((data, error))
        elif kind == "ended":
            with self._lock:
                self._final_checkpoint = message[2]
                self._ended = True
            return True
        return False

    def _worker_died(self, worker: WorkerProcess) -> bool:
        code = worker.exit_code()
        if code is not None and code < 0:
            try:
                code = f"{code}, {signal.Signals(-code).name}"
            except ValueError:
                pass
        self._end_frame("error", f"the training worker stopped unexpectedly (exit code {code})")
        return False

    # ------------------------------------------------------------------ frames

    def _publish(self, frame: Frame, notify: bool = True) -> None:
        """Make `frame` the latest, numbered after the previous one whatever its source."""
        with self._lock:
            frame = dataclasses.replace(frame, number=self._frame.number + 1)
            self._frame = frame
        if notify and self._on_frame is not None:
            try:
                self._on_frame(self, frame)
            except Exception:  # an observer's failure must not stop the job
                pass

    def _end_frame(self, status: str, message: str) -> None:
        """An end the worker did not report itself: keep the last picture, say why."""
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

    def _show_queue_place(self) -> None:
        place = self._pool.slots.position(self)
        if place is None:
            return
        message = f"waiting for a free training slot: position {place[0]} of {place[1]}"
        previous = self.frame()
        if previous.status != QUEUED or previous.message != message:
            # Not passed to on_frame: a recorder stores training frames, and "queued" is
            # the server's state, not the run's.
            self._publish(dataclasses.replace(previous, status=QUEUED, message=message), False)

    def _close_requests(self) -> None:
        """The job is over: answer any checkpoint request still waiting, drop new commands."""
        with self._lock:
            self._ended = True
            self._worker = None
            for reply in self._replies.values():
                if self._final_checkpoint is not None:
                    reply.put((self._final_checkpoint, ""))
                else:
                    reply.put((None, f"the run ended without a checkpoint ({self._frame.status})"))
            self._replies.clear()
