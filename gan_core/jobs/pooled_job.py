"""A job that runs in a worker process borrowed from the pool: a training run or a sweep.

Everything about a job's time in the pool is here, once: it enters the server's cap on
jobs at once (`slots.py`) for its owner (who asked for it) and, past the cap or past that
person's share of it, waits its turn in the queue while showing its place and why it
waits; then it borrows a worker (`pool.py`), sends it the job, relays commands
and reads what the worker sends back on a small watcher thread; at the end it gives the
worker back and leaves its slot, so the next job in the queue finds a worker idle.

It also reacts, the same way for every kind of job, to what can go wrong out there:
- the worker dies (killed, out of memory, a crash in native code): the job ends with an
  error, the server and every other job go on;
- the page that started the job goes away (its heartbeat stops): a queued job leaves the
  queue, a running one is stopped and gives its worker back;
- a stopped worker does not end within STOP_GRACE_S: it is killed.

A kind of job says what it sends (`_start_message`), what the worker's events mean to it
(`_handle`) and how it shows being queued, starting and an end the worker did not report.
"""

from __future__ import annotations

import itertools
import signal
import threading
import time
from typing import Any, Self

from gan_core.jobs.pool import WorkerPool, get_pool
from gan_core.jobs.slots import ADDRESS, ANONYMOUS, SESSION, Owner, Wait
from gan_core.jobs.status import RunStatus
from gan_core.jobs.steering import ORPHANED, Heartbeat
from gan_core.jobs.worker_process import WorkerProcess

Message = tuple[Any, ...]  # a command or an event on the worker's pipes (see worker.py)

WATCH_S = 0.1  # the watcher wakes at least this often to check heartbeat and stop deadline
STOP_GRACE_S = 3.0  # a worker that has not ended this long after a stop is killed
STOPPED_ON_REQUEST = "stopped on request"

_job_ids = itertools.count(1)  # tags every message, so none reaches the wrong job


def queue_message(place: int, of: int, slots: int | None = None) -> str:
    """Waiting for a free slot: where the job stands (and, if known, how many are busy)."""
    if slots is None:
        busy = ""
    else:
        busy = "the one slot is busy, " if slots == 1 else f"all {slots} slots busy, "
    return f"waiting for a free training slot: {busy}position {place} of {of}"


def wait_message(wait: Wait) -> str:
    """Why a queued job waits, in the words of the person who asked for it."""
    if wait.waits_for == SESSION:
        if wait.limit == 1:
            return "waiting: your other run is using your slot; this one starts when it ends"
        return (
            f"waiting: your other {wait.limit} runs are using your slots; "
            "this one starts when one of them ends"
        )
    if wait.waits_for == ADDRESS:
        return (
            f"waiting: {wait.limit} runs from your network address are training, the most "
            "one address may run at once; this one starts when one of them ends"
        )
    return queue_message(wait.place, wait.of, wait.limit)


