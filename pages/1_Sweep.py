"""Sweep: train a grid of runs of one setup at once and see which settings land closest.

Layout and wiring only. Planning and validation are `gan_core.sweep.plan`, the worker is
`gan_core.sweep.job`, the figure `gan_core.figures.sweep`, the wording `ui.sweep_form`.
The sweep trains in one of the server's training worker processes (see `gan_core/sweep/job.py`
for why not a thread), under the same cap and queue as training runs; a fragment polls its
place in the queue, then its progress, so the page never blocks and every widget stays
usable while it waits or runs.

Errors: a refusal (bad axis values, a sweep over the server's limits) is shown as the plain
text it is, next to the form. Anything unexpected is logged for whoever runs the server
and shown as one sentence of what to do, never as an exception's type or text; every part
of the page fails on its own, so the form always stays on screen.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from gan_core.config import ConfigError, GanConfig
from gan_core.figures.sweep import sweep_figure
from gan_core.formatting import COLUMN_FORMAT
from gan_core.jobs.status import RunStatus
from gan_core.presets import PRESETS
from gan_core.serialize import to_query
from gan_core.sweep.job import SweepSlot, SweepStatus
from gan_core.sweep.run import AXIS_KEYS, plan_sweep
from ui import language
from ui.plain_text import cut, plain
from ui.session.session_job import who_is_asking
from ui.sweep_form import (
    DEFAULT_INPUTS,
    VALUE_MODES,
    axis_from_inputs,
    axis_label,
    cell_label,
    cells_best_first,
    plan_summary,
)

DASHBOARD_CONFIG = "config"  # where the dashboard keeps its current GanConfig
CURRENT = "The dashboard's current setup"
NO_AXIS = "none"
SLOT_STATE_KEY = "sweep_slot"  # the same slot, reachable from session state (tests)
KEPT = "Your settings are kept"
# What to do when a part of the page fails unexpectedly, by part.
WHAT_TO_DO = {
    "form": f"These settings could not be read. {KEPT}: change the values, or choose another axis.",
    "start": f"The sweep could not start. {KEPT}: press Run again in a moment.",
    "progress": "The sweep's progress could not be shown; it goes on training. Reload the "
    "page to see it again.",
    "results": f"The results could not be shown. {KEPT}: press Run to train the sweep again.",
}
FAILED = (
    f"The sweep stopped with an error on the server. {KEPT}: press Run to try again, and if "
    "it fails again, use fewer cells or seeds or smaller networks."
)

log = logging.getLogger("ganscope")

language.choose()  # first: every string below is in the chosen language
st.set_page_config(page_title="Sweep · GANscope", layout="wide")
with st.sidebar:
    language.switch()


@st.cache_resource(scope="session", on_release=SweepSlot.release, show_spinner=False)
def session_slot() -> SweepSlot:
    return SweepSlot()


def base_config() -> GanConfig:
    current = st.session_state.get(DASHBOARD_CONFIG)
    options = ([CURRENT] if isinstance(current, GanConfig) else []) + list(PRESETS)
    choice = st.selectbox(
        "Base setup",
        options,
        key="sweep.base",
        format_func=lambda o: o if o == CURRENT else f"Preset: {PRESETS[o].title}",
        help="Every run starts from this setup; the axes change one or two of its settings.",
    )
    return current if choice == CURRENT else PRESETS[choice].config


def axis_inputs(slot: int, default_key: str, optional: bool):
    """One axis' widgets; returns its Axis, or None for no axis (raises ConfigError)."""
    keys = [NO_AXIS, *AXIS_KEYS] if optional else list(AXIS_KEYS)
    key = st.selectbox(
        f"Axis {slot}",
        keys,
        index=keys.index(default_key),
        key=f"sweep.axis{slot}",
        format_func=lambda k: "none" if k == NO_AXIS else axis_label(k),
    )
    if key == NO_AXIS:
        return None
    mode, listed, start, stop, count = DEFAULT_INPUTS[key]
    prefix = f"sweep.axis{slot}.{key}"  # each setting keeps its own inputs
    mode = st.radio(
        "Values", list(VALUE_MODES), index=list(VALUE_MODES).index(mode), key=f"{prefix}.mode"
    )
    if VALUE_MODES[mode] is None:
        listed = st.text_input("Values, comma-separated", listed, key=f"{prefix}.list")
    else:
        left, middle, right = st.columns(3)
        start = left.text_input("From", start, key=f"{prefix}.from")
        stop = middle.text_input("To", stop, key=f"{prefix}.to")
        count = right.number_input("Count", 1, 64, count, key=f"{prefix}.count")
    return axis_from_inputs(key, mode, listed, start, stop, count)


@contextmanager
def shown_plainly(part: str, prefix: str = "") -> Iterator[None]:
    """Show what goes wrong inside as plain text: a refusal word for word (after `prefix`),
    anything else as what to do next (its details go to the server's log)."""
    try:
        yield
    except ConfigError as error:
        st.error(plain(f"{prefix}{error}"))
    except Exception:
        log.exception("unexpected error in the sweep page's %s", part)
        st.error(plain(WHAT_TO_DO[part]))


