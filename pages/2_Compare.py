"""Compare runs: pick saved runs, overlay their curves, set their configs side by side.

Layout and wiring only: the store is `gan_core.store.run_store`, which runs a session may
see and act on `ui.compare_runs`, the charts `gan_core.figures.compare`, the tables
`ui.compare_table`. Runs live in `$GANSCOPE_DATA_DIR` (else `./data`); a root-level
`GANSCOPE_DATA_DIR` in `.streamlit/secrets.toml` sets it too.

A session sees its own runs, or (a choice above the list) the runs published to the class.
It renames, publishes and deletes only its own; a teacher who entered the teacher key (in
the sidebar, `ui.session.teacher`) may also rename, unpublish and delete published ones.
Buttons are only offered where allowed, and the store checks again when one is clicked.
Runs with no logged step are not listed (a caption counts them). A run the store cannot
read (damaged) is listed as such, with what is wrong, and can be deleted by whoever may;
it never takes the page down. Whatever another tab does meanwhile (deleting the runs
shown, say) is said here in plain words. Run names are shown as the characters they are.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pandas as pd
import psycopg
import streamlit as st

from gan_core.config import ConfigError
from gan_core.figures.compare import distance_figure, loss_figure
from gan_core.figures.curves import STEP_AXES
from gan_core.formatting import COLUMN_FORMAT
from gan_core.i18n import N_, _, ngettext
from gan_core.jobs.status import RunStatus
from gan_core.serialize import to_query
from gan_core.store.paths import data_dir_from_environment
from gan_core.store.record import LOST, run_label
from gan_core.store.rows import DAMAGED
from gan_core.store.run_store import MAX_NEW_NAME_CHARS, NotAllowed, RunNotFound, RunStore
from ui import compare_runs, language, navigation
from ui.compare_table import results_table, settings_table, status_name, styled_settings
from ui.plain_text import NAME_LIMIT, cut, plain, plain_name
from ui.session import run_store, session_id, teacher

language.choose()  # first: every string below is in the chosen language
st.set_page_config(page_title=_("Compare runs · GANscope"), layout="wide")
with st.sidebar:
    navigation.links()
    language.switch()

log = logging.getLogger("ganscope")
FLASH_KEY = "compare_flash"
CHOSEN_KEY = "compare_chosen"  # the chooser's own state
SHOWN_KEY = "compare_shown"  # {id: label} of the runs chosen when the page was last drawn
OPTIONS_KEY = "compare_options"  # the chooser's (id, label) pairs when the page was last drawn
CONFIRM_KEY = "confirm_delete"  # {"ids": {id: label}, "place": where Delete was pressed}
VIEW_KEY = "runs_view"
ANY = "any"  # the preset filter's "no filter" value
# The curves' step axes (`curves.STEP_AXES`' keys) as the radio says them.
STEP_AXIS_NAMES = {
    "steps": N_("steps"),
    "fraction": N_("fraction of the run"),
    "log": N_("log steps"),
}
# What each part is called in "The … could not be shown".
PARTS = {"curves": N_("The curves"), "tables": N_("The tables")}
LIST_COLUMNS = [
    "label",
    "published",  # beside the name: a wide table scrolls, and this must not be out of sight
    "preset",
    "status",
    "target",
    "loss",
    "steps",
    "frechet",
    "created",
]


class Rights:
    """Who may change what, as the store held it when the page was drawn: what the page
    offers. The store checks again when a button is clicked."""

    def __init__(self, store: RunStore, session: str | None) -> None:
        self.session = session
        self.own = compare_runs.own_ids(store, session)
        self.published = set(store.list_runs(published=True).id.tolist())
        self.teacher = teacher.is_teacher()

    def may_change(self, run_id: int) -> bool:
        return compare_runs.may_change(run_id, self.own, self.published, self.teacher)


@st.cache_resource(show_spinner=False)
def open_store(data_dir: str, url: str | None = None) -> RunStore:
    return RunStore(data_dir, database_url=url)


def open_on_dashboard(config) -> None:
    # The dashboard loads any config parameters it did not write itself.
    st.switch_page("dashboard.py", query_params=to_query(config))


def flash(message: str, kind: str = "success") -> None:
    """A message that survives the rerun that follows an action."""
    st.session_state.setdefault(FLASH_KEY, []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop(FLASH_KEY, []):
        getattr(st, kind)(plain(message))  # messages name runs and uploaded files


@contextmanager
def plainly(what: str) -> Iterator[None]:
    """Anything unexpected in one part becomes one plain sentence; the rest of the page and
    every choice on it stay (the details go to the server's log)."""
    try:
        yield
    except Exception:
        log.exception("unexpected error showing the %s", what)
        st.error(
            _(
                "{part} could not be shown for these runs. Your choices are kept: try again, "
                "or choose other runs."
            ).format(part=_(PARTS[what]))
        )


def named(run_ids, labels: dict) -> str:
    return ", ".join(labels.get(i, f"#{i}") for i in run_ids)


def date_range(value) -> tuple[date | None, date | None]:
    """The date picker gives (), (start,) while picking, or (start, end)."""
    value = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    return (value[0] if value else None), (value[1] if len(value) > 1 else None)


def run_filters(all_runs) -> dict:
    presets = sorted(p for p in all_runs.preset.dropna().unique())
    left, middle, right = st.columns(3)
    preset = left.selectbox(
        _("Preset"),
        [ANY, *presets],
        key="filter_preset",
        format_func={ANY: _("any"), **{p: p for p in presets}}.__getitem__,
    )
    statuses = middle.multiselect(
        _("Status"),
        # LOST: not a status a run ends with, but how the store reads one no server trains.
        [*(status.value for status in RunStatus.stored()), LOST],
        key="filter_status",
        format_func=status_name,
        placeholder=_("Choose options"),
    )
    since, until = date_range(
        right.date_input(_("Created between (UTC)"), value=(), key="filter_dates")
    )
    return {
        "preset": None if preset == ANY else preset,
        "status": statuses or None,
        "since": since,
        "until": until,
    }


def show_list(runs: pd.DataFrame, rights: Rights, view: str) -> None:
    damaged = bool((runs.status == DAMAGED).any())
    columns = LIST_COLUMNS + (["problem"] if damaged else [])
    runs = runs.assign(status=runs.status.map(status_name))  # shown in the reader's words
    if view == compare_runs.PUBLISHED:  # whose each run is, where some are others'
        runs = runs.assign(yours=runs.id.isin(rights.own))
        columns = [*columns, "yours"]
    st.dataframe(
        runs[columns],
        hide_index=True,
        key="runs_table",
        column_config={
            "label": _("run"),
            "published": st.column_config.CheckboxColumn(
                _("published"), help=_("shown to the whole class")
            ),
            "yours": st.column_config.CheckboxColumn(_("yours")),
            "preset": _("preset"),
            "status": _("status"),
            "target": _("target"),
            "loss": _("loss"),
            "steps": st.column_config.NumberColumn(_("steps")),
            "frechet": st.column_config.NumberColumn(_("distance"), format=COLUMN_FORMAT),
            "created": st.column_config.DatetimeColumn(
                _("created (UTC)"), format="YYYY-MM-DD HH:mm"
            ),
            "problem": _("what is wrong"),
        },
    )


def choose_runs(runs: pd.DataFrame, existing: set[int]) -> list[int]:
    """The runs to compare. When the list changes (a filter, another tab), the runs chosen
    stay chosen while they are listed; any that were deleted meanwhile are named."""
    sound = runs[runs.status != DAMAGED]
    labels = dict(zip(sound.id.tolist(), sound.label.tolist()))
    options = list(labels)
    shown = st.session_state.get(SHOWN_KEY, {})
    # A renamed run counts as a change too: the chooser would otherwise keep its old name.
    if CHOSEN_KEY not in st.session_state or st.session_state.get(OPTIONS_KEY) != list(
        labels.items()
    ):
        kept = [i for i in shown if i in labels]
        gone = [i for i in shown if i not in existing]
        if gone:
            st.warning(
                plain(
                    _(
                        "Deleted since this page was drawn (in another tab?), so no longer "
                        "compared: {runs}."
                    ).format(runs=named(gone, shown))
                )
            )
        elif not kept:
            kept = options[:2]  # the two newest: usually the pair just trained
        st.session_state[CHOSEN_KEY] = kept
    st.session_state[OPTIONS_KEY] = list(labels.items())
    chosen = st.multiselect(
        _("Runs to compare"),
        options,
        key=CHOSEN_KEY,
        format_func=lambda i: labels[i],
        placeholder=_("Choose runs"),
    )
    st.session_state[SHOWN_KEY] = {i: labels[i] for i in chosen}
    return chosen


def show_curves(records) -> None:
    st.subheader(_("Curves"))
    axis = st.radio(
        _("Step axis"),
        list(STEP_AXES),
        format_func={a: _(name) for a, name in STEP_AXIS_NAMES.items()}.__getitem__,
        horizontal=True,
        key="step_axis",
        help=_(
            "Fraction of the run: each run against the share of its planned steps, so runs "
            "of different lengths end together. Log steps: the early steps spread out."
        ),
    )
    left, right = st.columns(2)
    # theme=None: the figures' own template and fonts, so they read like the dashboard's.
    left.plotly_chart(loss_figure(records, axis), key="loss_chart", theme=None)
    right.plotly_chart(distance_figure(records, axis), key="distance_chart", theme=None)
    st.caption(
        _(
            "The distance is exact for an affine generator on a Gaussian target. Otherwise it "
            "compares means and covariances only (the generator's estimated from samples when "
            "it has hidden layers), so on the ring or the grid it cannot see the modes."
        )
    )


def show_tables(records) -> None:
    st.subheader(_("Results"))
    st.dataframe(results_table(records), key="results_table", height="content")
    st.subheader(_("Settings"))
    only = st.toggle(_("Only the settings that differ"), key="only_differences")
    st.dataframe(
        styled_settings(settings_table(records), only), key="settings_table", height="content"
    )
    st.caption(_("≠ and highlighting mark the settings that are not the same in every run."))


def show_actions(store: RunStore, rights: Rights, records) -> None:
    session = rights.session
    st.subheader(_("Runs"))
    with st.container(horizontal=True):
        for record in records:
            # A button's label is Markdown; an imported run's name is anyone's text.
            label = _("Open {run} on the dashboard").format(run=plain(record.label))
            if st.button(label, key=f"open_{record.id}"):
                open_on_dashboard(record.config)
    for record in records:
        manage_run(store, rights, record)
    labels = {r.id: r.label for r in records}
    ids = list(labels)
    deletable = {i: label for i, label in labels.items() if rights.may_change(i)}
    with st.container(horizontal=True):
        st.download_button(
            ngettext("Export {n} run as JSON", "Export {n} runs as JSON", len(ids)).format(
                n=len(ids)
            ),
            # Built on click, not on every rerun; only the runs still there and this session's.
            data=lambda: compare_runs.export(store, session, ids).data,
            file_name="ganscope-runs.json",
            mime="application/json",
            key="export",
            on_click=report_export,
            args=(store, session, labels),
        )
        delete_label = ngettext("Delete {n} run…", "Delete {n} runs…", len(deletable))
        if deletable and st.button(delete_label.format(n=len(deletable)), key="delete"):
            st.session_state[CONFIRM_KEY] = {"ids": deletable, "place": "runs"}
    confirm_delete(store, session, "runs")


def manage_run(store: RunStore, rights: Rights, record) -> None:
    """Rename a run, publish it to the class or take it back: its maker's (or a teacher's,
    for a published run)."""
    run_id, label = record.id, record.label
    published = run_id in rights.published
    if not rights.may_change(run_id):
        st.caption(
            plain(
                _(
                    "{run} is published by another session: only its maker or a teacher can "
                    "rename, unpublish or delete it."
                ).format(run=label)
            )
        )
        return
    with st.container(horizontal=True, vertical_alignment="bottom"):
        name = st.text_input(
            # Our text only: a label is also the box's aria-label.
            _("Name of run #{id}").format(id=run_id),
            value=record.name,
            max_chars=MAX_NEW_NAME_CHARS,
            key=f"name_{run_id}",
            width=360,  # room beside it for its buttons
        )
        if st.button(_("Rename"), key=f"rename_{run_id}"):
            act(
                lambda: store.rename(run_id, name, rights.session, teacher=teacher.is_teacher()),
                _("Renamed {run} to {name}.").format(
                    run=label, name=run_label(run_id, name.strip())
                ),
            )
        if published:
            if st.button(_("Unpublish"), key=f"publish_{run_id}"):
                act(
                    lambda: store.publish(run_id, False, rights.session, teacher.is_teacher()),
                    _("{run} is no longer published to the class.").format(run=label),
                )
        elif st.button(_("Publish to the class"), key=f"publish_{run_id}"):
            act(
                lambda: store.publish(run_id, True, rights.session, teacher.is_teacher()),
                _("{run} is published: every session sees it under “{view}”.").format(
                    run=label, view=_(compare_runs.PUBLISHED)
                ),
            )


def act(change, done: str) -> None:
    """Make one change through the store, which checks it is allowed; say how it went."""
    try:
        change()
    except RunNotFound:
        st.warning(_("That run was deleted meanwhile (in another tab?)."))
    except (ConfigError, NotAllowed) as error:  # a bad name, or no longer this session's to change
        st.error(plain(error))
    else:
        flash(done)
        st.rerun()


def report_export(store: RunStore, session: str | None, labels: dict) -> None:
    """After an Export click: say what the file could not hold, and why."""
    result = compare_runs.export(store, session, list(labels))
    left_out = []
    if result.gone:
        left_out.append(
            _("{runs} deleted (in another tab?)").format(runs=named(result.gone, labels))
        )
    if result.damaged:
        left_out.append(_("{runs} damaged").format(runs=named(result.damaged, labels)))
    reasons = _("; ").join(left_out)
    if not result.exported:
        flash(_("Nothing was exported: {reasons}.").format(reasons=reasons), "error")
    elif left_out:
        count = len(result.exported)
        flash(
            ngettext(
                "The file holds {n} run; left out: {reasons}.",
                "The file holds {n} runs; left out: {reasons}.",
                count,
            ).format(n=count, reasons=reasons),
            "warning",
        )


def show_damaged(store: RunStore, rights: Rights, damaged: dict[int, tuple[str, str]]) -> None:
    """Runs that cannot be read: what is wrong with each, and a way to delete it (for whoever
    may delete it)."""
    st.subheader(_("Damaged runs"))
    for run_id, (label, problem) in damaged.items():
        with st.container(horizontal=True, vertical_alignment="center"):
            st.warning(
                plain(
                    _("{run} is damaged and cannot be shown or exported: {problem}").format(
                        run=label, problem=problem
                    )
                )
            )
            if rights.may_change(run_id) and st.button(
                _("Delete {run}…").format(run=plain(label)), key=f"delete_damaged_{run_id}"
            ):
                st.session_state[CONFIRM_KEY] = {"ids": {run_id: label}, "place": "damaged"}
    confirm_delete(store, rights.session, "damaged")


def confirm_delete(store: RunStore, session: str | None, place: str) -> None:
    pending = st.session_state.get(CONFIRM_KEY)
    if not pending or pending["place"] != place:
        return
    labels = pending["ids"]
    st.warning(
        plain(
            _("Delete {runs} with their logs and weights? This cannot be undone.").format(
                runs=", ".join(labels.values())
            )
        )
    )
    yes, no = st.columns([1, 4])
    suffix = "" if place == "runs" else f"_{place}"  # two places, each with its own keys
    if yes.button(_("Yes, delete"), type="primary", key=f"delete_confirm{suffix}"):
        # Asked at the click: a key changed or forgotten since the page was drawn counts.
        result = compare_runs.delete(store, session, list(labels), teacher=teacher.is_teacher())
        del st.session_state[CONFIRM_KEY]
        shown = st.session_state.get(SHOWN_KEY, {})
        for run_id in result.deleted + result.gone:  # on purpose: not news for the chooser
            shown.pop(run_id, None)
        already = len(result.gone)
        deleted = len(result.deleted)
        done = ngettext("Deleted {n} run.", "Deleted {n} runs.", deleted).format(n=deleted)
        if already:
            done = _("{done} {already} had been deleted already (in another tab?).").format(
                done=done, already=already
            )
        flash(done)
        if result.refused:
            flash(
                _(
                    "Not deleted: {runs}. Only the session that made a run may delete it, or a "
                    "teacher once it is published to the class."
                ).format(runs=named(result.refused, labels)),
                "error",
            )
        st.rerun()
    if no.button(_("Cancel"), key=f"delete_cancel{suffix}"):
        del st.session_state[CONFIRM_KEY]
        st.rerun()


def show_import(store: RunStore) -> None:
    st.subheader(_("Import runs"))
    uploaded = st.file_uploader(
        _("A runs file exported from GANscope (.json)"), type=["json"], key="import_file"
    )
    if uploaded is None:
        return
    if st.button(_("Import {file}").format(file=plain_name(uploaded.name)), key="import_button"):
        name = cut(uploaded.name, NAME_LIMIT)
        try:
            # Filed under this session: its own runs, to compare, export and delete.
            ids = store.import_bundle(uploaded.getvalue(), session_id=session_id.ensure())
        except ConfigError as error:
            st.error(plain(_("Could not import {file}. {error}").format(file=name, error=error)))
        else:
            flash(
                ngettext(
                    "Imported {n} run from {file}.", "Imported {n} runs from {file}.", len(ids)
                ).format(n=len(ids), file=name)
            )
            st.rerun()


def show_empty(view: str, hidden: int) -> None:
    if view == compare_runs.PUBLISHED:
        st.info(_("No runs are published to the class yet."))
    else:
        st.info(_("No saved runs yet: train one on the dashboard and it appears here."))
    show_hidden(hidden)


def show_hidden(hidden: int) -> None:
    if hidden:
        st.caption(
            ngettext(
                "{n} run with no logged step yet is not listed.",
                "{n} runs with no logged step yet are not listed.",
                hidden,
            ).format(n=hidden)
        )


def main() -> None:
    st.title(_("Compare runs"))
    session_id.adopt()  # after a refresh, this browser's runs are still its own
    session = session_id.current()
    with st.sidebar.expander(_("Teacher"), expanded=teacher.is_teacher()):
        teacher.key_form()
    data_dir = data_dir_from_environment()
    view = st.radio(
        _("Runs shown"),
        compare_runs.VIEWS,
        horizontal=True,
        key=VIEW_KEY,
        format_func={v: _(v) for v in compare_runs.VIEWS}.__getitem__,
    )
    try:
        store = open_store(str(data_dir), run_store.database_url())  # PostgreSQL's, if set
        all_runs, hidden = compare_runs.listed(compare_runs.visible(store, session, view=view))
        rights = Rights(store, session)
    except (ConfigError, sqlite3.Error, psycopg.Error) as error:
        st.error(
            plain(
                _("The run store in {folder} cannot be opened: {error}").format(
                    folder=repr(str(data_dir)), error=cut(error)
                )
            )
        )
        return
    show_flashes()
    if all_runs.empty:
        show_empty(view, hidden)
        show_import(store)
        return

    runs, hidden = compare_runs.listed(
        compare_runs.visible(store, session, view=view, **run_filters(all_runs))
    )
    show_list(runs, rights, view)
    show_hidden(hidden)
    chosen = choose_runs(runs, rights.own | rights.published)
    loaded = compare_runs.load(store, chosen)
    labels = dict(zip(runs.id.tolist(), runs.label.tolist()))
    if loaded.gone:  # between reading the list and reading the runs
        gone = named(loaded.gone, labels)
        st.warning(
            plain(
                _("Deleted just now (in another tab?), so not compared: {runs}.").format(runs=gone)
            )
        )
    damaged = {r.id: (r.label, r.problem) for r in compare_runs.damaged(runs).itertuples()}
    damaged |= {i: (labels[i], problem) for i, problem in loaded.damaged.items()}
    if loaded.records:
        with plainly("curves"):
            show_curves(loaded.records)
        with plainly("tables"):
            show_tables(loaded.records)
        show_actions(store, rights, loaded.records)
    else:
        st.info(_("Pick one or more runs above to compare them."))
    if damaged:
        show_damaged(store, rights, damaged)
    show_import(store)


main()
session_id.remember_in_browser()  # once an import files runs under a new id
