"""What the run buttons do: Train, Pause, Resume, Step (both, D, G), Stop, Reset, and
Continue (a reopened saved run, as a new run).

A button's callback only records the request; the script performs it after the sidebar
has read every control, so Train always starts with the settings on screen, and every
button then renders with the state the action left behind. After a command, the script
waits briefly (well under a second) for the worker to acknowledge it, so the page redraws
with the new status rather than the old one. Training itself never runs here. Every run
started here is saved to the run store as it trains (ui/session/run_store.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from gan_core.config import ConfigError, GanConfig
from gan_core.i18n import N_, _
from gan_core.jobs.cost import check_run
from gan_core.jobs.protocol import Frame, Job
from gan_core.jobs.status import RunStatus
from gan_core.store.stored_run import StoredRun
from gan_core.training.step_part import StepPart
from ui.live import narration
from ui.session import notices, run_store
from ui.session.session_job import HOLDER_STATE_KEY, JobHolder

REQUEST_KEY = "run_request"
ACTIONS = ("train", "pause", "resume", "step", "step_d", "step_g", "stop", "reset", "continue")
STEP_PARTS = {"step": StepPart.BOTH, "step_d": StepPart.D, "step_g": StepPart.G}
ACK_TIMEOUT_S = 1.0
ENDED_STEP_NOTE = N_(  # translated where shown
    "Step works on a live run, and this one has ended. Train starts a new run; Reset clears "
    "this one so that Step starts a new run paused at step 0."
)


def request(action: str) -> None:
    """Button callback. Stop acts here, before the script runs: it needs no settings, and
    the worker stops one script run's worth of time sooner."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    st.session_state[REQUEST_KEY] = action
    holder = st.session_state.get(HOLDER_STATE_KEY)
    if action == "stop" and holder is not None and holder.job is not None and holder.job.alive:
        holder.job.stop()


def perform_pending(holder: JobHolder, config: GanConfig, steps_per_second: float | None) -> None:
    action = st.session_state.pop(REQUEST_KEY, None)
    if action is None:
        return
    job = holder.job
    live = job is not None and job.alive  # a StoredRun never is
    narration.forget()  # a step narrates itself again below
    if action in ("train", "continue") or (action in STEP_PARTS and job is None):
        run_config = job.config if action == "continue" and isinstance(job, StoredRun) else config
        if _over_cost(run_config):
            return
    if action == "train":
        job = holder.start(config, steps_per_second, recorder=run_store.recorder_for(config))
        _await(job, _has_started)
    elif action == "continue" and isinstance(job, StoredRun) and job.can_continue:
        trainer = job.restore()
        recorder = run_store.recorder_for(trainer.config, name=_continued_name(job))
        job = holder.start(trainer.config, steps_per_second, recorder=recorder, trainer=trainer)
        _await(job, _has_started)
    elif action == "pause" and live:
        job.pause()
        _await(job, lambda f: f.status != RunStatus.RUNNING)
    elif action == "resume" and live:
        job.resume()
        _await(job, lambda f: f.status != RunStatus.PAUSED)
    elif action in STEP_PARTS:
        if job is not None and not live:
            # The run ended (or a saved run is shown) between the page's last render and
            # the click: a step would silently start it over from step 0, so say so instead.
            notices.post("page", "warning", _(ENDED_STEP_NOTE))
            return
        if not live:  # first step of a fresh run: start it paused, then step
            recorder = run_store.recorder_for(config)
            job = holder.start(config, steps_per_second, paused=True, recorder=recorder)
            _await(job, lambda f: f.status != RunStatus.STARTING)
        before = job.frame()
        job.step(STEP_PARTS[action])
        # A frame may be on its way for an earlier command: wait for the one with the step.
        _await(job, lambda f: f.number > before.number and _moved(before, f))
        narration.tell(action, before.snapshot, job.frame().snapshot, job.frame().config.loss)
    elif action == "stop" and live:
        job.stop()
        job.wait(ACK_TIMEOUT_S)
    elif action == "reset":
        holder.clear()


def _over_cost(config: GanConfig) -> bool:
    """Refuse (with a notice saying what to lower) a run over the server's cost limit,
    before a recorder files it in the store: nothing starts, nothing running stops."""
    try:
        check_run(config)
    except ConfigError as refusal:
        notices.post("page", "error", str(refusal))
        return True
    return False


def _continued_name(stored: StoredRun) -> str:
    return f"{stored.record.name[:60]} (from #{stored.run_id})"


def _moved(before: Frame, after: Frame) -> bool:
    """The run's count of whole steps or of lone updates changed between the frames."""
    old, new = before.snapshot, after.snapshot
    if old is None or new is None:
        return new is not None
    return (old.step, old.lone_updates) != (new.step, new.lone_updates)


def _has_started(frame: Frame) -> bool:
    """The run's first steps are in the frame (or it is queued, or already over): waiting
    for them lets the page's answer to Train show the run going, not "Starting"."""
    if frame.status == RunStatus.STARTING:
        return False
    if frame.status != RunStatus.RUNNING:
        return True
    return frame.snapshot is not None and frame.snapshot.step > 0


def _await(job: Job, done: Callable[[Frame], bool]) -> None:
    deadline = time.monotonic() + ACK_TIMEOUT_S
    while time.monotonic() < deadline and job.alive and not done(job.frame()):
        time.sleep(0.01)