class PooledJob:
    def __init__(
        self, pool: WorkerPool | None, heartbeat: Heartbeat, owner: Owner = ANONYMOUS
    ) -> None:
        self._pool = pool if pool is not None else get_pool()
        self._owner = owner  # whose share of the slots it takes
        self._id = next(_job_ids)
        self._heartbeat = heartbeat
        self._worker_lock = threading.Lock()  # guards the worker, pending commands, ended
        self._worker: WorkerProcess | None = None
        self._pending: list[Message] = []  # commands given before the worker was assigned
        self._stop_requested = threading.Event()
        self._orphaned = False  # stopped because its page went away
        self._ended = False  # the worker has reported the end, or the job never reached one
        self._thread = threading.Thread(target=self._watch, name="gan-job-watch", daemon=True)

    # ------------------------------------------------------------------ what a kind adds

    def _start_message(self) -> Message:
        """What the worker is sent to begin the job, tagged with `self._id`."""
        raise NotImplementedError

    def _handle(self, message: Message) -> bool:
        """Take one of this job's events from the worker; True when it says the job ended."""
        raise NotImplementedError

    def _show_queued(self, place: int, of: int) -> None:
        raise NotImplementedError

    def _show_starting(self) -> None:
        """The job holds a slot now (at once, or after waiting in the queue)."""
        raise NotImplementedError

    def _end_unreported(self, status: RunStatus, message: str) -> None:
        """An end the worker did not report itself (stopped in the queue, worker died...)."""
        raise NotImplementedError

    def _finished(self) -> None:
        """Called last, on the watcher thread, once the worker and the slot are given back."""

    # ------------------------------------------------------------------ steering (any thread)

    def start(self) -> Self:
        if self._thread.ident is not None:
            raise RuntimeError("a job can only be started once")
        # Enter the queue here, not in the watcher, so the job says "queued" on return.
        if self._pool.slots.enter(self, self._owner):
            self._show_starting()
        else:
            self._show_queue_place()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop_requested.set()
        self._pool.slots.withdraw(self)  # a queued job leaves the queue at once
        self._pool.slots.disown(self)  # a running one no longer counts as its owner's run
        self._send("stop")

    @property
    def worker_pid(self) -> int | None:
        """The process running this job now (None while queued or after the end)."""
        worker = self._worker
        return worker.pid if worker is not None else None

    def _send(self, kind: str, *values: Any) -> None:
        with self._worker_lock:
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
            self._end_unreported(RunStatus.ERROR, f"{type(error).__name__}: {error}")
        finally:
            # Worker back first, then the slot: the next job in the queue finds it idle.
            if worker is not None:
                self._pool.checkin(worker, reusable)
            self._pool.slots.leave(self)
            with self._worker_lock:
                self._ended = True
                self._worker = None
            self._finished()

    def _await_slot(self) -> bool:
        """Wait in the queue, showing the place; False if stopped or orphaned meanwhile."""
        slots, queued = self._pool.slots, False
        while not slots.wait_turn(self, WATCH_S):
            queued = True
            if self._stop_requested.is_set():
                break
            if self._heartbeat.lost():
                slots.withdraw(self)
                self._end_unreported(RunStatus.STOPPED, ORPHANED)
                return False
            self._show_queue_place()
        if self._stop_requested.is_set():
            self._end_unreported(RunStatus.STOPPED, STOPPED_ON_REQUEST)
            return False
        if self._heartbeat.lost():  # its turn came, but nobody is watching any more
            self._end_unreported(RunStatus.STOPPED, ORPHANED)
            return False
        if queued:
            self._show_starting()
        return True

    def _drive(self, worker: WorkerProcess) -> bool:
        """Run the job on `worker` until it ends; False if the worker cannot be reused."""
        with self._worker_lock:
            worker.send(self._start_message())
            for command in self._pending:
                worker.send(command)
            self._pending.clear()
            self._worker = worker
        stop_deadline = None
        while True:
            if self._heartbeat.lost() and not self._orphaned:
                self._orphaned = True
                self.stop()
            if self._stop_requested.is_set() and stop_deadline is None and worker.ready:
                # Counted from when it can answer: a worker still importing torch is slow,
                # not stuck, and will read the stop as soon as it is up.
                stop_deadline = time.monotonic() + STOP_GRACE_S
            # A dead worker's pipe reads as EOF once its last messages are read, so a crash
            # is seen here too, after whatever it managed to send.
            try:
                if worker.events.poll(WATCH_S) and self._take(worker.events.recv(), worker):
                    return True
            except (EOFError, OSError):  # died, or the pool closed it at shutdown
                self._end_unreported(RunStatus.ERROR, _death_notice(worker))
                return False
            if stop_deadline is not None and time.monotonic() > stop_deadline:
                worker.kill()
                self._end_unreported(
                    RunStatus.STOPPED, "stopped (the training worker did not answer)"
                )
                return False

    def _take(self, message: Message, worker: WorkerProcess) -> bool:
        """One event from the worker; True when the job has ended."""
        if message[0] == "ready":
            worker.ready = True
            return False
        if message[1] != self._id:  # left over from an earlier job on this worker
            return False
        return self._handle(message)

    def _show_queue_place(self) -> None:
        place = self._pool.slots.position(self)
        if place is not None:
            self._show_queued(*place)

    def _queue_message(self, place: int, of: int) -> str:
        """What a queued job says: why it waits, or (if it no longer waits) its last place."""
        wait = self._pool.slots.waiting(self)
        return wait_message(wait) if wait is not None else queue_message(place, of)


def _death_notice(worker: WorkerProcess) -> str:
    code = worker.exit_code()
    shown = str(code)
    if code is not None and code < 0:
        try:
            shown = f"{code}, {signal.Signals(-code).name}"
        except ValueError:
            pass
    return f"the training worker stopped unexpectedly (exit code {shown})"