def sweep_form():
    """The plan the form describes, or None after showing why it cannot run. Every widget
    is drawn whatever the others hold, so a bad value never hides the rest of the form."""
    base = base_config()
    columns = st.columns(2)
    axes, complete = [], True
    for slot, default, column in ((1, "lr_d", columns[0]), (2, "lr_g", columns[1])):
        with column:
            read = False  # until the axis is read: its widgets are all drawn by then
            with shown_plainly("form", f"Axis {slot}: "):
                axis = axis_inputs(slot, default, optional=slot == 2)
                if axis is not None:
                    axes.append(axis)
                read = True
            complete = complete and read
    seeds = st.number_input("Seeds per cell", 1, 64, 1, key="sweep.seeds")
    st.caption(f"Run seeds: base seed ({base.seed}) + 0, 1, … so every cell trains the same seeds.")
    if not complete:
        return None
    with shown_plainly("form", "This sweep cannot run: "):
        plan = plan_sweep(base, axes, int(seeds))
        st.caption(plan_summary(plan))
        return plan
    return None


def progress_view(slot: SweepSlot) -> None:
    # A fragment reruns on its own, outside the page's handlers: it needs its own.
    with shown_plainly("progress"):
        progress_bar(slot)


def progress_bar(slot: SweepSlot) -> None:
    job = slot.job
    if job is None:
        return
    status = job.status()
    st.progress(min(status.fraction, 1.0), text=progress_text(status, len(job.plan.runs)))
    # Once per job, the whole page reruns to show the results and stop this polling. The
    # job itself is kept as the marker (an id() could be reused by a later job).
    if status.ended and st.session_state.get("sweep.shown") is not job:
        st.session_state["sweep.shown"] = job
        st.rerun(scope="app")


def progress_text(status: SweepStatus, runs: int) -> str:
    if status.queue_place is not None:
        place, of = status.queue_place
        return f"Queued, position {place} of {of}: the sweep starts when a training slot frees."
    return (
        f"{status.done:,} of {status.total:,} training steps over "
        f"{runs:,} runs · {status.elapsed:.1f} s"
    )


def open_on_dashboard(config: GanConfig) -> None:
    st.switch_page("dashboard.py", query_params=to_query(config))


def results(slot: SweepSlot) -> None:
    job = slot.job
    status = job.status() if job is not None else None
    if status is None or not status.ended:
        return
    if status.state == RunStatus.ERROR:  # its text is the server's, not meant for the page
        log.warning("a sweep ended with an error: %s", status.message)
        st.warning(plain(FAILED))
        return
    if status.state != RunStatus.FINISHED:
        st.warning(plain(f"The sweep did not finish: {cut(status.message)}"))
        return
    result = status.result
    st.subheader("Results")
    st.caption(
        f"{result.n_runs:,} runs × {result.iterations:,} iterations in {result.seconds:.1f} s "
        f"({result.iterations_per_second:,.0f} iterations/s). Distance: {result.metric_label}; "
        "a diverged run counts as infinitely far."
    )
    # theme=None: the figure's own template and fonts, as the dashboard's charts show them.
    st.plotly_chart(sweep_figure(result), key="sweep.heatmap", theme=None)
    order = cells_best_first(result)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    cell = left.selectbox(
        "Open a cell on the dashboard (best first; its first seed)",
        order,
        format_func=lambda c: cell_label(result, c),
        key="sweep.cell",
    )
    if right.button("Open on the dashboard", key="sweep.open"):
        open_on_dashboard(result.cell_config(cell))
    st.dataframe(
        result.cells,
        hide_index=True,
        key="sweep.cells",
        column_config={
            name: st.column_config.NumberColumn(name, format=COLUMN_FORMAT)
            for name in ("median", "min", "max")
        },
    )
    left, right = st.columns(2)
    left.download_button(
        "Cells (CSV)", result.cells.to_csv(index=False), "sweep_cells.csv", "text/csv"
    )
    right.download_button(
        "All runs (CSV)", result.runs.to_csv(index=False), "sweep_runs.csv", "text/csv"
    )


st.title("Sweep")
st.caption(
    "Vary one or two settings over a grid, train every combination at once, and compare "
    "where each ended up."
)
slot = session_slot()
st.session_state[SLOT_STATE_KEY] = slot
plan = sweep_form()
running = slot.job is not None and not slot.job.status().ended
start, stop = st.columns([1, 5])
if start.button("Run", type="primary", disabled=plan is None or running, key="sweep.run"):
    with shown_plainly("start"):
        slot.start(plan, owner=who_is_asking())
        running = True
if running and stop.button("Stop", key="sweep.stop"):
    slot.job.stop()
st.fragment(progress_view, run_every=0.5 if running else None)(slot)
with shown_plainly("results"):
    results(slot)
