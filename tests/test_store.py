"""The run store on a real SQLite file and on a real PostgreSQL server, with real (short)
training runs: round trips, where it writes, crashes and threads, bundles (the recorder has
tests/test_recorder.py)."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from pg_server import SQLITE_ONLY, by_hand

from gan_core.config import ConfigError, GanConfig
from gan_core.jobs.thread_job import ViewOptions
from gan_core.serialize import to_dict
from gan_core.store.bundle import MAX_BUNDLE_BYTES
from gan_core.store.damage import DamagedRun
from gan_core.store.record import LOG_COLUMNS
from gan_core.store.run_store import RunNotFound, RunStore, store_from_environment
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.training.trainer import Trainer

REPO_ROOT = Path(__file__).resolve().parent.parent
SMALL = GanConfig(n_samples=200, batch_size=20, epochs=3)  # 30 steps, one log row each
SMALL_VIEW = ViewOptions(n_points=50, field_resolution=8, n_arrows=4, frame_interval=0.02)


@pytest.fixture
def store(tmp_path, store_url) -> RunStore:
    store = RunStore(tmp_path / "data", database_url=store_url())
    yield store
    store.close()


@pytest.fixture
def other_store(tmp_path, store_url) -> RunStore:
    """A second, empty store on the same kind of database."""
    store = RunStore(tmp_path / "other", database_url=store_url())
    yield store
    store.close()


@pytest.fixture(scope="module")
def trained() -> Trainer:
    trainer = Trainer(SMALL)
    trainer.run()
    return trainer


def saved_run(store: RunStore, trainer: Trainer, **kwargs) -> int:
    run_id = store.create_run(trainer.config, **kwargs)
    store.append_history(run_id, trainer.history.to_frame())
    metrics = trainer.snapshot(n_points=0, full_metrics=True).metrics
    store.finish(run_id, "finished", metrics, checkpoint_bytes(trainer))
    return run_id


def history_rows(store: RunStore, run_id: int) -> int:
    return len(store.get_run(run_id).history)


# ---------------------------------------------------------------------- round trip


def test_a_run_reads_back_as_written(store, trained):
    before = datetime.now(UTC)
    run_id = saved_run(store, trained, preset="tutorial", session_id="s1")
    run = store.get_run(run_id)

    assert run.config == SMALL
    assert (run.preset, run.session_id, run.source, run.status) == (
        "tutorial",
        "s1",
        "dashboard",
        "finished",
    )
    pd.testing.assert_frame_equal(run.history, trained.history.to_frame()[list(LOG_COLUMNS)])
    assert run.metrics["frechet"] == pytest.approx(trained.snapshot(n_points=0).metrics["frechet"])
    assert before <= run.created <= run.updated and run.finished == run.updated
    assert run.label == f"#{run_id} tutorial"
    restored = load_checkpoint(store.checkpoint(run_id))
    assert restored.step_count == trained.step_count == SMALL.total_steps


def test_history_rows_are_idempotent_by_step(store, trained):
    run_id = store.create_run(SMALL)
    frame = trained.history.to_frame()
    store.append_history(run_id, frame.iloc[:20])
    store.append_history(run_id, frame.iloc[10:])  # overlaps rows 10-19
    assert history_rows(store, run_id) == len(frame)
    changed = frame.iloc[[5]].assign(loss_d=123.0)
    store.append_history(run_id, changed.to_dict("records"))  # mappings work too
    assert store.get_run(run_id).history.loss_d.iloc[5] == 123.0
    assert history_rows(store, run_id) == len(frame)


def test_missing_losses_survive_as_nan(store):
    run_id = store.create_run(SMALL)
    store.append_history(run_id, [(1, 0, float("nan"), 0.7, 0.5, 0.5, 2.0, 0.05, 0.01)])
    assert store.get_run(run_id).history.loss_d.isna().all()


def test_list_filters_by_preset_status_and_date(store, trained):
    tutorial = saved_run(store, trained, preset="tutorial")
    other = store.create_run(SMALL, preset="high_lr")
    store.set_status(other, "paused")

    assert store.list_runs().id.tolist() == [other, tutorial]  # newest first
    assert store.list_runs(preset="tutorial").id.tolist() == [tutorial]
    assert store.list_runs(status=["paused"]).id.tolist() == [other]
    assert store.list_runs(since=date.today() - timedelta(days=1)).shape[0] == 2
    assert store.list_runs(until=date.today() - timedelta(days=1)).empty
    assert store.list_runs(since=datetime.now(UTC) + timedelta(hours=1)).empty
    row = store.list_runs(preset="tutorial").iloc[0]
    assert (row.steps, row.total_steps, row.target, row.loss) == (30, 30, "gaussian", SMALL.loss)
    assert row.created.tzinfo is not None


def test_last_run_for_session(store):
    first = store.create_run(SMALL, session_id="a")
    store.create_run(SMALL, session_id="b")
    assert store.last_run_for_session("a").id == first
    newer = store.create_run(SMALL, session_id="a")
    assert store.last_run_for_session("a").id == newer
    assert store.last_run_for_session("nobody") is None


def test_delete_removes_log_and_weights(store, trained):
    run_id = saved_run(store, trained)
    keep = saved_run(store, trained)
    assert store.delete_run(run_id) is True
    assert store.delete_run(run_id) is False
    with pytest.raises(RunNotFound):
        store.get_run(run_id)
    counts = [
        by_hand(store, f"SELECT count(*) FROM {table} WHERE run_id = ?", run_id)[0][0]
        for table in ("history", "checkpoints")
    ]
    assert counts == [0, 0]
    assert history_rows(store, keep) == 30


def test_writes_to_a_missing_run_fail_clearly(store):
    with pytest.raises(RunNotFound, match="no run #99"):
        store.append_history(99, [(1, 0, 1.0, 1.0, 0.5, 0.5, 1.0, 0.1, 0.1)])
    with pytest.raises(RunNotFound):
        store.finish(99, "finished", {})


def test_bad_arguments_are_refused(store):
    with pytest.raises(ValueError, match="status"):
        store.create_run(SMALL, status="exploded")
    with pytest.raises(ValueError, match="run name"):
        store.create_run(SMALL, name="bad\nname")
    with pytest.raises(TypeError):
        store.create_run(to_dict(SMALL))
    run_id = store.create_run(SMALL)
    with pytest.raises(ValueError, match="whole number"):
        store.append_history(run_id, [(-1, 0, 1.0, 1.0, 0.5, 0.5, 1.0, 0.1, 0.1)])
    with pytest.raises(ValueError, match="values"):
        store.append_history(run_id, [(1, 0, 1.0)])


# ---------------------------------------------------------------------- where it writes


@pytest.mark.parametrize(
    "name", ["../runs.sqlite3", "a/b.sqlite3", "..", "", ".hidden", "x\\y", "/abs.sqlite3"]
)
def test_store_names_cannot_leave_the_data_directory(tmp_path, name):
    with pytest.raises(ConfigError, match="store name"):
        RunStore(tmp_path / "data", name)
    assert not (tmp_path / "runs.sqlite3").exists()


def test_a_symlink_out_of_the_data_directory_is_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "evil.sqlite3").symlink_to(tmp_path / "elsewhere.sqlite3")
    with pytest.raises(ConfigError, match="outside the data directory"):
        RunStore(data, "evil.sqlite3")
    assert not (tmp_path / "elsewhere.sqlite3").exists()


def test_data_directory_must_be_a_directory(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="not a directory"):
        RunStore(tmp_path / "file")


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "runs.sqlite3").write_bytes(b"not a database at all" * 100)
    with pytest.raises(ConfigError, match="not a run store"):
        RunStore(tmp_path)


def test_store_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "from-env"))
    assert store_from_environment().path == (tmp_path / "from-env" / "runs.sqlite3").resolve()
    monkeypatch.delenv("GANSCOPE_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    assert store_from_environment().path == (tmp_path / "data" / "runs.sqlite3").resolve()


# ---------------------------------------------------------------------- crashes, threads


def test_two_threads_write_at_once(store):
    barrier = threading.Barrier(2)
    errors = []

    def writer(name: str) -> None:
        try:
            run_id = store.create_run(SMALL, name=name)
            barrier.wait()
            for start in range(1, 401, 8):
                rows = [
                    (s, 0, 1.0, 1.0, 0.5, 0.5, 1.0 / s, 0.1, 0.1) for s in range(start, start + 8)
                ]
                store.append_history(run_id, rows)
            store.finish(run_id, "finished", {"frechet": 0.0})
        except Exception as error:  # surfaced below: a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    runs = store.list_runs()
    assert sorted(runs.name) == ["left", "right"]
    assert set(runs.status) == {"finished"} and set(runs.steps) == {400}
    for run_id in runs.id:
        assert store.get_run(run_id).history.step.tolist() == list(range(1, 401))
    assert store.integrity_check() == "ok"


def test_connections_of_ended_threads_are_closed(store):
    # Streamlit runs every rerun on a new thread: their connections must not pile up.
    for _ in range(20):
        thread = threading.Thread(target=store.list_runs)
        thread.start()
        thread.join()
    store.list_runs()  # a new thread's first use closes the connections of ended ones
    last = threading.Thread(target=store.list_runs)
    last.start()
    last.join()
    assert len(store._db._open) <= 3


WRITER = """
import sys
from gan_core.config import GanConfig
from gan_core.store.run_store import RunStore
store = RunStore(sys.argv[1], database_url=sys.argv[2] or None)
run_id = store.create_run(GanConfig(), name="doomed")
step = 0
while True:
    rows = [(step + i, 0, 1.0, 1.0, 0.5, 0.5, 1.0, 0.1, 0.1) for i in range(1, 26)]
    store.append_history(run_id, rows)
    step += 25
    print(step, flush=True)
