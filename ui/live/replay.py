"""Replay an ended run: a step slider under the charts, and the run as an HTML file for slides.

Once a run has finished, stopped or diverged (or was reopened from the store), its timeline
(the weights at its logged steps, `gan_core.training.timeline`) comes with its last frame.
Moving the slider rebuilds the snapshot at that step, so the plane and D's view show the
run as it was then, and the curves stop at that step. At the slider's end the view is the
run's own last frame. A run without a timeline, or with a damaged one, says so in a note.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import streamlit as st

from gan_core.figures.replay_html import replay_html
from gan_core.i18n import N_, _, current_language, use_language
from gan_core.training.snapshot import Snapshot
from gan_core.training.timeline import (
    TIMELINE,
    TIMELINE_NOTE,
    DamagedTimeline,
    Replayer,
    TimelineFrame,
)
from ui.live.view_state import ViewState
from ui.plain_text import plain
from ui.session.session_job import VIEW, JobHolder

STATE_KEY = "replay"  # the run being replayed, its replayer and the snapshots built so far
SLIDER_KEY = "replay_step"
SNAPSHOTS_KEPT = 32  # rebuilding one takes a few tens of milliseconds; keep the recent ones
NO_TIMELINE = "this run has no timeline, so it cannot be replayed"
# Why a run cannot be replayed, as the store writes it (in English, into the run's frame):
# (pattern, template) translated when shown; a damaged timeline's own error stays as it is.
WHY_FORMS = (
    (re.compile(re.escape(NO_TIMELINE)), N_("this run has no timeline, so it cannot be replayed")),
    (
        re.compile(r"this run was saved without a timeline, so it cannot be replayed"),
        N_("this run was saved without a timeline, so it cannot be replayed"),
    ),
    (
        re.compile(r"its saved timeline is damaged \((?P<error>.*)\)"),
        N_("its saved timeline is damaged ({error})"),
    ),
)


@dataclasses.dataclass
class _Replay:
    run: str
    replayer: Replayer
    snapshots: dict[int, Snapshot]


def shown(holder: JobHolder, view: ViewState) -> ViewState:
    """The view at the step the replay slider stands at (the slider is drawn after the
    charts, by `controls`, so the charts keep their place on the page)."""
    replay = _usable(holder, view)
    if replay is None or isinstance(replay, str):
        return view
    steps = replay.replayer.steps
    chosen = st.session_state.get(_slider_key(view), steps[-1])
    if chosen not in steps or chosen == steps[-1]:
        if view.snapshot is not None and view.snapshot.step == steps[-1]:
            return view  # the run's own last frame
        chosen = steps[-1]
    snapshot = _snapshot(replay, steps.index(chosen))
    history = view.history[view.history["step"] <= chosen]
    return dataclasses.replace(view, snapshot=snapshot, history=history)


def controls(holder: JobHolder, view: ViewState) -> None:
    """The slider and the HTML download for an ended run, or a note on why it has none."""
    replay = _usable(holder, view)
    if replay is None:
        return
    if isinstance(replay, str):
        note = _("Replay: {why}.").format(why=plain(_why(replay)))
        st.caption(f":material/history: {note}")
        return
    steps = replay.replayer.steps
    st.select_slider(
        _("Replay: drag to see the run at any logged step"),
        options=steps,
        value=steps[-1],
        key=_slider_key(view),  # a new run starts at its own end
        format_func=lambda step: _("step {step}").format(step=f"{step:,}"),
    )
    _download(_run_id(holder), replay.replayer.frames, view)


def _why(note: str) -> str:
    """Why a run cannot be replayed, in the reader's language (see WHY_FORMS)."""
    for pattern, template in WHY_FORMS:
        found = pattern.fullmatch(note)
        if found is not None:
            return _(template).format(**found.groupdict())
    return note


def _slider_key(view: ViewState) -> str:
    return f"{SLIDER_KEY}_{view.run}"


def _usable(holder: JobHolder, view: ViewState) -> _Replay | str | None:
    """The ended run's replay; why it cannot be replayed; None before it has ended."""
    job = holder.job
    if job is None or not view.ended:
        return None
    extra = job.frame().extra
    frames: Sequence[TimelineFrame] = extra.get(TIMELINE) or ()
    if not frames:
        return extra.get(TIMELINE_NOTE) or NO_TIMELINE
    return _replay(view, frames)


def _replay(view: ViewState, frames: Sequence[TimelineFrame]) -> _Replay | str:
    """The replayer of this run (built once per run), or why it cannot replay."""
    kept = st.session_state.get(STATE_KEY)
    if isinstance(kept, _Replay) and kept.run == view.run:
        return kept
    try:
        replayer = Replayer(
            view.config, frames, VIEW.n_points, VIEW.field_resolution, view.bounds, VIEW.n_arrows
        )
    except DamagedTimeline as error:
        return _("its timeline is damaged ({error})").format(error=error)
    replay = _Replay(view.run, replayer, {})
    st.session_state[STATE_KEY] = replay
    return replay


def _snapshot(replay: _Replay, index: int) -> Snapshot:
    snapshot = replay.snapshots.get(index)
    if snapshot is None:
        if len(replay.snapshots) >= SNAPSHOTS_KEPT:
            replay.snapshots.pop(next(iter(replay.snapshots)))
        snapshot = replay.replayer.snapshot(index)
        replay.snapshots[index] = snapshot
    return snapshot


def _run_id(holder: JobHolder) -> int | None:
    """The run's id in the store: a reopened run's own, or the one its recorder made."""
    if holder.recorder is not None and holder.recorder.run_id is not None:
        return holder.recorder.run_id
    return getattr(holder.job, "run_id", None)


def _download(run_id: int | None, frames: Sequence[TimelineFrame], view: ViewState) -> None:
    """The run as one HTML file that plays it offline; built only when asked for."""
    name = f"ganscope-run-{run_id}-replay.html" if run_id else "ganscope-replay.html"
    title = _("GANscope run #{id}").format(id=run_id) if run_id else _("GANscope run")
    # Built when clicked, by the server outside this page's script: in the page's language.
    language = current_language()

    def page() -> str:
        with use_language(language):
            return replay_html(view.config, frames, title)

    st.download_button(
        _("Download the replay for slides (HTML)"),
        data=page,
        file_name=name,
        mime="text/html",
        icon=":material/slideshow:",
        on_click="ignore",
        key="replay_download",
        help=_(
            "One HTML file that plays this run with a slider and a Play button, "
            "with no network needed: drop it into a slide deck or open it offline."
        ),
    )
