"""A sweep on a worker thread: started by a page, watched from the page's polling fragment.

The worker never touches the page. It updates progress under a lock; the page reads a
consistent `SweepStatus` whenever it polls. Planning happens before the thread starts (in
the caller's thread), so bad input is refused at once with a `ConfigError`, never from
inside the worker.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass

from gan_core.sweep import SweepPlan, SweepResult, SweepStopped, run_plan


@dataclass(frozen=True)
class SweepStatus:
    state: str  # running, finished, stopped, error
    done: int  # run-steps done
    total: int
    elapsed: float
    result: SweepResult | None
    message: str

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def ended(self) -> bool:
        return self.state != "running"


class SweepJob:
    def __init__(self, plan: SweepPlan):
        self.plan = plan
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._done, self._total = 0, plan.run_steps
        self._state, self._result, self._message = "running", None, ""
        self._started = time.perf_counter()
        self._ended_at: float | None = None
        self._thread = threading.Thread(target=self._work, name="sweep", daemon=True)
        self._thread.start()

    def _progress(self, done: int, total: int) -> None:
        with self._lock:
            self._done, self._total = done, total

    def _work(self) -> None:
        try:
            result = run_plan(self.plan, self._progress, self._stop.is_set)
            outcome = ("finished", result, "")
        except SweepStopped:
            outcome = ("stopped", None, "stopped before the end")
        except Exception as error:  # shown on the page; the traceback goes to the server log
            traceback.print_exc()
            outcome = ("error", None, f"{type(error).__name__}: {error}")
        with self._lock:
            self._state, self._result, self._message = outcome
            self._ended_at = time.perf_counter()

    def status(self) -> SweepStatus:
        with self._lock:
            end = self._ended_at or time.perf_counter()
            return SweepStatus(
                self._state,
                self._done,
                self._total,
                end - self._started,
                self._result,
                self._message,
            )

    def stop(self) -> None:
        """Ask the worker to stop at its next check (within CHECK_EVERY steps)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker; True if it has ended."""
        self._thread.join(timeout)
        return not self._thread.is_alive()


class SweepSlot:
    """A session's one sweep: starting a new one stops the old; `release` stops it for good.

    The page keeps one slot per browser session in a session-scoped resource whose release
    hook is `release`, so a closed tab never leaves a sweep training.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.job: SweepJob | None = None

    def start(self, plan: SweepPlan) -> SweepJob:
        job = SweepJob(plan)
        with self._lock:
            previous, self.job = self.job, job
        if previous is not None:
            previous.stop()
        return job

    def release(self) -> None:
        with self._lock:
            job, self.job = self.job, None
        if job is not None:
            job.stop()
