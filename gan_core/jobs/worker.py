"""The worker process: runs one job at a time for the server, a training run or a sweep.

    python -m gan_core.jobs.worker COMMANDS_FD EVENTS_FD SERVER_PID   (see `worker_process`)

The pool starts this process once and hands it jobs one after another. A training run is an
ordinary thread `TrainingJob` in here, so pausing, stepping, speed caps and divergence
behave exactly as they do in the server; a sweep is `run_plan` on a thread of its own. This
module only carries messages across.

Server -> worker (`commands`), every message but "exit" tagged with the job's id:
    ("run", id, config, view, steps_per_second, start_paused, checkpoint bytes | None)
    ("sweep", id, plan, torch threads)
    ("pause", id)  ("resume", id)  ("step", id, part)  ("lr", id, lr_d, lr_g)
    ("speed", id, steps_per_second)  ("stop", id)  ("checkpoint", id, request)  ("exit",)
    A sweep takes only "stop", honoured at its next check (see sweep/train.py).
Worker -> server (`events`):
    ("ready", pid)  once, when started
    a run:   ("frame", id, Frame)  every frame the job publishes (the training thread sends it)
             ("frame", id, Frame, True)  the same, its log left out: it is the last one sent
             ("checkpoint", id, request, bytes | None, error text)
             ("ended", id, final checkpoint bytes | None)  after the job's last frame
    a sweep: ("progress", id, run-steps done)  a few times a second
             then one of ("result", id, SweepResult), ("stopped", id, why), ("error", id, why)

A command whose id is not the running job's is for a job that has already ended here and
is dropped. When the server goes away (its end of `commands` closes), the worker stops its
job and exits; and the kernel kills it when the server's process dies (see
`worker_process.die_with_parent`), so a crashed server never leaves training behind.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Protocol

import pandas as pd
import torch

from gan_core.jobs.protocol import Frame, first_frame
from gan_core.jobs.status import RunStatus
from gan_core.jobs.thread_job import TrainingJob
from gan_core.jobs.worker_process import die_with_parent
from gan_core.sweep.run import SweepPlan, SweepStopped, run_plan
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.training.history import LogRows, log_rows

PROCESS_NAME = "ganscope-worker"  # as `ps` shows it (Linux allows at most 15 characters)
COMMAND_POLL_S = 0.05  # how often the worker notices its job ended without a command
PROGRESS_S = 0.1  # at most this often a sweep reports its progress

Message = tuple[Any, ...]


class Outbox:
    """The events pipe, shared by the job's thread (frames, progress) and the main thread."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        with self._lock:
            self._connection.send(message)


class Running(Protocol):
    """A job running on a thread of this process, as the command relay sees it."""

    @property
    def alive(self) -> bool: ...

    def stop(self) -> None: ...

    def wait(self, timeout: float | None = None) -> bool: ...


def serve(commands: Connection, events: Connection) -> None:
    """The worker's main loop: wait for a job, run it while relaying commands, repeat."""
    # Ctrl+C in the server's terminal reaches the whole process group: the server decides
    # when its workers end, not the keyboard.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(1)  # tiny networks; the cores belong to the other sessions' workers
    _name_process(PROCESS_NAME)
    outbox = Outbox(events)
    try:
        outbox.send(("ready", os.getpid()))
    except OSError:  # the server shut its pool down while this process was starting
        return
    message: Message | None = None
    while True:
        if message is None:
            try:
                message = commands.recv()
            except EOFError:  # the server went away
                return
        if message[0] == "exit":
            return
        begin = JOB_KINDS.get(message[0])
        message = begin(message, commands, outbox) if begin is not None else None


# ---------------------------------------------------------------------- a training run

_NO_LOG = pd.DataFrame()  # in a frame sent with its log left out (the last one still holds)


def _train(message: Message, commands: Connection, outbox: Outbox) -> Message | None:
    """Run one training job to its end; returns a message that arrived for after it."""
    _, job_id, config, view, steps_per_second, start_paused, resume = message

    sent_rows: list[LogRows] = []  # the log rows the last frame sent held

    def on_frame(_job: TrainingJob, frame: Frame) -> None:
        # A long run logs a row only every few hundred steps: most frames bring the same
        # log, which the server would unpickle (a pandas frame: the dearest part of a frame
        # to read) for nothing. Those go without it, flagged to keep the one it has.
        rows = log_rows(frame.history)
        if sent_rows and rows == sent_rows[0]:
            outbox.send(("frame", job_id, dataclasses.replace(frame, history=_NO_LOG), True))
            return
        sent_rows[:] = [rows]
        outbox.send(("frame", job_id, frame))

    def on_end(job: TrainingJob) -> None:
        # The final state travels with the end, so the server can still save or restore
        # the run after this process has moved on to another job.
        final = None
        if job.trainer is not None:
            try:
                final = checkpoint_bytes(job.trainer)
            except Exception:  # a run that cannot be saved still ends cleanly
                final = None
        outbox.send(("ended", job_id, final))

    try:
        trainer = load_checkpoint(resume) if resume is not None else None
        job = TrainingJob(
            config,
            view=view,
            steps_per_second=steps_per_second,
            start_paused=start_paused,
            on_frame=on_frame,
            on_end=on_end,
            trainer=trainer,
        )
    except Exception as error:  # the run cannot begin: say why, and stay ready for the next
        why = f"{type(error).__name__}: {error}"
        outbox.send(("frame", job_id, first_frame(config, RunStatus.ERROR, why, number=1)))
        outbox.send(("ended", job_id, None))
        return None
    job.start()
    return _relay(job_id, job, lambda command: _steer(job, command, outbox), commands)


