"""The training worker process: runs one `TrainingJob` at a time for the server, over pipes.

    python -m gan_core.jobs.worker COMMANDS_FD EVENTS_FD   (started by `worker_process`)

The pool starts this process once and hands it jobs one after another. Inside, the run is
an ordinary thread `TrainingJob`, so pausing, stepping, speed caps and divergence behave
exactly as they do in the server; this module only carries messages across.

Server -> worker (`commands`), every message but "exit" tagged with the job's id:
    ("run", id, config, view, steps_per_second, start_paused, checkpoint bytes | None)
    ("pause", id)  ("resume", id)  ("step", id, part)  ("lr", id, lr_d, lr_g)
    ("speed", id, steps_per_second)  ("stop", id)  ("checkpoint", id, request)  ("exit",)
Worker -> server (`events`):
    ("ready", pid)  once, when started
    ("frame", id, Frame)  every frame the job publishes (the training thread sends it)
    ("checkpoint", id, request, bytes | None, error text)
    ("ended", id, final checkpoint bytes | None)  after the job's last frame

A command whose id is not the running job's is for a job that has already ended here and
is dropped. When the server goes away (its end of `commands` closes), the worker stops its
job and exits, so a crashed server never leaves training processes behind.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
from multiprocessing.connection import Connection

import pandas as pd
import torch

from gan_core.jobs.thread_job import Frame, TrainingJob
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint

PROCESS_NAME = "ganscope-worker"  # as `ps` shows it (Linux allows at most 15 characters)
COMMAND_POLL_S = 0.05  # how often the worker notices its job ended without a command


class Outbox:
    """The events pipe, shared by the training thread (frames) and the main thread (replies)."""

    def __init__(self, connection):
        self._connection = connection
        self._lock = threading.Lock()

    def send(self, message) -> None:
        with self._lock:
            self._connection.send(message)


def serve(commands, events) -> None:
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
    message = None
    while True:
        if message is None:
            try:
                message = commands.recv()
            except EOFError:  # the server went away
                return
        if message[0] == "exit":
            return
        message = _run(message, commands, outbox) if message[0] == "run" else None


def _run(message, commands, outbox):
    """Run one job to its end; returns a message that arrived for after it, or None."""
    _, job_id, config, view, steps_per_second, start_paused, resume = message

    def on_frame(_job, frame) -> None:
        outbox.send(("frame", job_id, frame))

    def on_end(job) -> None:
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
        failed = Frame(
            "error",
            f"{type(error).__name__}: {error}",
            None,
            pd.DataFrame(),
            0.0,
            math.nan,
            1,
            config,
        )
        outbox.send(("frame", job_id, failed))
        outbox.send(("ended", job_id, None))
        return None
    job.start()
    while job.alive:
        if not commands.poll(COMMAND_POLL_S):
            continue
        try:
            command = commands.recv()
        except EOFError:  # the server went away: end the run, then the process
            job.stop()
            job.wait(1.0)
            return ("exit",)
        if command[0] == "exit":  # the pool is closing
            job.stop()
            job.wait(1.0)
            return command
        if command[0] == "run":  # this job ended and the server already sent the next one
            job.wait()
            return command
        if command[1] == job_id:
            _apply(job, command, outbox)
    job.wait()
    return None


def _apply(job: TrainingJob, command, outbox: Outbox) -> None:
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


def _name_process(name: str) -> None:
    """Let `ps`, `top` and the tests tell training workers from other processes."""
    try:
        with open("/proc/self/comm", "w") as handle:
            handle.write(name)
    except OSError:  # not Linux, or /proc is read-only: only the name is lost
        pass


if __name__ == "__main__":
    serve(
        Connection(int(sys.argv[1]), writable=False),
        Connection(int(sys.argv[2]), readable=False),
    )
    # Nothing is left to save, and tearing down torch's interpreter state can take seconds
    # on a busy machine: leave at once, so a closing pool or a dead server frees the core.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
