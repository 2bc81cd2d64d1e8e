"""The run controls above the charts: the buttons, the speed a class can watch at, and
present mode. They stay at the top of the window while the page scrolls (`ui/page_style.py`),
so a teacher who scrolls down to the curves can still pause."""

from __future__ import annotations

import streamlit as st

from gan_core.i18n import N_, _
from gan_core.jobs.status import RunStatus
from ui import page_style, present_mode
from ui.live import speed
from ui.live.run_actions import ENDED_STEP_NOTE, request
from ui.live.view_state import READY
from ui.session.session_job import JobHolder

CONTROLS_KEY = page_style.CONTROLS_KEY  # that style keeps this row in sight
STEP_HELP = N_("While paused. Before any run, it starts one paused at step 0.")
# (label, action, what it does): one button each, the words translated when drawn.
STEPS = (
    (N_("Step"), "step", N_("One iteration: D, then G.")),
    (N_("D step"), "step_d", N_("One discriminator update only: half a step.")),
    (N_("G step"), "step_g", N_("One generator update only: half a step.")),
)


def render(holder: JobHolder) -> None:
    job = holder.job
    status = job.frame().status if job is not None else READY
    live = job is not None and job.alive
    running = live and status in (RunStatus.STARTING, RunStatus.RUNNING)
    paused = live and status == RunStatus.PAUSED
    controls = st.container(
        key=CONTROLS_KEY, horizontal=True, vertical_alignment="bottom", gap="small"
    )
    with controls:
        _button(_("Train"), "train", "play_arrow", type="primary", help=_("Start a new run."))
        if paused:
            _button(_("Resume"), "resume", "resume")
        else:
            _button(_("Pause"), "pause", "pause", disabled=not running)
        ended = job is not None and not live  # stopped, finished, or a reopened saved run
        step_help = _(ENDED_STEP_NOTE) if ended else _(STEP_HELP)
        for label, action, what in STEPS:
            disabled = running or ended
            help_text = _("{what} {when}").format(what=_(what), when=step_help)
            _button(_(label), action, "skip_next", disabled=disabled, help=help_text)
        _button(_("Stop"), "stop", "stop", disabled=not live)
        _button(_("Reset"), "reset", "restart_alt", disabled=job is None, help=_("Back to step 0."))
        speed.render()
        present_mode.toggle()
    # Always one element here, filled or not: a note that came and went would shift every
    # element below it, and Streamlit would then rebuild the live charts' frame from scratch.
    note = st.empty()
    if ended:
        note.caption(_("Step is off: this run has ended. Train starts a new one."))


def _button(label: str, action: str, icon: str, **options) -> None:
    st.button(
        label,
        key=f"run_{action}",
        icon=f":material/{icon}:",
        on_click=request,
        args=(action,),
        **options,
    )
