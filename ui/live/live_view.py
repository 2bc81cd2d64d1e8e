"""The live view: status, progress, metrics and charts, redrawn by polling the job.

A fragment re-runs itself while a run is going, reading the job's latest frame (the worker
never touches Streamlit, and the script never trains). Where the server serves chart feeds
(`chart_feed`, the server started on `app.py`) the charts' frame fetches each frame from
the feed itself, figures, maths and numbers (which it writes into the numbers' own
elements), and asks the page to run again as soon as the run's status moves on. So while a
run trains the fragment reruns only every POLL_FED_S, for the notes and the job's heartbeat.
Without a feed the fragment reruns every POLL_RUNNING_S and sends the figures itself.
While paused it polls slowly, only to keep the job's heartbeat alive. Whenever the
fragment finds that it should poll at another rate (the run started, or ended) it asks
once for a full rerun, which sets the new rate; an ended run is drawn in its static form
(buttons included) with no timer at all.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from gan_core.config import GanConfig
from gan_core.i18n import _, current_language
from gan_core.jobs.status import RunStatus
from gan_core.store.stored_run import StoredRun
from ui.live import (
    chart_feed,
    charts,
    live_maths,
    metrics_row,
    narration,
    replay,
    status_badge,
    view_state,
)
from ui.plain_text import cut, plain
from ui.session import run_store, session_id
from ui.session.guard import guarded
from ui.session.session_job import JobHolder

POLL_RUNNING_S = 0.2  # five redraws a second: a margin over the four asked for
# With a chart feed, the charts and the numbers keep their five frames a second without the
# script. Queued or starting, the place in the queue and the status still come from it.
POLL_NUMBERS_S = 1.0
POLL_FED_S = 10.0  # running with a feed: the notes and the heartbeat (180 s) only
POLL_PAUSED_S = 5.0  # heartbeat only: nothing changes while paused
# Queued among them: keep the heartbeat and the place in the queue fresh.
FAST_POLLING = (RunStatus.QUEUED, RunStatus.STARTING, RunStatus.RUNNING)


def poll_interval(holder: JobHolder) -> float | None:
    job = holder.job
    if job is None or not job.alive:
        return None
    status = job.frame().status
    if status in FAST_POLLING and chart_feed.FEEDS.served:
        return POLL_FED_S if status == RunStatus.RUNNING else POLL_NUMBERS_S
    if status in FAST_POLLING:
        return POLL_RUNNING_S
    return POLL_PAUSED_S if status == RunStatus.PAUSED else None


def render(holder: JobHolder, config: GanConfig) -> None:
    """Every block of the view sits in a container of its own, so a block that shows more
    or fewer elements (a status message, the final metrics) never shifts the ones after
    it: the charts keep their place, so plotly updates them in place and keeps the zoom."""
    interval = poll_interval(holder)

    @st.fragment(run_every=interval)
    def live() -> None:
        with guarded(_("the live view")):
            job = holder.job
            if job is None:
                _draw(view_state.preview(config), holder, config)
                return
            job.heartbeat()
            view = view_state.from_job(job)
            if poll_interval(holder) != interval:
                # Started or ended since the page was drawn: redraw all of it once, which
                # sets the new rate (an ended run's page has no timer at all).
                st.rerun(scope="app")
            _draw(view, holder, config)

    live()


def _draw(view: view_state.ViewState, holder: JobHolder, config: GanConfig) -> None:
    with st.container():
        status_badge.render(view.status, view.message)
    with st.container():
        narration.render(view)  # after Step, D step or G step: what moved and why
    with st.container():
        _settings_note(holder, config)
        _recording_note(holder)
    numbers = metrics_row.live_numbers(view)
    with st.container():
        metrics_row.render(view, numbers)
    layers = charts.layer_toggles()
    shown = replay.shown(holder, view)  # at the replay slider's step, if any
    feed = _chart_feed(holder, view, layers)
    maths = live_maths.maths(shown, layers)
    charts.render(shown, layers, feed=feed, numbers=numbers, maths=maths)
    replay.controls(holder, view)
    live_maths.note(shown, layers)


def _chart_feed(holder: JobHolder, view: view_state.ViewState, layers: frozenset) -> str | None:
    """This page's chart feed of its training job, if the server serves feeds; None once the
    run has ended (its last frame is drawn from the page, with the replay slider)."""
    job, page = holder.job, _page_id()
    if page is None:
        return None
    if not chart_feed.FEEDS.served or job is None or not job.alive or view.ended:
        chart_feed.FEEDS.close(page)
        return None
    token = chart_feed.FEEDS.open(page, job, layers, current_language())
    return chart_feed.address(token)


def _page_id() -> str | None:
    """This browser tab's Streamlit session (each tab its own feed)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def _settings_note(holder: JobHolder, config: GanConfig) -> None:
    # Learning rates reach a run live (run_config follows them); other settings need a new run.
    if holder.run_config is not None and holder.run_config != config:
        st.info(_("The settings have changed since this run started: press Train to run them."))


def _recording_note(holder: JobHolder) -> None:
    # Saving never stops a run: a failing store only earns this note.
    job, recorder = holder.job, holder.recorder
    if job is None or isinstance(job, StoredRun):
        return
    if recorder is not None and (
        note := run_store.eviction_note(recorder.evicted, session_id.current())
    ):
        st.caption(plain(note))  # run names are anyone's text
    problem = _("the run store could not be opened") if recorder is None else recorder.error
    if problem:
        shown = plain(cut(problem))  # an error's text: it may quote a path or a name
        note = _("This run is not being saved: {problem}.").format(problem=shown)
        st.caption(f":orange[:material/warning: {note}]")
