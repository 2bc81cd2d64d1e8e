"""Compare runs: pick saved runs, overlay their curves, set their configs side by side.

Layout and wiring only: the store is `gan_core.store.run_store`, the charts
`gan_core.figures.compare`, the tables `ui.compare_table`. Runs live in
`$GANSCOPE_DATA_DIR` (else `./data`); a root-level
`GANSCOPE_DATA_DIR` in `.streamlit/secrets.toml` sets it too.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import streamlit as st

from gan_core.config import ConfigError
from gan_core.figures.compare import distance_figure, loss_figure
from gan_core.formatting import COLUMN_FORMAT
from gan_core.jobs.status import RunStatus
from gan_core.serialize import to_query
from gan_core.store.paths import data_dir_from_environment
from gan_core.store.run_store import RunNotFound, RunStore
from ui.compare_table import results_table, settings_table, styled_settings
from ui.plain_text import NAME_LIMIT, cut, plain, plain_name

st.set_page_config(page_title="Compare runs · GANscope", layout="wide")


@st.cache_resource(show_spinner=False)
def open_store(data_dir: str) -> RunStore:
    return RunStore(data_dir)


def open_on_dashboard(config) -> None:
    # The dashboard loads any config parameters it did not write itself.
    st.switch_page("dashboard.py", query_params=to_query(config))


def flash(message: str) -> None:
    """A message that survives the rerun that follows an action."""
    st.session_state["compare_flash"] = message


def date_range(value) -> tuple[date | None, date | None]:
    """The date picker gives (), (start,) while picking, or (start, end)."""
    value = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    return (value[0] if value else None), (value[1] if len(value) > 1 else None)


def run_filters(all_runs) -> dict:
    presets = sorted(p for p in all_runs.preset.dropna().unique())
    left, middle, right = st.columns(3)
    preset = left.selectbox("Preset", ["any", *presets], key="filter_preset")
    statuses = middle.multiselect(
        "Status", [status.value for status in RunStatus.stored()], key="filter_status"
    )
    since, until = date_range(
        right.date_input("Created between (UTC)", value=(), key="filter_dates")
    )
    return {
        "preset": None if preset == "any" else preset,
        "status": statuses or None,
        "since": since,
        "until": until,
    }


def show_curves(records) -> None:
    st.subheader("Curves")
    left, right = st.columns(2)
    # theme=None: the figures' own template and fonts, so they read like the dashboard's.
    left.plotly_chart(loss_figure(records), key="loss_chart", theme=None)
    right.plotly_chart(distance_figure(records), key="distance_chart", theme=None)
    st.caption(
        "The distance is exact for an affine generator on a Gaussian target. Otherwise it "
        "compares means and covariances only (the generator's estimated from samples when it "
        "has hidden layers), so on the ring or the grid it cannot see the modes."
    )


def show_tables(records) -> None:
    st.subheader("Results")
    st.dataframe(results_table(records), key="results_table", height="content")
    st.subheader("Settings")
    only = st.toggle("Only the settings that differ", key="only_differences")
    st.dataframe(
        styled_settings(settings_table(records), only), key="settings_table", height="content"
    )
    st.caption("≠ and highlighting mark the settings that are not the same in every run.")


def show_actions(store: RunStore, records) -> None:
    st.subheader("Runs")
    with st.container(horizontal=True):
        for record in records:
            # A button's label is Markdown; an imported run's name is anyone's text.
            label = f"Open {plain(record.label)} on the dashboard"
            if st.button(label, key=f"open_{record.id}"):
                open_on_dashboard(record.config)
    ids = [r.id for r in records]
    with st.container(horizontal=True):
        st.download_button(
            f"Export {len(ids)} run(s) as JSON",
            data=lambda: store.export_bundle(ids),  # built on click, not on every rerun
            file_name="ganscope-runs.json",
            mime="application/json",
            key="export",
            on_click="ignore",
        )
        if st.button(f"Delete {len(ids)} run(s)…", key="delete"):
            st.session_state["confirm_delete"] = {r.id: r.label for r in records}
    pending = st.session_state.get("confirm_delete")
    if pending:
        st.warning(
            plain(
                f"Delete {', '.join(pending.values())} with their logs and weights? "
                "This cannot be undone."
            )
        )
        yes, no = st.columns([1, 4])
        if yes.button("Yes, delete", type="primary", key="delete_confirm"):
            removed = store.delete_runs(pending)
            del st.session_state["confirm_delete"]
            flash(f"Deleted {removed} run(s).")
            st.rerun()
        if no.button("Cancel", key="delete_cancel"):
            del st.session_state["confirm_delete"]
            st.rerun()


def show_import(store: RunStore) -> None:
    st.subheader("Import runs")
    uploaded = st.file_uploader(
        "A runs file exported from GANscope (.json)", type=["json"], key="import_file"
    )
    if uploaded is None:
        return
    if st.button(f"Import {plain_name(uploaded.name)}", key="import_button"):
        name = cut(uploaded.name, NAME_LIMIT)
        try:
            ids = store.import_bundle(uploaded.getvalue())
        except ConfigError as error:
            st.error(plain(f"Could not import {name}. {error}"))
        else:
            flash(f"Imported {len(ids)} run(s) from {name}.")
            st.rerun()


def main() -> None:
    st.title("Compare runs")
    data_dir = data_dir_from_environment()
    try:
        store = open_store(str(data_dir))
        all_runs = store.list_runs()
    except (ConfigError, sqlite3.Error) as error:
        st.error(plain(f"The run store in {str(data_dir)!r} cannot be opened: {cut(error)}"))
        return
    if message := st.session_state.pop("compare_flash", None):
        st.success(plain(message))  # it names an uploaded file
    if all_runs.empty:
        st.info("No saved runs yet: train one on the dashboard and it appears here.")
        show_import(store)
        return

    runs = store.list_runs(**run_filters(all_runs))
    st.dataframe(
        runs[["label", "preset", "status", "target", "loss", "steps", "frechet", "created"]],
        hide_index=True,
        key="runs_table",
        column_config={
            "label": "run",
            "frechet": st.column_config.NumberColumn("distance", format=COLUMN_FORMAT),
            "created": st.column_config.DatetimeColumn("created (UTC)", format="YYYY-MM-DD HH:mm"),
        },
    )
    labels = dict(zip(runs.id, runs.label))
    chosen = st.multiselect(
        "Runs to compare",
        list(labels),
        default=list(labels)[:2],  # the two newest: usually the pair just trained
        format_func=lambda run_id: labels[run_id],
    )
    records = []
    for run_id in chosen:
        try:
            records.append(store.get_run(run_id))
        except RunNotFound:  # deleted in another tab since the list was read
            pass
    if records:
        show_curves(records)
        show_tables(records)
        show_actions(store, records)
    else:
        st.info("Pick one or more runs above to compare them.")
    show_import(store)


main()
