"""The Compare page (AppTest) against a real run store seeded with real, short training runs."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from gan_core.config import GanConfig
from gan_core.formatting import format_distance
from gan_core.store.recorder import record_trainer
from gan_core.store.run_store import RunStore
from gan_core.training.trainer import Trainer
from tests.markdown_text import shown
from tests.test_dashboard_app import link_query
from ui import compare_runs
from ui.session import session_id

REPO_ROOT = Path(__file__).resolve().parent.parent
SESSION = "compare-page-test-session"  # the id the page's session files its runs under
OTHER_SESSION = "someone-elses-session-id"
TUTORIAL = GanConfig(n_samples=200, batch_size=20, epochs=3)
FAST_LR = TUTORIAL.replace(lr_d=0.02, seed=3)


@pytest.fixture(scope="module")
def trainers() -> list[Trainer]:
    trained = []
    for config in (TUTORIAL, FAST_LR):
        trainer = Trainer(config)
        trainer.run()
        trained.append(trainer)
    return trained


@pytest.fixture
def store(tmp_path, monkeypatch) -> RunStore:
    """An empty store in a fresh data directory, which the page finds through the env var."""
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "data"))
    store = RunStore(tmp_path / "data")
    yield store
    store.close()


@pytest.fixture
def seeded(store, trainers) -> tuple[RunStore, list[int]]:
    ids = [
        record_trainer(store, trainers[0], preset="tutorial", session_id=SESSION),
        record_trainer(store, trainers[1], name="slow D", session_id=SESSION),
    ]
    return store, ids


def compare_page(session: str | None = SESSION) -> AppTest:
    """The page as a session whose id is `session` (as a browser's cookie would bring it)."""
    # The page runs inside the whole app, so that switching to the dashboard works.
    app = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=60)
    if session is not None:
        app.session_state[session_id.STATE_KEY] = session
    app.run()
    app.switch_page("pages/2_Compare.py")
    return app.run()


