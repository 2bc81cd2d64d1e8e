"""Each browser session's one training job, and what the page has told it.

The job lives in a session-scoped resource cache whose release hook stops it, so a closed
tab never leaves a worker training; the job's own heartbeat timeout covers a session that
lingers without a page (the live view stamps the heartbeat on every poll). Sessions never
share a holder, so one person's run is invisible to another.

Besides a live job, the holder can show a saved run reopened from the store (a
`StoredRun`: read-only, never alive), which answers the same questions the page asks a job.

Every job says who asked for it (`who_is_asking`): the browser's session id, which all its
tabs share once its first run is saved, and the client's address. The server's slots are
shared out by these (`gan_core/jobs/limits.py`). A server started with bad settings
trains nothing: the page says so in one plain sentence instead of failing.
"""

from __future__ import annotations

import os
import threading

import streamlit as st
import torch
from streamlit.runtime.scriptrunner import get_script_run_ctx

from gan_core.config import GanConfig
from gan_core.i18n import _
from gan_core.jobs.limits import check_server_settings
from gan_core.jobs.pool import get_pool
from gan_core.jobs.process_job import ProcessTrainingJob
from gan_core.jobs.protocol import Job, TrainingRun, ViewOptions
from gan_core.jobs.slots import Owner
from gan_core.jobs.thread_job import TrainingJob
from gan_core.store.recorder import RunRecorder
from gan_core.store.stored_run import StoredRun
from gan_core.training.trainer import Trainer
from ui.plain_text import plain
from ui.session import session_id

# The networks are tiny: splitting each matmul over threads costs more in hand-offs than it
# saves, and several sessions' workers share the same few cores. One intra-op thread
# trains several times faster than the default on a loaded machine.
torch.set_num_threads(1)

# Generous, because a browser throttles timers in a background tab (to about once a minute
# after a few minutes); a closed tab is handled at once by the session release instead.
HEARTBEAT_TIMEOUT_S = 180.0
# A frame every 0.15 s from the worker: every poll of the page (five a second) finds a new
# one, and the worker spends two thirds of what ten a second would cost it on frames.
VIEW = ViewOptions(n_points=500, field_resolution=40, n_arrows=40, frame_interval=0.15)
HOLDER_STATE_KEY = "job_holder"  # the same holder, reachable from session state (tests)

# Where a session's job trains. "process" (the default): in a warm worker process of its
# own, so sessions training at once use every core instead of sharing one through the GIL,
# and the page's own work never slows the training. "thread" (GANSCOPE_TRAINING=thread): on
# a worker thread of the server, for a machine where extra processes are unwelcome.
JOB_CLASS = TrainingJob if os.environ.get("GANSCOPE_TRAINING") == "thread" else ProcessTrainingJob
if JOB_CLASS is ProcessTrainingJob and not check_server_settings():
    get_pool()  # start the warm workers now, so the first Train does not wait for a torch import


class JobHolder:
    """The session's current job (or None) and the live settings last sent to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.job: Job | None = None  # a TrainingRun, or a StoredRun
        self.recorder: RunRecorder | None = None  # saving the current job, if it is saved
        self.run_config: GanConfig | None = None  # the run's settings, live edits included
        self.sent_learning_rates: tuple[float, float] | None = None
        self.sent_speed: float | None = None

    def start(
        self,
        config: GanConfig,
        steps_per_second: float | None,
        paused: bool = False,
        recorder: RunRecorder | None = None,
        trainer: Trainer | None = None,
    ) -> TrainingRun:
        """A new run of `config` (continuing `trainer`, if given), saved by `recorder`."""
        job = new_job(config, steps_per_second, paused, recorder, trainer)
        with self._lock:
            previous, self.job = self.job, job
            self.recorder = recorder
            self.run_config = config
            self.sent_learning_rates = (config.lr_d, config.lr_g)
            self.sent_speed = steps_per_second
        if previous is not None:
            previous.stop()
        return job.start()

    def show(self, stored: StoredRun) -> None:
        """Show a saved run in place of the current one (which stops)."""
        with self._lock:
            previous, self.job = self.job, stored
            self.recorder = None
            self.run_config = stored.config
        if previous is not None:
            previous.stop()

    def clear(self) -> None:
        with self._lock:
            previous, self.job = self.job, None
            self.recorder = None
            self.run_config = None
        if previous is not None:
            previous.stop()

    def forget_if_outdated(self, config: GanConfig) -> None:
        """Drop an ended run once the settings move on, so the page previews the new ones
        at once (a run still going or paused stays: its settings are shown as changed)."""
        job = self.job
        if job is not None and not job.alive and self.run_config != config:
            self.clear()

    def release(self) -> None:
        """Called by Streamlit when the session goes away (from another thread)."""
        self.clear()

    def send_learning_rates(self, lr_d: float, lr_g: float) -> None:
        """Pass changed learning rates to a live run; it applies them without restarting."""
        job = self.job
        if job is None or not job.alive or self.sent_learning_rates == (lr_d, lr_g):
            return  # a StoredRun is never alive: only a TrainingRun gets here
        job.set_learning_rates(lr_d, lr_g)  # validates: ConfigError reaches the caller
        self.sent_learning_rates = (lr_d, lr_g)
        self.run_config = self.run_config.replace(lr_d=lr_d, lr_g=lr_g)

    def send_speed(self, steps_per_second: float | None) -> None:
        job = self.job
        if job is None or not job.alive or self.sent_speed == steps_per_second:
            return
        job.set_speed(steps_per_second)
        self.sent_speed = steps_per_second


def new_job(
    config: GanConfig,
    steps_per_second: float | None,
    paused: bool,
    recorder: RunRecorder | None,
    trainer: Trainer | None,
) -> TrainingRun:
    """The one place a session's training job is built."""
    hooks = {"on_frame": recorder.on_frame, "on_end": recorder.on_end} if recorder else {}
    if JOB_CLASS is ProcessTrainingJob:  # a thread job takes no slot: nothing to share out
        hooks["owner"] = who_is_asking()
    return JOB_CLASS(
        config,
        view=VIEW,
        steps_per_second=steps_per_second,
        start_paused=paused,
        heartbeat_timeout=HEARTBEAT_TIMEOUT_S,
        trainer=trainer,
        **hooks,
    )


def who_is_asking() -> Owner:
    """This browser (its saved session id, else this tab's session) and its address.

    Streamlit gives no address for localhost: that is the server's own machine, or a proxy
    on it through which everyone would look alike, so it is left unknown, not grouped."""
    session = session_id.current()
    if session is None:
        context = get_script_run_ctx()
        session = context.session_id if context is not None else None
    try:
        address = st.context.ip_address
    except Exception:  # no browser connection (bare mode, some test harnesses)
        address = None
    # A string or nothing: a test harness without a browser gives a stand-in object.
    return Owner(session, address if isinstance(address, str) and address else None)


@st.cache_resource(scope="session", on_release=JobHolder.release, show_spinner=False)
def _session_holder() -> JobHolder:
    return JobHolder()


def holder() -> JobHolder:
    """The session's holder; on a misconfigured server, a plain message and the page stops."""
    problems = check_server_settings()
    if problems:
        st.error(
            plain(
                _(
                    "This server is misconfigured and cannot train: {problems}. "
                    "Whoever runs it must correct the setting and restart it."
                ).format(problems="; ".join(problems))
            )
        )
        st.stop()
    found = _session_holder()
    st.session_state[HOLDER_STATE_KEY] = found
    return found
