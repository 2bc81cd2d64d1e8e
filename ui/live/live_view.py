"""The live view: status, progress, metrics and charts, redrawn by polling the job.

Three fragments re-run themselves while a run is going and read the job's latest frame
(the worker never touches Streamlit, and the script never trains): the charts, with the
layer toggles and the heartbeat, every POLL_RUNNING_S; the status and the numbers above
them, and the replay slider and the maths below, which a person reads rather than watches,
every POLL_NUMBERS_S. Each re-run costs the server its whole fragment, so this keeps a
watching page's CPU down while the plane still moves five times a second (README, "A
watching page's server CPU").

While paused the charts' fragment polls slowly, only to keep the job's heartbeat alive.
When the run has ended it asks once for a full rerun, which draws the page in its static
form (buttons and the replay slider included) with no timer at all.
"""

from __future__ import annotations

import streamlit as st

from gan_core.config import GanConfig
from gan_core.i18n import _
from gan_core.jobs.status import RunStatus
from gan_core.store.stored_run import StoredRun
from ui.live import (
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
POLL_NUMBERS_S = 0.5  # the status, the numbers and the maths, while running
LIVE_KEY = "live_view"  # ui/page_style.py LIVE_KEY
REDRAW_ALL_KEY = "live_redraw_all"
POLL_PAUSED_S = 5.0  # heartbeat only: nothing changes while paused
# Queued among them: keep the heartbeat and the place in the queue fresh.
FAST_POLLING = (RunStatus.QUEUED, RunStatus.STARTING, RunStatus.RUNNING)


def poll_interval(holder: JobHolder) -> float | None:
    job = holder.job
    if job is None or not job.alive:
        return None
    status = job.frame().status
    if status in FAST_POLLING:
        return POLL_RUNNING_S
    return POLL_PAUSED_S if status == RunStatus.PAUSED else None


def render(holder: JobHolder, config: GanConfig) -> None:
    """Every block of the view sits in a container of its own, so a block that shows more
    or fewer elements (a status message, the final metrics) never shifts the ones after
    it: the charts keep their place, so plotly updates them in place and keeps the zoom."""
    with st.container(key=LIVE_KEY):  # present mode orders the running fragments in it
        _render(holder, config)


def _render(holder: JobHolder, config: GanConfig) -> None:
    """Three fragments, in the page's order, each on its own timer (none once the run has
    ended). The same three whatever the state, so the charts' frame is never rebuilt when a
    run starts or ends: it keeps the viewer's zoom and its WebGL context."""
    interval = poll_interval(holder)
    read_every = POLL_NUMBERS_S if interval == POLL_RUNNING_S else None

    @st.fragment(run_every=read_every)
    def numbers() -> None:
        with guarded(_("the live view")):
            _redraw_all_if_asked()
            _draw_numbers(_current_view(holder, config), holder, config)

    @st.fragment(run_every=interval)
    def pictures() -> None:
        with guarded(_("the live view")):
            _redraw_all_if_asked()
            view = _current_view(holder, config)
            if interval is not None and view.ended:
                # Ended since the page was drawn: redraw all of it once, without the timers.
                st.rerun(scope="app")
            layers = charts.layer_toggles(on_change=_ask_to_redraw_all)
            charts.render(replay.shown(holder, view), layers)  # at the replay slider's step

    @st.fragment(run_every=read_every)
    def below() -> None:
        with guarded(_("the live view")):
            _redraw_all_if_asked()
            view = _current_view(holder, config)
            # After the charts, so that they keep their place on the page.
            replay.controls(holder, view, on_change=_ask_to_redraw_all)
            live_maths.render(replay.shown(holder, view), charts.chosen_layers())

    numbers()
    pictures()
    below()


def _ask_to_redraw_all() -> None:
    """A layer toggle or the replay slider changed: each sits in one fragment, and what
    they change is drawn in others too (the maths, the charts)."""
    st.session_state[REDRAW_ALL_KEY] = True


def _redraw_all_if_asked() -> None:
    if st.session_state.pop(REDRAW_ALL_KEY, False):
        st.rerun(scope="app")


def _current_view(holder: JobHolder, config: GanConfig) -> view_state.ViewState:
    job = holder.job
    if job is None:
        return view_state.preview(config)
    job.heartbeat()
    return view_state.from_job(job)


def _draw_numbers(view: view_state.ViewState, holder: JobHolder, config: GanConfig) -> None:
    with st.container():
        status_badge.render(view.status, view.message)
    with st.container():
        narration.render(view)  # after Step, D step or G step: what moved and why
    with st.container():
        _settings_note(holder, config)
        _recording_note(holder)
    with st.container():
        metrics_row.render(view)


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
