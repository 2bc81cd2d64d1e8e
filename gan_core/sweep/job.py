"""A sweep in a worker process: started by a page, watched from the page's polling fragment.

Why a process and not a thread: a sweep step is ~80 tiny torch operations, and torch lets
go of the GIL around every one. In a thread of the Streamlit server, each of those is a
chance for the server's own threads (fragment reruns, the event loop) to take the GIL, and
the sweep then waits for it back: measured on a loaded 2-core machine, a sweep in a server
thread ran 3-5x slower than the same sweep in its own process. In a process of its own it
runs at command-line speed, and one torch thread there is its own business.

Processes come from a fork server that has imported the engine once (the first sweep of a
server pays for importing torch; later ones start in milliseconds), so starting is cheap
and safe in the threaded server (nothing is forked from it directly). The worker never
touches the page: it writes its progress into a shared counter and sends its one result
(or why it has none) through a pipe; the page reads a consistent `SweepStatus` whenever it
polls. Planning happens before the process starts, in the caller, so bad input is refused
at once with a `ConfigError`, never from inside the worker.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
import traceback
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from gan_core.sweep.run import SweepPlan, SweepResult, SweepStopped, run_plan

STOP_GRACE_S = 2.0  # a stopped worker ends at its next check; past this it is terminated
_context = None


def _process_context():
    """The fork-server context, with the engine preloaded in the server (set up once)."""
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["gan_core.sweep.job"])
        _context = context
    return _context


_start_lock = threading.Lock()


@contextmanager
def _no_main_script() -> Iterator[None]:
    """Hide the running page from multiprocessing while a worker starts.

    A new process is prepared by re-running the parent's `__main__` file, and in Streamlit
    `__main__` is the page being run: every worker would run the whole page again. During
    `start()` only, `__main__` is a bare module with no file, so the worker imports just
    what it unpickles (gan_core). If Streamlit swaps in another page's module meanwhile,
    that one is left in place.
    """
    with _start_lock:
        real = sys.modules.get("__main__")
        bare = types.ModuleType("__main__")
        sys.modules["__main__"] = bare
        try:
            yield
        finally:
            if sys.modules.get("__main__") is bare:
                sys.modules["__main__"] = real


def _work(plan: SweepPlan, done, stop, conn, threads: int) -> None:
    """The worker process: run the plan, report progress, send the outcome."""

    def progress(count: int, _total: int) -> None:
        done.value = count

    try:
        conn.send(("finished", run_plan(plan, progress, stop.is_set, threads), ""))
    except SweepStopped:
        conn.send(("stopped", None, "stopped before the end"))
    except Exception as error:  # shown on the page; the traceback goes to the server log
        traceback.print_exc()
        conn.send(("error", None, f"{type(error).__name__}: {error}"))
    finally:
        conn.close()


@dataclass(frozen=True)
class SweepStatus:
    state: str  # running, finished, stopped, error
    done: int  # run-steps done
    total: int
    elapsed: float  # seconds since the job started, process start-up included
    result: SweepResult | None
    message: str

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def ended(self) -> bool:
        return self.state != "running"


class SweepJob:
    def __init__(self, plan: SweepPlan, threads: int = 1):
        self.plan = plan
        context = _process_context()
        self._lock = threading.Lock()
        self._done = context.Value("q", 0, lock=False)  # one aligned int64: reads are whole
        self._stop = context.Event()
        self._receive, send = context.Pipe(duplex=False)
        self._state, self._result, self._message = "running", None, ""
        self._started = time.perf_counter()
        self._ended_at: float | None = None
        self._process = context.Process(
            target=_work,
            args=(plan, self._done, self._stop, send, threads),
            name="sweep",
            daemon=True,  # never outlives the server
        )
        with _no_main_script():
            self._process.start()
        send.close()  # the worker holds the only sending end: EOF means it has gone

    def status(self) -> SweepStatus:
        with self._lock:
            if self._state == "running":
                self._collect()
            end = self._ended_at or time.perf_counter()
            done = self.plan.run_steps if self._state == "finished" else self._done.value
            return SweepStatus(
                self._state,
                done,
                self.plan.run_steps,
                end - self._started,
                self._result,
                self._message,
            )

    def _collect(self) -> None:
        """Take the worker's outcome if it has sent one (call with the lock held)."""
        try:
            if not self._receive.poll():
                return
            self._state, self._result, self._message = self._receive.recv()
        except (EOFError, OSError):
            self._process.join(STOP_GRACE_S)
            self._state = "error"
            self._message = f"the sweep process ended unexpectedly ({self._process.exitcode})"
        self._ended_at = time.perf_counter()
        self._receive.close()
        self._process.join(STOP_GRACE_S)

    def stop(self) -> None:
        """Ask the worker to stop at its next check (within CHECK_EVERY steps)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the outcome; True if the job has ended."""
        deadline = None if timeout is None else time.perf_counter() + timeout
        while not self.status().ended:
            if deadline is not None and time.perf_counter() >= deadline:
                return False
            self._process.join(0.05)
        return True

    def close(self) -> None:
        """Stop the worker and wait for it; terminate it if it does not end in time."""
        self.stop()
        if not self.join(STOP_GRACE_S) and self._process.is_alive():
            self._process.terminate()
            self._process.join(STOP_GRACE_S)


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
            previous.close()
        return job

    def release(self) -> None:
        with self._lock:
            job, self.job = self.job, None
        if job is not None:
            job.close()