"""


def test_a_killed_writer_leaves_a_sound_store(tmp_path, store_url):
    data = tmp_path / "data"
    url = store_url()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data), url or ""],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        committed = 0
        while committed < 2000:  # at least 80 transactions, then kill it mid-stream
            line = writer.stdout.readline()
            assert line, writer.stderr.read()
            committed = int(line)
        writer.send_signal(signal.SIGKILL)
        writer.wait(30)
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.stdout.close()
        writer.stderr.close()
    assert writer.returncode == -signal.SIGKILL

    store = RunStore(data, database_url=url)
    assert store.integrity_check() == "ok"
    (run,) = store.list_runs().itertuples()
    steps = store.get_run(run.id).history.step.tolist()
    # Every transaction it reported is there, and only whole transactions (25 rows each).
    assert len(steps) >= committed and len(steps) % 25 == 0
    assert steps == list(range(1, len(steps) + 1))
    assert run.status == "running"  # it never finished: the list says so
    store.close()


# ---------------------------------------------------------------------- bundles


def test_export_import_round_trip(store, other_store, trained):
    first = saved_run(store, trained, preset="tutorial")
    second = store.create_run(SMALL.replace(seed=7), name="partial")
    store.append_history(second, trained.history.to_frame().iloc[:5].assign(loss_d=float("nan")))
    bundle = store.export_bundle([first, second])

    other = other_store
    ids = other.import_bundle(bundle)
    assert len(ids) == 2
    for source_id, new_id in zip((first, second), ids):
        old, new = store.get_run(source_id), other.get_run(new_id)
        assert (new.config, new.name, new.preset, new.status) == (
            old.config,
            old.name,
            old.preset,
            old.status,
        )
        assert new.source == "import" and new.created == old.created
        assert new.metrics == pytest.approx(old.metrics)
        pd.testing.assert_frame_equal(new.history, old.history)
    assert other.checkpoint(ids[0]) is None  # weights stay where they were trained
    other.close()


def _bundle(store: RunStore, trained: Trainer) -> dict:
    return json.loads(store.export_bundle([saved_run(store, trained)]))


def _with(bundle: dict, change) -> bytes:
    bundle = json.loads(json.dumps(bundle))
    change(bundle)
    return json.dumps(bundle).encode()


MALFORMED = {
    "bad JSON": (lambda b: b"{not json", "not valid JSON"),
    "NaN token": (lambda b: json.dumps(b).replace("0.5", "NaN", 1).encode(), "NaN"),
    "not a bundle": (lambda b: _with(b, lambda x: x.update(format="zip")), "not a GANscope"),
    "wrong version": (lambda b: _with(b, lambda x: x.update(version=2)), "2 is not supported"),
    "no runs": (lambda b: _with(b, lambda x: x.update(runs=[])), "1 to"),
    "unknown config key": (
        lambda b: _with(b, lambda x: x["runs"][0]["config"].update(learning_rate=1)),
        "learning_rate: unknown setting",
    ),
    "invalid config value": (
        lambda b: _with(b, lambda x: x["runs"][0]["config"].update(lr_d=99.0)),
        "lr_d: 99 is out of range",
    ),
    "text in history": (
        lambda b: _with(b, lambda x: x["runs"][0]["history"]["loss_d"].__setitem__(3, "high")),
        "loss_d: row 3: 'high' is not a number",
    ),
    "huge value in history": (
        lambda b: _with(b, lambda x: x["runs"][0]["history"]["frechet"].__setitem__(0, 1e300)),
        "out of range",
    ),
    "missing column": (
        lambda b: _with(b, lambda x: x["runs"][0]["history"].pop("lr_g")),
        "missing column 'lr_g'",
    ),
    "ragged columns": (
        lambda b: _with(b, lambda x: x["runs"][0]["history"]["epoch"].pop()),
        "different lengths",
    ),
    "repeated step": (
        lambda b: _with(b, lambda x: x["runs"][0]["history"]["step"].__setitem__(1, 1)),
        "same step appears twice",
    ),
    "bad status": (
        lambda b: _with(b, lambda x: x["runs"][0].update(status="won")),
        "status",
    ),
    "unknown run key": (
        lambda b: _with(b, lambda x: x["runs"][0].update(weights="...")),
        "weights",
    ),
    "too large": (lambda b: b" " * (MAX_BUNDLE_BYTES + 1), "at most"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_bundles_are_refused_and_import_nothing(store, trained, case):
    damage, expected = MALFORMED[case]
    bad = damage(_bundle(store, trained))
    before = store.list_runs().id.tolist()
    with pytest.raises(ConfigError) as caught:
        store.import_bundle(bad)
    assert expected in str(caught.value)
    assert store.list_runs().id.tolist() == before


def test_one_bad_run_keeps_the_good_ones_out_too(store, trained):
    bundle = _bundle(store, trained)
    bundle["runs"] = [bundle["runs"][0], json.loads(json.dumps(bundle["runs"][0]))]
    bundle["runs"][1]["config"]["batch_size"] = 0
    before = len(store.list_runs())
    with pytest.raises(ConfigError, match="run 2 config: batch_size"):
        store.import_bundle(json.dumps(bundle).encode())
    assert len(store.list_runs()) == before


# ---------------------------------------------------------------------- damaged runs

# Each of these, imported, once took the Compare page down for everyone who opened it.
UNREADABLE_IMPORTS = {
    "text for a distance": (
        lambda run: run.update(metrics={"frechet": "abc"}),
        "run 1 metrics: frechet is 'abc': a metric must be a finite number, true/false or null",
    ),
    "text for modes covered": (
        lambda run: run.update(metrics={"modes_covered": "x"}),
        "run 1 metrics: modes_covered is 'x': a metric must be a finite number",
    ),
    "a metric without a name": (
        lambda run: run.update(metrics={"": 1.0}),
        "run 1 metrics: key '' must be a letter then up to 63 letters, digits or _",
    ),
    "a metric holding a list": (
        lambda run: run.update(metrics={"frechet": [1]}),
        "run 1 metrics: frechet is [1]: a metric must be a finite number",
    ),
    "a date pandas cannot hold": (
        lambda run: run.update(created="9999-12-31T23:59:59-14:00"),
        "run 1 created: '9999-12-31T23:59:59-14:00' is out of range: allowed 2000 to 2199",
    ),
    "a date before any run": (
        lambda run: run.update(created="1066-10-14T09:00:00+00:00"),
        "run 1 created: '1066-10-14T09:00:00+00:00' is out of range",
    ),
    "a date in the future": (
        lambda run: run.update(finished="2150-01-01T00:00:00+00:00"),
        "run 1 finished: '2150-01-01T00:00:00+00:00' is in the future",
    ),
    "finished before it was created": (
        lambda run: run.update(finished="2001-01-01T00:00:00+00:00"),
        "run 1 finished: 2001-01-01T00:00:00+00:00 is before created",
    ),
    "a message that is not text": (
        lambda run: run.update(message=["a"]),
        "run 1 message: must be text of at most 1000 characters",
    ),
}


@pytest.mark.parametrize("case", list(UNREADABLE_IMPORTS))
def test_values_a_page_cannot_show_are_refused_on_import(store, trained, case):
    change, message = UNREADABLE_IMPORTS[case]
    bad = _with(_bundle(store, trained), lambda b: change(b["runs"][0]))
    before = store.list_runs().id.tolist()
    with pytest.raises(ConfigError) as caught:
        store.import_bundle(bad)
    assert str(caught.value).startswith(message)
    assert store.list_runs().id.tolist() == before


def test_an_exported_run_with_every_kind_of_metric_imports_as_it_was(store, other_store, trained):
    run_id = saved_run(store, trained)
    store.finish(run_id, "finished", {"frechet": 0.5, "frechet_exact": True, "energy": None})
    other = other_store
    (new_id,) = other.import_bundle(store.export_bundle([run_id]), session_id="s2")
    new = other.get_run(new_id)
    assert new.metrics == {"frechet": 0.5, "frechet_exact": True, "energy": None}
    assert new.session_id == "s2"
    other.close()


def test_metrics_that_are_not_numbers_are_not_stored(store):
    run_id = store.create_run(SMALL)
    store.finish(run_id, "finished", {"frechet": 1, "note": "text", "bad key": 2.0, "k": 10**400})
    assert store.get_run(run_id).metrics == {"frechet": 1.0, "k": None}


def write_by_hand(store: RunStore, sql: str, *params) -> None:
    """What another tool, an older version or a person with sqlite3 could leave behind
    (SQLite only: PostgreSQL refuses a value of the wrong type)."""
    with sqlite3.connect(store.path) as db:
        db.execute(sql, params)


# column set by hand -> value, and what the list and get_run say about it
DAMAGE = {
    "text distance": ("metrics", '{"frechet": "abc"}', "metrics: frechet is 'abc'"),
    "metrics not JSON": ("metrics", "{oops", "metrics: not valid JSON"),
    "metrics a list": ("metrics", "[1, 2]", "metrics: must be an object of named numbers"),
    "created past pandas": ("created", 1e300, "created: 1e+300 seconds is out of range"),
    "created as text": ("created", "yesterday", "created: 'yesterday' is not a time"),
    "finished as bytes": ("finished", b"\x00", "finished: b'\\x00' is not a time"),
    "unknown status": ("status", "won", "status: status 'won' is not one of"),
    "name as bytes": ("name", b"\x00", "name: run name b'\\x00' must be"),
    "unknown source": ("source", "mars", "source: 'mars' is not one of"),
}


@SQLITE_ONLY  # SQLite keeps a value of any type in any column
@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_row_is_listed_as_damaged_and_can_be_deleted(store, trained, case):
    column, value, problem = DAMAGE[case]
    sound = saved_run(store, trained)
    damaged = saved_run(store, trained)
    write_by_hand(store, f"UPDATE runs SET {column} = ? WHERE id = ?", value, damaged)

    listed = store.list_runs().set_index("id")
    assert listed.loc[damaged, "status"] == "damaged"
    assert problem in listed.loc[damaged, "problem"]
    assert (listed.loc[sound, "status"], listed.loc[sound, "problem"]) == ("finished", "")
    with pytest.raises(DamagedRun) as caught:
        store.get_run(damaged)
    assert str(caught.value).startswith(f"run #{damaged}: damaged: {problem}")
    assert isinstance(caught.value, ConfigError)  # the refusal every page already shows
    assert store.get_run(sound).id == sound
    assert store.delete_run(damaged)
    assert store.list_runs().id.tolist() == [sound]


@SQLITE_ONLY  # SQLite keeps a value of any type in any column
@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("loss", b"\x00", "loss: b'\\x00' is not text"),
        ("total_steps", "many", "total steps: 'many' is not a whole number"),
    ],
)
def test_a_damaged_summary_column_is_listed_as_damaged(store, trained, column, value, problem):
    damaged = saved_run(store, trained)
    write_by_hand(store, f"UPDATE runs SET {column} = ? WHERE id = ?", value, damaged)
    listed = store.list_runs().set_index("id")
    assert listed.loc[damaged, "status"] == "damaged"
    assert problem in listed.loc[damaged, "problem"]
    assert store.get_run(damaged).config == trained.config  # the run itself is sound
    assert store.delete_run(damaged)


@SQLITE_ONLY  # SQLite keeps a value of any type in any column
# The run list reads the summary columns saved with each run and never parses a config (a
# list of 1,000 runs must not), so a config altered by hand shows when the run is opened.
@pytest.mark.parametrize(
    ("value", "problem"),
    [("{", "config: config: not valid JSON"), ('{"lr_d": 0}', "config: lr_d: 0 is out of range")],
)
def test_a_damaged_config_is_refused_when_its_run_is_opened(store, trained, value, problem):
    damaged = saved_run(store, trained)
    write_by_hand(store, "UPDATE runs SET config = ? WHERE id = ?", value, damaged)
    assert damaged in store.list_runs().id.tolist()  # the list stays up
    with pytest.raises(DamagedRun) as caught:
        store.get_run(damaged)
    assert str(caught.value).startswith(f"run #{damaged}: damaged: {problem}")
    assert store.delete_run(damaged)


@SQLITE_ONLY  # SQLite keeps a value of any type in any column
@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("loss_d", "high", "log: loss_d at row 0: 'high' is not a number"),
        ("step", "x", "log: step at row 29: 'x' is not a whole number ≥ 0"),  # sorts last
        ("epoch", -1, "log: epoch at row 0: -1 is not a whole number ≥ 0"),
        ("frechet", b"\x01", "log: frechet at row 0: b'\\x01' is not a number"),
    ],
)
def test_a_damaged_log_row_makes_its_run_damaged(store, trained, column, value, problem):
    run_id = saved_run(store, trained)
    step = int(store.get_run(run_id).history.step.iloc[0])
    write_by_hand(
        store, f"UPDATE history SET {column} = ? WHERE run_id = ? AND step = ?", value, run_id, step
    )
    with pytest.raises(DamagedRun, match=re.escape(problem)):
        store.get_run(run_id)
    store.list_runs()  # the list does not read the log: it still lists the run


@SQLITE_ONLY  # SQLite keeps a value of any type in any column
def test_a_damaged_last_distance_marks_the_listed_run(store):
    run_id = store.create_run(SMALL)
    store.append_history(run_id, [(1, 0, 1.0, 1.0, 0.5, 0.5, 1.0, 0.1, 0.1)])
    write_by_hand(store, "UPDATE history SET frechet = 'far' WHERE run_id = ?", run_id)
    (row,) = store.list_runs().itertuples()
    assert row.status == "damaged" and row.problem == "log frechet: 'far' is not a number"
