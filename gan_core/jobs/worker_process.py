"""One training worker process, seen from the server: start it, talk to it, end it.

The worker is a fresh interpreter, `python -m gan_core.jobs.worker`, never a fork of the
server (whose threads, locks and Tornado loop a fork would copy in an unknown state). It is
launched with `subprocess` rather than multiprocessing's 'spawn' or 'forkserver': under
Streamlit, `sys.modules["__main__"]` is the page script being run, and both of those start
methods re-execute `__main__` in every child (Python 3.11's fork server does not honour a
'__main__' preload either), so each worker would run the dashboard page before training.
With an explicit command line the worker runs nothing of the server's but gan_core.

Each worker runs in a session of its own: signals for the server's terminal (Ctrl+C,
Ctrl+Z, hang-up) do not reach it, the server decides when it ends; and where the kernel
groups CPU time by session (autogroup), each person's training competes for the cores as
a unit of its own instead of splitting the server's one share.

Two one-way pipes carry pickled messages (see `worker.py` for the protocol). The server
keeps only its own ends: when the worker dies, its end of `events` closes with it and a
read gives EOF at once, whatever killed it.

A worker dies with the server, however the server dies (the out-of-memory killer's
SIGKILL included): on Linux it asks the kernel for SIGKILL when its parent goes
(`die_with_parent`, PR_SET_PDEATHSIG), so neither a busy training thread nor a pipe end
that outlives the server (a copy in some forked process) can keep it training for nobody.
Elsewhere, the closing command pipe is the only sign. The kernel counts the *thread* that
started a child as its parent, and workers are wanted from short-lived threads (a pool
top-up, a job's watcher), so every worker is started by one launcher thread that lives as
long as the server.
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the directory holding gan_core
EXIT_GRACE_S = 2.0  # for a worker asked to exit, before it is terminated
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

Launch = Callable[[], "subprocess.Popen[bytes]"]


class _Launcher:
    """One long-lived thread that starts every worker process (see above for why)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: queue.Queue[tuple[Launch, Future[subprocess.Popen[bytes]]]]
        self._requests = queue.Queue()
        self._thread: threading.Thread | None = None

    def launch(self, start: Launch) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="gan-worker-launcher", daemon=True
                )
                self._thread.start()
        if threading.current_thread() is self._thread:
            return start()
        started: Future[subprocess.Popen[bytes]] = Future()
        self._requests.put((start, started))
        return started.result()

    def _serve(self) -> None:
        while True:
            start, started = self._requests.get()
            try:
                started.set_result(start())
            except BaseException as error:  # the caller's to handle, in the caller's thread
                started.set_exception(error)


_launcher = _Launcher()


class WorkerProcess:
    def __init__(self) -> None:
        commands_in, commands_out = os.pipe()  # server -> worker
        events_in, events_out = os.pipe()  # worker -> server
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p
        )
        command = [sys.executable, "-m", "gan_core.jobs.worker"]
        command += [str(commands_in), str(events_out), str(os.getpid())]
        try:
            self.process = _launcher.launch(
                lambda: subprocess.Popen(
                    command,
                    pass_fds=(commands_in, events_out),  # every other descriptor stays closed
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,  # see above
                    env=env,
                )
            )
        except BaseException:
            for fd in (commands_out, events_in):
                os.close(fd)
            raise
        finally:
            os.close(commands_in)
            os.close(events_out)
        self.commands = Connection(commands_out, readable=False)
        self.events = Connection(events_in, writable=False)
        self._send_lock = threading.Lock()  # steering comes from several server threads
        self.ready = False  # its "ready" message has been read: imports done

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, message: tuple[Any, ...]) -> bool:
        """Send a command; False if the worker is gone."""
        try:
            with self._send_lock:
                self.commands.send(message)
            return True
        except (OSError, ValueError):  # broken pipe, or our end already closed
            return False

    def wait_ready(self, timeout: float) -> bool:
        """Read its "ready" message; only while no job owns the worker (jobs read events)."""
        if not self.ready and self.events.poll(timeout):
            try:
                self.ready = self.events.recv()[0] == "ready"
            except (EOFError, OSError):
                return False
        return self.ready

    def exit_code(self, timeout: float = 1.0) -> int | None:
        """Its exit status (negative: the signal that ended it); None if still running."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self, grace: float = EXIT_GRACE_S) -> None:
        """Ask it to exit; terminate, then kill, if it does not. Reaps the process."""
        self.send(("exit",))
        for ending in (None, self.process.terminate, self.process.kill):
            if ending is not None:
                ending()
            try:
                self.process.wait(grace if ending is None else 1.0)
                break
            except subprocess.TimeoutExpired:
                continue
        for connection in (self.commands, self.events):
            connection.close()

    def kill(self) -> None:
        """End it now: for a worker that stopped answering."""
        if self.alive():
            self.process.kill()
        self.exit_code(EXIT_GRACE_S)


def die_with_parent(parent_pid: int) -> None:
    """In a worker, first thing: be killed when the server (`parent_pid`) dies.

    If the server died before the request was made, the kernel will never send the
    signal: the parent is then another process already, and the worker leaves at once."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the closing command pipe remains the sign
        pass
    if os.getppid() != parent_pid:
        os._exit(0)
