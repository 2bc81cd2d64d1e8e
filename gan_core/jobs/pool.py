"""Training worker processes kept warm and lent to one job at a time, and the cap on jobs.

Why processes: in one process the GIL lets only one session's training run Python at a
time, so two people training at once each get about half a core. A worker per job uses
the cores. Why a pool: a new Python process spends a second or two (of CPU) importing
torch, and a person pressing Train should see the first frame at once; an idle worker has
done that already.

The pool keeps `size` workers (one per job slot by default: `limits.pool_size`). A job takes
an idle one, ready ones first; when all are busy (more jobs than cores, allowed up to the
job cap) it starts one of its own, cold. When a job ends its worker goes back to the idle
list, unless `size` are idle already, so after a burst the pool shrinks back to `size` and
never churns processes while at most `size` jobs run. A dead worker is dropped and replaced
in the background.

One pool serves the whole server (`get_pool()`); it is shut down at interpreter exit, and
workers die with the server if it dies without that (see `worker_process.py`). The cap on
jobs and each person's share of it come from the server's settings (`limits.py`).
"""

from __future__ import annotations

import atexit
import threading
import time

from gan_core.jobs import limits as job_limits
from gan_core.jobs.slots import JobSlots
from gan_core.jobs.worker_process import EXIT_GRACE_S, WorkerProcess

WAVE_READY_S = 60.0  # at most this long for one wave of starting workers


class WorkerPool:
    def __init__(
        self,
        size: int | None = None,
        max_jobs: int | None = None,
        per_session: int | None = None,
        per_address: int | None = None,
    ) -> None:
        """Each limit not given is read from the server's settings (a `SettingError` if bad)."""
        self.size = job_limits.pool_size() if size is None else size
        self.slots = JobSlots(
            job_limits.max_jobs() if max_jobs is None else max_jobs,
            job_limits.per_session() if per_session is None else per_session,
            job_limits.per_address() if per_address is None else per_address,
        )
        self._lock = threading.Lock()
        self._idle: list[WorkerProcess] = []
        self._busy: set[WorkerProcess] = set()
        self._starting = 0  # workers being started for the idle list
        self._closed = False
        self._top_up()

    # ------------------------------------------------------------------ for jobs

    def checkout(self) -> WorkerProcess:
        """A worker for one job: an idle one if any is alive, else one started now (cold)."""
        while True:
            with self._lock:
                if self._closed:
                    raise RuntimeError("the training pool has shut down")
                # Ready ones first (imports done); one still starting beats a cold start.
                self._idle.sort(key=lambda w: w.wait_ready(0))
                worker = self._idle.pop() if self._idle else None
                if worker is not None and worker.alive():
                    self._busy.add(worker)
                    return worker
            if worker is None:
                return self._start_busy()
            worker.close(grace=0)  # died while idle (killed, out of memory): drop it
            self._top_up()

    def checkin(self, worker: WorkerProcess, reusable: bool) -> None:
        """A job is done with its worker; `reusable` is False if it died or stopped answering."""
        with self._lock:
            self._busy.discard(worker)
            keep = reusable and not self._closed and len(self._idle) < self.size
            keep = keep and worker.alive()
            if keep:
                self._idle.append(worker)
        if not keep:  # in the background: the job's end should not wait for a process exit
            threading.Thread(
                target=worker.close,
                args=(EXIT_GRACE_S if reusable else 0,),
                name="gan-pool-retire",
                daemon=True,
            ).start()
        self._top_up()

    # ------------------------------------------------------------------ looking at it

    def busy_count(self) -> int:
        """Workers that are running a job right now."""
        with self._lock:
            return len(self._busy)

    def idle_count(self) -> int:
        with self._lock:
            return len(self._idle)

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in [*self._idle, *self._busy]]

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Block until `size` idle workers have finished starting (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                idle, starting = list(self._idle), self._starting
                if len(idle) >= self.size and starting == 0:
                    # Reading "ready" under the lock: nobody can check these workers out meanwhile.
                    if all(w.wait_ready(max(0.0, deadline - time.monotonic())) for w in idle):
                        return True
            time.sleep(0.02)
        return False

    # ------------------------------------------------------------------ lifetime

    def shutdown(self) -> None:
        """Close every worker, idle or busy (a busy one's job then shows an error)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = [*self._idle, *self._busy]
            self._idle.clear()
        for worker in workers:
            worker.send(("exit",))  # all at once, so they exit in parallel
        for worker in workers:
            worker.close()

    def _start_busy(self) -> WorkerProcess:
        with self._lock:
            self._starting += 1
        try:
            worker = WorkerProcess()
        finally:
            with self._lock:
                self._starting -= 1
        with self._lock:
            if not self._closed:
                self._busy.add(worker)
                return worker
        worker.close()  # shut down while it was starting
        raise RuntimeError("the training pool has shut down")

    def _top_up(self) -> None:
        """Start workers in the background until the pool holds `size` again."""
        with self._lock:
            if self._closed:
                return
            missing = self.size - len(self._idle) - len(self._busy) - self._starting
            if missing <= 0:
                return
            self._starting += missing
        threading.Thread(
            target=self._start_idle, args=(missing,), name="gan-pool-start", daemon=True
        ).start()

    def _start_idle(self, count: int) -> None:
        # In waves of one per core, each waiting until its workers have imported torch:
        # started all at once, a dozen imports would share the cores and the first worker
        # would be ready only when nearly all are (the first Train waiting ~10 s).
        wave: list[WorkerProcess] = []
        for _ in range(count):
            if len(wave) >= job_limits.cores():
                for started in wave:
                    started.wait_ready(WAVE_READY_S)
                wave.clear()
            worker = None
            try:
                worker = WorkerProcess()
                wave.append(worker)
            except Exception:  # could not start (out of memory, ...): the next top-up retries
                pass
            with self._lock:
                self._starting -= 1
                if worker is not None and not self._closed:
                    self._idle.append(worker)
                    worker = None
            if worker is not None:  # the pool closed while it started
                worker.close()


_pool: WorkerPool | None = None
_pool_lock = threading.Lock()


def get_pool() -> WorkerPool:
    """The server's one pool, created on first use (call it early to have workers warm).

    Raises `SettingError` naming every bad server setting: no pool is half made."""
    global _pool
    with _pool_lock:
        if _pool is None:
            problems = job_limits.check_server_settings()
            if problems:
                raise job_limits.SettingError("the server is misconfigured: " + "; ".join(problems))
            _pool = WorkerPool()
            atexit.register(_pool.shutdown)
        return _pool


def shutdown_pool() -> None:
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        atexit.unregister(pool.shutdown)
        pool.shutdown()