def no_exceptions(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def runs_chooser(app: AppTest):
    return next(m for m in app.multiselect if m.label == "Runs to compare")


def charts(app: AppTest) -> list[go.Figure]:
    return [pio.from_json(chart.proto.spec) for chart in app.get("plotly_chart")]


def values(array) -> list:
    """Plotly sends numeric arrays base64-encoded ({'dtype', 'bdata'}); decode them."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def names(figure: go.Figure) -> list[str]:
    return [trace.name for trace in figure.data]


def test_lists_the_saved_runs(seeded):
    _, ids = seeded
    app = compare_page()
    no_exceptions(app)
    listed = app.dataframe[0].value
    assert listed.label.tolist() == [f"#{ids[1]} slow D", f"#{ids[0]} tutorial"]
    assert runs_chooser(app).value == [ids[1], ids[0]]  # the two newest, preselected


def test_two_chosen_runs_are_overlaid(seeded):
    _, ids = seeded
    app = compare_page()
    runs_chooser(app).set_value([ids[0]]).run()
    assert len(charts(app)) == 2
    assert names(charts(app)[1]) == [f"#{ids[0]} tutorial"]

    runs_chooser(app).set_value(ids).run()
    no_exceptions(app)
    losses, distance = charts(app)
    assert names(distance) == [f"#{ids[0]} tutorial", f"#{ids[1]} slow D"]
    assert distance.layout.yaxis.type == "log"
    assert names(losses) == [
        f"#{ids[0]} tutorial · D",
        f"#{ids[0]} tutorial · G",
        f"#{ids[1]} slow D · D",
        f"#{ids[1]} slow D · G",
    ]
    # Each run one colour on both charts, D solid and G dotted, as on the dashboard's palette.
    first, second = (trace.line.color for trace in distance.data)
    assert first != second
    assert [t.line.color for t in losses.data] == [first, first, second, second]
    assert [t.line.dash for t in losses.data] == ["solid", "dot"] * 2
    assert [t.legendgroup for t in losses.data] == [f"#{ids[0]} tutorial"] * 2 + [
        f"#{ids[1]} slow D"
    ] * 2
    # Both runs use cross-entropy: D's loss at equilibrium is marked as on the dashboard.
    (line,) = losses.layout.shapes
    assert line.y0 == line.y1 == pytest.approx(2 * np.log(2)) and line.line.dash == "dash"
    assert losses.layout.annotations[0].text == "D at equilibrium (1.386)"
    assert "exact" in distance.layout.title.text  # both runs' distances are exact
    assert values(distance.data[0].x) == list(range(1, TUTORIAL.total_steps + 1))


def test_results_read_as_the_dashboard_writes_numbers(seeded):
    store, ids = seeded
    app = compare_page()
    no_exceptions(app)
    results = app.dataframe[1].value
    record = store.get_run(ids[0])
    column = results[record.label]
    assert column["squared Fréchet distance"] == format_distance(record.metrics["frechet"])
    assert column["D loss (last)"] == format_distance(record.history.loss_d.iloc[-1])


def test_settings_side_by_side_mark_the_differences(seeded):
    app = compare_page()
    settings = app.dataframe[2].value
    assert "≠ lr_d" in settings.index and "≠ seed" in settings.index
    assert "lr_g" in settings.index  # the same in both: shown, not marked
    app.toggle[0].set_value(True).run()
    assert sorted(app.dataframe[2].value.index) == ["≠ lr_d", "≠ seed"]


def test_filters_narrow_the_list(seeded):
    _, ids = seeded
    app = compare_page()
    app.selectbox(key="filter_preset").set_value("tutorial").run()
    assert app.dataframe[0].value.label.tolist() == [f"#{ids[0]} tutorial"]
    app.selectbox(key="filter_preset").set_value("any").run()
    app.multiselect(key="filter_status").set_value(["diverged"]).run()
    no_exceptions(app)
    assert app.dataframe[0].value.empty
    assert any("Pick one or more runs" in i.value for i in app.info)


def test_delete_asks_first(seeded):
    store, ids = seeded
    app = compare_page()
    runs_chooser(app).set_value([ids[0]]).run()
    app.button(key="delete").click().run()
    assert "cannot be undone" in app.warning[0].value
    app.button(key="delete_cancel").click().run()
    assert len(store.list_runs()) == 2 and not app.warning

    app.button(key="delete").click().run()
    app.button(key="delete_confirm").click().run()
    no_exceptions(app)
    assert store.list_runs().id.tolist() == [ids[1]]
    assert "Deleted 1 run" in app.success[0].value


def test_a_bad_import_shows_an_error_and_adds_nothing(seeded):
    store, _ = seeded
    app = compare_page()
    app.file_uploader(key="import_file").set_value(("runs.json", b"{oops", "application/json"))
    app.run()
    app.button(key="import_button").click().run()
    no_exceptions(app)
    assert "Could not import runs.json" in shown(app.error[0].value)
    assert "not valid JSON" in shown(app.error[0].value)
    assert len(store.list_runs()) == 2


def test_an_exported_bundle_imports(seeded):
    store, ids = seeded
    bundle = store.export_bundle(ids)
    app = compare_page()
    app.file_uploader(key="import_file").set_value(("runs.json", bundle, "application/json"))
    app.run()
    app.button(key="import_button").click().run()
    no_exceptions(app)
    assert "Imported 2 runs" in shown(app.success[0].value)
    assert sorted(store.list_runs().source) == ["cli", "cli", "import", "import"]


def test_open_a_run_on_the_dashboard(seeded):
    store, ids = seeded
    app = compare_page()
    app.button(key=f"open_{ids[1]}").click().run()
    no_exceptions(app)
    # The dashboard took the run's settings and wrote them back into the URL.
    assert app.query_params == link_query(FAST_LR)
    assert app.title[0].value == "GANscope"


def test_an_empty_store_says_how_to_fill_it(store):
    app = compare_page()
    no_exceptions(app)
    assert "No saved runs yet" in app.info[0].value
    assert app.file_uploader  # importing is still possible


def test_an_unusable_data_directory_is_an_error_not_a_crash(tmp_path, monkeypatch):
    (tmp_path / "not-a-dir").write_text("x")
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "not-a-dir"))
    app = compare_page()
    no_exceptions(app)
    assert "cannot be opened" in app.error[0].value


# ---------------------------------------------------------------------- bad rows, other sessions


def write_by_hand(store: RunStore, sql: str, *params) -> None:
    """A value no check of ours saw: an older version's import, a tool, a person with sqlite3."""
    with sqlite3.connect(store.path) as db:
        db.execute(sql, params)


def all_text(app: AppTest) -> str:
    """Every message on the page, as the reader sees it."""
    return "\n".join(shown(e.value) for e in [*app.error, *app.warning, *app.info, *app.success])


# Each of these, once imported, took the page down for everyone, for good: the newest run is
# chosen by default, and the page died before its Delete button was drawn.
DAMAGE = {
    "text for the distance": (
        'UPDATE runs SET metrics = \'{"frechet": "abc"}\' WHERE id = ?',
        "metrics: frechet is 'abc': a metric must be a finite number, true/false or null",
    ),
    "a date pandas cannot hold": (
        "UPDATE runs SET created = 253402351199 WHERE id = ?",  # 9999-12-31T23:59:59-14:00
        "created: 253402351199.0 seconds (the year 10000) is out of range: allowed 2000 to 2199",
    ),
    "text for modes covered": (
        'UPDATE runs SET metrics = \'{"modes_covered": "x"}\' WHERE id = ?',
        "metrics: modes_covered is 'x'",
    ),
    "text in the log": (
        "UPDATE history SET loss_d = 'high' WHERE run_id = ?",
        "log: loss_d at row 0: 'high' is not a number",
    ),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_run_is_listed_with_a_delete_and_the_page_stays_up(seeded, trainers, case):
    store, ids = seeded
    sql, problem = DAMAGE[case]
    (bad,) = store.import_bundle(store.export_bundle([ids[1]]), session_id=SESSION)
    write_by_hand(store, sql, bad)
    app = compare_page()
    no_exceptions(app)
    if "log" not in problem:  # the list reads no log: such a run shows once chosen
        listed = app.dataframe[0].value.set_index("label")
        assert listed.loc[f"#{bad} slow D", "status"] == "damaged"
        assert problem in listed.loc[f"#{bad} slow D", "problem"]
    else:
        runs_chooser(app).set_value([bad, ids[0]]).run()
    assert len(charts(app)) == 2  # the sound runs are still compared
    warning = f"#{bad} slow D is damaged and cannot be shown or exported: {problem}"
    assert any(shown(w.value).startswith(warning) for w in app.warning), all_text(app)
    assert "Error" not in all_text(app)  # a plain message, not an exception's name

    app.button(key=f"delete_damaged_{bad}").click().run()
    app.button(key="delete_confirm_damaged").click().run()
    no_exceptions(app)
    assert "Deleted 1 run." in shown(app.success[0].value)
    assert sorted(store.list_runs().id) == sorted(ids)
    assert not any("damaged" in shown(w.value) for w in app.warning)


def test_a_session_sees_and_acts_on_its_own_runs_only(seeded, trainers):
    store, ids = seeded
    others = record_trainer(store, trainers[0], name="theirs", session_id=OTHER_SESSION)
    record_trainer(store, trainers[0], name="from the CLI")  # filed under no session
    app = compare_page()
    no_exceptions(app)
    assert app.dataframe[0].value.label.tolist() == [f"#{ids[1]} slow D", f"#{ids[0]} tutorial"]
    assert runs_chooser(app).options == [f"#{ids[1]} slow D", f"#{ids[0]} tutorial"]

    result = compare_runs.export(store, SESSION, [ids[0], others])
    assert result.exported == [ids[0]] and result.gone == [others]
    assert [run["name"] for run in json.loads(result.data)["runs"]] == ["tutorial"]
    deletion = compare_runs.delete(store, SESSION, [others])
    assert deletion.deleted == [] and deletion.refused == [others]
    assert others in store.list_runs().id.tolist()

    stranger = compare_page(session=None)  # no run saved yet: none to see
    no_exceptions(stranger)
    assert "No saved runs yet" in stranger.info[0].value


def test_an_imported_file_is_the_importing_sessions(store, trainers):
    record_trainer(store, trainers[0], name="theirs", session_id=OTHER_SESSION)
    bundle = store.export_bundle(store.list_runs().id.tolist())
    app = compare_page(session=None)
    app.file_uploader(key="import_file").set_value(("runs.json", bundle, "application/json"))
    app.run()
    app.button(key="import_button").click().run()
    no_exceptions(app)
    assert "Imported 1 run " in shown(app.success[0].value)
    assert app.dataframe[0].value.label.str.endswith("theirs").tolist() == [True]
    own = app.session_state[session_id.STATE_KEY]
    assert store.list_runs(session_id=own).source.tolist() == ["import"]


def test_an_export_of_runs_another_tab_deleted_says_so(seeded):
    store, ids = seeded
    app = compare_page()
    store.delete_run(ids[1])  # in another tab
    app.download_button(key="export").click().run()
    no_exceptions(app)
    (warning,) = [shown(w.value) for w in app.warning if "The file holds" in shown(w.value)]
    assert warning == (
        f"The file holds 1 run; left out: #{ids[1]} slow D deleted (in another tab?)."
    )
    store.delete_run(ids[0])
    app.download_button(key="export").click().run()
    no_exceptions(app)
    assert shown(app.error[0].value) == (
        f"Nothing was exported: #{ids[0]} tutorial deleted (in another tab?)."
    )


def test_the_chosen_runs_stay_chosen_and_a_deleted_one_is_named(seeded, trainers):
    store, ids = seeded
    newest = record_trainer(store, trainers[1], name="newest", session_id=SESSION)
    app = compare_page()
    runs_chooser(app).set_value([ids[0]]).run()
    store.delete_run(ids[1])  # in another tab: not a run shown here
    app.run()
    no_exceptions(app)
    assert runs_chooser(app).value == [ids[0]]
    assert not app.warning

    store.delete_run(ids[0])  # in another tab: the run shown here
    app.run()
    no_exceptions(app)
    assert runs_chooser(app).value == []  # not quietly swapped for another run
    assert [shown(w.value) for w in app.warning] == [
        f"Deleted since this page was drawn (in another tab?), so no longer compared: "
        f"#{ids[0]} tutorial."
    ]
    assert any("Pick one or more runs" in i.value for i in app.info)
    assert store.list_runs().id.tolist() == [newest]


def test_deleting_runs_another_tab_deleted_first_says_so(seeded):
    store, ids = seeded
    app = compare_page()
    app.button(key="delete").click().run()
    store.delete_run(ids[0])  # in another tab, while this one asks
    app.button(key="delete_confirm").click().run()
    no_exceptions(app)
    assert shown(app.success[0].value) == (
        "Deleted 1 run. 1 had been deleted already (in another tab?)."
    )
