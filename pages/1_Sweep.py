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
from gan_core.i18n import N_, _
from gan_core.jobs.status import RunStatus
from gan_core.presets import PRESETS
from gan_core.serialize import to_query
from gan_core.sweep.job import SweepSlot, SweepStatus
from gan_core.sweep.run import AXIS_KEYS, plan_sweep
from ui import language, navigation
from ui.plain_text import cut, plain
from ui.session.session_job import who_is_asking
from ui.sweep_form import (
    DEFAULT_INPUTS,
    VALUE_MODES,
    axis_from_inputs,
    axis_label,
    axis_titles,
    cell_label,
    cells_best_first,
    metric_name,
    plan_summary,
)

DASHBOARD_CONFIG = "config"  # where the dashboard keeps its current GanConfig
CURRENT = N_("The dashboard's current setup")  # an option's value, translated where shown
NO_AXIS = "none"
SLOT_STATE_KEY = "sweep_slot"  # the same slot, reachable from session state (tests)
# What to do when a part of the page fails unexpectedly, by part (translated where shown).
WHAT_TO_DO = {
    "form": N_(
        "These settings could not be read. Your settings are kept: change the values, or "
        "choose another axis."
    ),
    "start": N_("The sweep could not start. Your settings are kept: press Run again in a moment."),
    "progress": N_(
        "The sweep's progress could not be shown; it goes on training. Reload the page to see "
        "it again."
    ),
    "results": N_(
        "The results could not be shown. Your settings are kept: press Run to train the sweep "
        "again."
    ),
}
FAILED = N_(
    "The sweep stopped with an error on the server. Your settings are kept: press Run to try "
    "again, and if it fails again, use fewer cells or seeds or smaller networks."
)

log = logging.getLogger("ganscope")

language.choose()  # first: every string below is in the chosen language
st.set_page_config(page_title=_("Sweep · GANscope"), layout="wide")
with st.sidebar:
    navigation.links()
    language.switch()


@st.cache_resource(scope="session", on_release=SweepSlot.release, show_spinner=False)
def session_slot() -> SweepSlot:
    return SweepSlot()


def base_config() -> GanConfig:
    current = st.session_state.get(DASHBOARD_CONFIG)
    options = ([CURRENT] if isinstance(current, GanConfig) else []) + list(PRESETS)
    # Every option's words, translated now: a format_func may be called outside this run.
    names = {
        name: _("Preset: {title}").format(title=_(preset.title)) for name, preset in PRESETS.items()
    }
    names[CURRENT] = _(CURRENT)
    choice = st.selectbox(
        _("Base setup"),
        options,
        key="sweep.base",
        format_func=names.__getitem__,
        help=_("Every run starts from this setup; the axes change one or two of its settings."),
    )
    return current if choice == CURRENT else PRESETS[choice].config


def axis_inputs(slot: int, default_key: str, optional: bool):
    """One axis' widgets; returns its Axis, or None for no axis (raises ConfigError)."""
    keys = [NO_AXIS, *AXIS_KEYS] if optional else list(AXIS_KEYS)
    names = {k: _("none") if k == NO_AXIS else axis_label(k) for k in keys}
    key = st.selectbox(
        _("Axis {slot}").format(slot=slot),
        keys,
        index=keys.index(default_key),
        key=f"sweep.axis{slot}",
        format_func=names.__getitem__,
    )
    if key == NO_AXIS:
        return None
    mode, listed, start, stop, count = DEFAULT_INPUTS[key]
    prefix = f"sweep.axis{slot}.{key}"  # each setting keeps its own inputs
    mode = st.radio(
        _("Values"),
        list(VALUE_MODES),
        index=list(VALUE_MODES).index(mode),
        key=f"{prefix}.mode",
        format_func={mode: _(mode) for mode in VALUE_MODES}.__getitem__,
    )
    if VALUE_MODES[mode] is None:
        listed = st.text_input(_("Values, comma-separated"), listed, key=f"{prefix}.list")
    else:
        left, middle, right = st.columns(3)
        start = left.text_input(_("From"), start, key=f"{prefix}.from")
        stop = middle.text_input(_("To"), stop, key=f"{prefix}.to")
        count = right.number_input(_("Count"), 1, 64, count, key=f"{prefix}.count")
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
        st.error(plain(_(WHAT_TO_DO[part])))