def _steer(job: TrainingJob, command: Message, outbox: Outbox) -> None:
    kind = command[0]
    if kind == "pause":
        job.pause()
    elif kind == "resume":
        job.resume()
    elif kind == "step":
        job.step(command[2])
    elif kind == "lr":
        job.set_learning_rates(command[2], command[3])
    elif kind == "speed":
        job.set_speed(command[2])
    elif kind == "stop":
        job.stop()
    elif kind == "checkpoint":
        data, error = None, ""
        try:
            data = job.checkpoint()
        except Exception as failure:  # the caller gets the reason; the run goes on
            error = f"{type(failure).__name__}: {failure}"
        outbox.send(("checkpoint", command[1], command[2], data, error))


# ---------------------------------------------------------------------- a sweep


class SweepRun:
    """A sweep's plan trained on a thread of its own: progress while it trains, then one
    outcome. A stop is honoured at the sweep's next check."""

    def __init__(self, job_id: int, plan: SweepPlan, threads: int, outbox: Outbox) -> None:
        self._id, self._plan, self._threads, self._outbox = job_id, plan, threads, outbox
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="gan-sweep", daemon=True)
        self._reported = 0.0  # when progress was last sent

    def start(self) -> SweepRun:
        self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _progress(self, done: int, _total: int) -> None:
        now = time.monotonic()
        if now - self._reported >= PROGRESS_S:
            self._reported = now
            self._outbox.send(("progress", self._id, done))

    def _work(self) -> None:
        try:
            result = run_plan(self._plan, self._progress, self._stop.is_set, self._threads)
        except SweepStopped:
            self._outbox.send(("stopped", self._id, "stopped before the end"))
        except Exception as error:  # shown on the page; the traceback goes to the server log
            traceback.print_exc()
            self._outbox.send(("error", self._id, f"{type(error).__name__}: {error}"))
        else:
            self._outbox.send(("result", self._id, result))


def _sweep(message: Message, commands: Connection, outbox: Outbox) -> Message | None:
    """Run one sweep to its end; returns a message that arrived for after it."""
    _, job_id, plan, threads = message
    sweep = SweepRun(job_id, plan, threads, outbox).start()

    def stop_only(command: Message) -> None:
        if command[0] == "stop":
            sweep.stop()

    return _relay(job_id, sweep, stop_only, commands)


# ---------------------------------------------------------------------- for either


JOB_KINDS: dict[str, Callable[[Message, Connection, Outbox], Message | None]] = {
    "run": _train,
    "sweep": _sweep,
}


def _relay(
    job_id: int, job: Running, apply: Callable[[Message], None], commands: Connection
) -> Message | None:
    """Hand the job's commands to `apply` until it ends; returns a message for after it."""
    while job.alive:
        if not commands.poll(COMMAND_POLL_S):
            continue
        try:
            command = commands.recv()
        except EOFError:  # the server went away: end the job, then the process
            job.stop()
            job.wait(1.0)
            return ("exit",)
        if command[0] == "exit":  # the pool is closing
            job.stop()
            job.wait(1.0)
            return command
        if command[0] in JOB_KINDS:  # this job ended and the server already sent the next
            job.wait()
            return command
        if command[1] == job_id:
            apply(command)
    job.wait()
    return None


def _name_process(name: str) -> None:
    """Let `ps`, `top` and the tests tell training workers from other processes."""
    try:
        with open("/proc/self/comm", "w") as handle:
            handle.write(name)
    except OSError:  # not Linux, or /proc is read-only: only the name is lost
        pass


if __name__ == "__main__":
    die_with_parent(int(sys.argv[3]))
    serve(
        Connection(int(sys.argv[1]), writable=False),
        Connection(int(sys.argv[2]), readable=False),
    )
    # Nothing is left to save, and tearing down torch's interpreter state can take seconds
    # on a busy machine: leave at once, so a closing pool or a dead server frees the core.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
