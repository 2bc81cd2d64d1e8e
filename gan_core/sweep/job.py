"""A sweep in a worker process of the server's pool: started by a page, watched by polling.

Why a process and not a thread: a sweep step is ~80 tiny torch operations, and torch lets
go of the GIL around every one. In a thread of the Streamlit server, each of those is a
chance for the server's own threads (fragment reruns, the event loop) to take the GIL, and
the sweep then waits for it back: measured on a loaded 2-core machine, a sweep in a server
thread ran 3-5x slower than the same sweep in its own process.

The process is one of the warm training workers (`gan_core.jobs.pool`), under the same cap
on jobs at once and in the same first-come queue as training runs: past the cap, a sweep
waits its turn and says where it stands. The slot, the worker and a worker's death are
`PooledJob`'s business; the worker trains the plan (`jobs/worker.py`) and sends progress,
then its one outcome. The page reads a consistent `SweepStatus` whenever it polls.
Planning happens before the job starts, in the caller, so bad input is refused at once
with a `ConfigError`, never from inside the worker.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from gan_core.jobs.pool import WorkerPool
from gan_core.jobs.pooled_job import STOP_GRACE_S, Message, PooledJob, queue_message
from gan_core.jobs.slots import ANONYMOUS, Owner
from gan_core.jobs.status import RunStatus
from gan_core.jobs.steering import Heartbeat
from gan_core.sweep.run import SweepPlan, SweepResult

CLOSE_S = STOP_GRACE_S + 2.0  # a stopped sweep's worker is killed after STOP_GRACE_S
OUTCOMES = {"result": RunStatus.FINISHED, "stopped": RunStatus.STOPPED, "error": RunStatus.ERROR}


@dataclass(frozen=True)
class SweepStatus:
    state: RunStatus  # starting, queued, running, then finished, stopped or error
    done: int  # run-steps done
    total: int
    elapsed: float  # seconds since its turn came (a worker's start-up included)
    result: SweepResult | None
    message: str
    queue_place: tuple[int, int] | None = None  # (place, of) while queued

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def ended(self) -> bool:
        return self.state.ended


class SweepJob(PooledJob):
    def __init__(
        self,
        plan: SweepPlan,
        pool: WorkerPool | None = None,
        threads: int = 1,
        owner: Owner = ANONYMOUS,
    ) -> None:
        """`owner`: who asked for the sweep; it takes their share of the slots, as a run does."""
        # No heartbeat: the page's session slot stops the sweep when the session ends.
        super().__init__(pool, Heartbeat(None), owner)
        self.plan = plan
        self._threads = threads
        self._state_lock = threading.Lock()
        self._state = RunStatus.STARTING
        self._message = ""
        self._place: tuple[int, int] | None = None
        self._done = 0
        self._result: SweepResult | None = None
        self._began: float | None = None  # when its turn came
        self._ended_at: float | None = None

    def status(self) -> SweepStatus:
        with self._state_lock:
            now = self._ended_at or time.perf_counter()
            elapsed = now - self._began if self._began is not None else 0.0
            finished = self._state is RunStatus.FINISHED
            return SweepStatus(
                self._state,
                self.plan.run_steps if finished else self._done,
                self.plan.run_steps,
                elapsed,
                self._result,
                self._message,
                self._place if self._state is RunStatus.QUEUED else None,
            )

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the outcome; True if the job has ended."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def close(self) -> None:
        """Stop the sweep and wait for its end (its worker is killed if it does not stop)."""
        self.stop()
        if self._thread.ident is not None:
            self.join(CLOSE_S)

    # ------------------------------------------------------------------ in the pool

    def _start_message(self) -> Message:
        return ("sweep", self._id, self.plan, self._threads)

    def _handle(self, message: Message) -> bool:
        kind = message[0]
        if kind == "progress":
            with self._state_lock:
                self._done = message[2]
            return False
        if kind not in OUTCOMES:
            return False
        with self._state_lock:
            self._state = OUTCOMES[kind]
            if kind == "result":
                self._result = message[2]
            else:
                self._message = message[2]
        return True

    def _show_queued(self, place: int, of: int) -> None:
        with self._state_lock:
            self._state, self._place = RunStatus.QUEUED, (place, of)
            self._message = queue_message(place, of)

    def _show_starting(self) -> None:
        with self._state_lock:
            self._state, self._place, self._message = RunStatus.RUNNING, None, ""
            self._began = time.perf_counter()

    def _end_unreported(self, status: RunStatus, message: str) -> None:
        with self._state_lock:
            if not self._state.ended:
                self._state, self._message = status, message

    def _finished(self) -> None:
        with self._state_lock:
            self._ended_at = time.perf_counter()


class SweepSlot:
    """A session's one sweep: starting a new one stops the old; `release` stops it for good.

    The page keeps one slot per browser session in a session-scoped resource whose release
    hook is `release`, so a closed tab never leaves a sweep training.
    """

    def __init__(self, pool: WorkerPool | None = None) -> None:
        self._lock = threading.Lock()
        self._pool = pool  # None: the server's pool
        self.job: SweepJob | None = None

    def start(self, plan: SweepPlan, owner: Owner = ANONYMOUS) -> SweepJob:
        job = SweepJob(plan, self._pool, owner=owner)
        with self._lock:
            previous, self.job = self.job, job
        if previous is not None:  # ended first, so it frees its slot for the new one
            previous.close()
        return job.start()

    def release(self) -> None:
        with self._lock:
            job, self.job = self.job, None
        if job is not None:
            job.close()