def sweep_form():
    """The plan the form describes, or None after showing why it cannot run. Every widget
    is drawn whatever the others hold, so a bad value never hides the rest of the form."""
    base = base_config()
    columns = st.columns(2)
    axes, complete = [], True
    for slot, default, column in ((1, "lr_d", columns[0]), (2, "lr_g", columns[1])):
        with column:
            read = False  # until the axis is read: its widgets are all drawn by then
            with shown_plainly("form", _("Axis {slot}: ").format(slot=slot)):
                axis = axis_inputs(slot, default, optional=slot == 2)
                if axis is not None:
                    axes.append(axis)
                read = True
            complete = complete and read
    seeds = st.number_input(_("Seeds per cell"), 1, 64, 1, key="sweep.seeds")
    st.caption(
        _("Run seeds: base seed ({seed}) + 0, 1, … so every cell trains the same seeds.").format(
            seed=base.seed
        )
    )
    if not complete:
        return None
    with shown_plainly("form", _("This sweep cannot run: ")):
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
        return _(
            "Queued, position {place} of {of}: the sweep starts when a training slot frees."
        ).format(place=place, of=of)
    return _("{done} of {total} training steps over {runs} runs · {seconds} s").format(
        done=f"{status.done:,}",
        total=f"{status.total:,}",
        runs=f"{runs:,}",
        seconds=f"{status.elapsed:.1f}",
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
        st.warning(plain(_(FAILED)))
        return
    if status.state != RunStatus.FINISHED:
        st.warning(plain(_("The sweep did not finish: {why}").format(why=cut(status.message))))
        return
    result = status.result
    st.subheader(_("Results"))
    st.caption(
        _(
            "{runs} runs × {iterations} iterations in {seconds} s ({speed} iterations/s). "
            "Distance: {metric}; a diverged run counts as infinitely far."
        ).format(
            runs=f"{result.n_runs:,}",
            iterations=f"{result.iterations:,}",
            seconds=f"{result.seconds:.1f}",
            speed=f"{result.iterations_per_second:,.0f}",
            metric=metric_name(result.metric),
        )
    )
    # theme=None: the figure's own template and fonts, as the dashboard's charts show them.
    figure = sweep_figure(result, axis_titles(result.keys))
    st.plotly_chart(figure, key="sweep.heatmap", theme=None)
    order = cells_best_first(result)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    cell = left.selectbox(
        _("Open a cell on the dashboard (best first; its first seed)"),
        order,
        format_func={c: cell_label(result, c) for c in order}.__getitem__,
        key="sweep.cell",
    )
    if right.button(_("Open on the dashboard"), key="sweep.open"):
        open_on_dashboard(result.cell_config(cell))
    st.dataframe(
        result.cells, hide_index=True, key="sweep.cells", column_config=cell_columns(result)
    )
    left, right = st.columns(2)
    left.download_button(
        _("Cells (CSV)"),
        result.cells.to_csv(index=False),
        "sweep_cells.csv",
        "text/csv",
        key="sweep.download_cells",
    )
    right.download_button(
        _("All runs (CSV)"),
        result.runs.to_csv(index=False),
        "sweep_runs.csv",
        "text/csv",
        key="sweep.download_runs",
    )


def cell_columns(result) -> dict:
    """The cells table's headers in the reader's language (the data, and the CSV, keep the
    column keys)."""
    columns = {
        "cell": st.column_config.NumberColumn(_("cell")),
        **{key: axis_label(key) for key in result.keys},
        "seeds": st.column_config.NumberColumn(_("seeds")),
        "diverged": st.column_config.NumberColumn(_("diverged")),
    }
    names = {"median": _("median"), "min": _("min"), "max": _("max")}
    for key, name in names.items():
        columns[key] = st.column_config.NumberColumn(name, format=COLUMN_FORMAT)
    return columns


st.title(_("Sweep"))
st.caption(
    _(
        "Vary one or two settings over a grid, train every combination at once, and compare "
        "where each ended up."
    )
)
slot = session_slot()
st.session_state[SLOT_STATE_KEY] = slot
plan = sweep_form()
running = slot.job is not None and not slot.job.status().ended
start, stop = st.columns([1, 5])
if start.button(_("Run"), type="primary", disabled=plan is None or running, key="sweep.run"):
    with shown_plainly("start"):
        slot.start(plan, owner=who_is_asking())
        running = True
if running and stop.button(_("Stop"), key="sweep.stop"):
    slot.job.stop()
st.fragment(progress_view, run_every=0.5 if running else None)(slot)
with shown_plainly("results"):
    results(slot)
