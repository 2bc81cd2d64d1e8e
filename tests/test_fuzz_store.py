"""Property-based fuzzing of what the run store reads: a runs file, and its own SQLite tables.

A runs file comes from anyone; the store's file may hold rows that no check of ours saw
(written by hand, by a tool, by an older version). Whatever either holds:
- importing a runs file refuses with a ConfigError, or adds runs that read back sound;
- listing the runs never raises, and a row it cannot read says "damaged" and why;
- reading one run gives a RunRecord or raises DamagedRun (a ConfigError), and reopening it
  raises no more than a ConfigError or NoSavedState;
- the Compare page still draws, with a Delete for every damaged run it shows.

Example counts are kept small for a busy two-core machine; GANSCOPE_FUZZ_SCALE multiplies
them (as in tests/test_fuzz_config.py).
"""

from __future__ import annotations

import functools
import json
import math
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pg_server import by_hand

from gan_core.config import ConfigError, GanConfig
from gan_core.jobs.protocol import ViewOptions
from gan_core.jobs.status import RunStatus
from gan_core.store.bundle import decode_bundle
from gan_core.store.damage import DamagedRun
from gan_core.store.record import RunRecord
from gan_core.store.rows import DAMAGED
from gan_core.store.run_store import RunStore
from gan_core.store.stored_run import NoSavedState, StoredRun
from gan_core.training.checkpoint import checkpoint_bytes
from gan_core.training.history import COLUMNS
from gan_core.training.trainer import Trainer
from tests.bad_inputs import bundle, run_with
from tests.test_compare_page import SESSION, compare_page, runs_chooser
from ui.compare_table import results_table, settings_table

SCALE = float(os.environ.get("GANSCOPE_FUZZ_SCALE", "1"))
CONFIG = GanConfig(n_samples=16, epochs=1)
VIEW = ViewOptions(n_points=20, field_resolution=4, n_arrows=2)
RUN_COLUMNS = [
    "name",
    "preset",
    "source",
    "status",
    "message",
    "config",
    "metrics",
    "created",
    "updated",
    "finished",
    # the list's summary columns and the quota's, saved with each run
    "target_kind",
    "loss",
    "total_steps",
    "pinned",
    "published",
    "points_blob",
    "own_bytes",
]
NOT_NULL = {"name", "source", "status", "message", "config", "metrics", "created", "updated"}


def examples(count: int, **more) -> settings:
    return settings(
        max_examples=max(1, round(count * SCALE)),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        **more,
    )


# ---------------------------------------------------------------- strategies

HUGE_INTS = [2**53 + 1, 2**63, -(2**63) - 1, 10**400]
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(HUGE_INTS),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e300, -1e300, 5e-324, 0.0, -0.0, 1e12, 1e13]),
    st.text(max_size=12),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
METRIC_NAMES = ["frechet", "modes_covered", "kl_gen_target", "frechet_exact", "", "a b", "9x"]
metrics_values = st.one_of(
    json_values,
    st.dictionaries(st.one_of(st.sampled_from(METRIC_NAMES), st.text(max_size=8)), json_values),
)
TIMES = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "1969-12-31T23:59:59",
    "2024-02-30T00:00:00",
    "2024-05-01T12:00:00+00:00",
    "2024-05-01",
    "2199-12-31T23:59:59+00:00",
    "not a date",
]
time_values = st.one_of(st.sampled_from(TIMES), json_values, st.datetimes().map(str))

# What SQLite can hold in any column, whatever its declared type (NaN is stored as NULL).
VALID_CONFIG = json.dumps({"lr_d": 0.01})
sqlite_values = st.one_of(
    st.none(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.sampled_from([1e300, -1.0, 0.0, 946_684_800.0, 7_258_118_400.0, 253_402_351_199.0]),
    st.text(max_size=20),
    st.binary(max_size=12),
    st.sampled_from(
        [
            '{"frechet": "abc"}',
            '{"modes_covered": "x"}',
            '{"frechet": 1e999}',
            '{"frechet": NaN}',
            "[]",
            "{}",
            "null",
            "[" * 5000 + "]" * 5000,
            '{"lr_d": 0}',
            VALID_CONFIG,
            "finished",
            "import",
            "a" * 2000,
        ]
    ),
    json_values.map(json.dumps),
)


@st.composite
def mutated_runs(draw) -> dict:
    """One run of a bundle, valid to start with, with some of its keys set to anything."""
    run = run_with(name="fuzzed", created="2024-05-01T12:00:00+00:00")
    for _ in range(draw(st.integers(1, 4))):
        key = draw(
            st.sampled_from(
                ["metrics", "metrics", "created", "updated", "finished", "name", "preset"]
                + ["status", "message", "history"]
            )
        )
        if key == "metrics":
            run[key] = draw(metrics_values)
        elif key in ("created", "updated", "finished"):
            run[key] = draw(time_values)
        elif key == "history":
            column = draw(st.sampled_from(COLUMNS))
            run[key] = {**run[key], column: [draw(json_values)]}
        else:
            run[key] = draw(json_values)
    return run


# ---------------------------------------------------------------- a store to damage


@functools.cache
def weights() -> bytes:
    trainer = Trainer(CONFIG)
    trainer.run(n_steps=3)
    return checkpoint_bytes(trainer)


@contextmanager
def scratch_store(url: str | None) -> Iterator[RunStore]:
    """A fresh store per example (hypothesis runs many examples in one test call): a new
    SQLite file, or the test's PostgreSQL database emptied again afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        store = RunStore(Path(folder), database_url=url)
        try:
            yield store
        finally:
            if url is not None:
                for table in ("runs", "blobs", "challenges"):  # the rest go with their run
                    by_hand(store, f"DELETE FROM {table}")
            store.close()


def sound_run(store: RunStore, name: str = "sound") -> int:
    run_id = store.create_run(CONFIG, name=name, session_id=SESSION)
    rows = [(step, 0, 1.0, 0.7, 0.5, 0.5, 2.0, 0.05, 0.01) for step in (1, 2, 3)]
    metrics = {"frechet": 2.0, "frechet_exact": True}
    store.finish(run_id, "stopped", metrics, weights(), rows=rows)
    return run_id


def damage(store: RunStore, run_id: int, table: str, column: str, value: object) -> None:
    """Write `value` straight into the table, as a tool could; skip what the database
    refuses (SQLite: NULL or a step twice; PostgreSQL also a value of another type)."""
    where = {"runs": "id = ?", "blobs": "hash = (SELECT blob FROM checkpoints WHERE run_id = ?)"}
    where = where.get(table, "run_id = ?")
    if table == "history":
        where += " AND step = 2"
    try:
        if store.path is None:
            by_hand(store, f"UPDATE {table} SET {column} = ? WHERE {where}", value, run_id)
        else:
            with sqlite3.connect(store.path) as db:
                db.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (value, run_id))
    except (sqlite3.IntegrityError, psycopg.Error):
        assume(False)


damages = st.one_of(
    st.tuples(st.just("runs"), st.sampled_from(RUN_COLUMNS), sqlite_values),
    st.tuples(st.just("history"), st.sampled_from(COLUMNS), sqlite_values),
    st.tuples(
        st.just("checkpoints"), st.sampled_from(["blob", "config_at", "hash"]), sqlite_values
    ),
    st.tuples(st.just("blobs"), st.sampled_from(["data", "size"]), sqlite_values),
)


@pytest.fixture
def scratch_url(store_url) -> str | None:
    """One database per test call, emptied between its examples (a new one each would take
    most of the test's time); None for SQLite, a new file each."""
    return store_url()


# ---------------------------------------------------------------- what a read must give


def assert_sound(record: RunRecord) -> None:
    """What the pages rely on in a run the store hands out."""
    assert isinstance(record.config, GanConfig)
    assert record.status in RunStatus.stored()
    assert all(
        v is None or isinstance(v, bool) or (isinstance(v, float) and math.isfinite(v))
        for v in record.metrics.values()
    )
    for moment in (record.created, record.updated, record.finished):
        assert moment is None or (moment.tzinfo is not None and 2000 <= moment.year < 2200)
    assert record.history.step.dtype == "int64"
    results_table([record])
    settings_table([record])


def assert_reads_or_refuses(store: RunStore, run_id: int) -> None:
    listed = store.list_runs().set_index("id")
    row = listed.loc[run_id]
    try:
        record = store.get_run(run_id)
    except DamagedRun as error:
        assert error.run_id == run_id and error.problem
        return
    assert_sound(record)
    if row.status == DAMAGED:  # only the list reads these (and the published flag) on their own
        assert row.problem.startswith(("log frechet", "target", "loss", "total steps", "published"))
    else:
        assert row.problem == ""
    try:
        StoredRun.open(store, run_id, VIEW)
    except (ConfigError, NoSavedState):  # its weights are damaged or gone
        pass


# ---------------------------------------------------------------- the properties


@given(run=mutated_runs())
@examples(120)
def test_an_import_refuses_or_adds_runs_that_read_back_sound(run, scratch_url):
    data = bundle(run)
    try:
        records = decode_bundle(data)
    except ConfigError:
        return
    (record,) = records
    with scratch_store(scratch_url) as store:
        (run_id,) = store.import_bundle(data, session_id=SESSION)
        (row,) = store.list_runs().itertuples()
        assert (row.status, row.problem) == (record.status, "")
        assert_sound(store.get_run(run_id))
    assert record.created <= datetime.now(UTC) + timedelta(days=1)


@given(change=damages)
@examples(60)
def test_a_row_with_any_value_is_read_or_refused_as_damaged(change, scratch_url):
    with scratch_store(scratch_url) as store:
        run_id = sound_run(store)
        damage(store, run_id, *change)
        assert_reads_or_refuses(store, run_id)
        assert store.delete_run(run_id)
        assert store.list_runs().empty


@given(changes=st.lists(damages, min_size=1, max_size=3))
@examples(4, deadline=None)
def test_the_compare_page_draws_with_a_delete_for_each_damaged_run(
    changes, tmp_path_factory, monkeypatch
):
    data_dir = tmp_path_factory.mktemp("fuzzed")
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(data_dir))
    store = RunStore(data_dir)
    try:
        sound_run(store)
        damaged_ids = [sound_run(store, f"run {i}") for i in range(len(changes))]
        for run_id, change in zip(damaged_ids, changes):
            damage(store, run_id, *change)
        app = compare_page()
        assert not app.exception, [e.value for e in app.exception]
        listed = store.list_runs(session_id=SESSION).set_index("id")
        sound_ids = listed.index[listed.status != DAMAGED].tolist()
        if sound_ids:  # every run that lists as sound, chosen at once: it is read in full
            runs_chooser(app).set_value(sound_ids).run()
            assert not app.exception, [e.value for e in app.exception]
        for run_id, row in listed.iterrows():
            try:
                store.get_run(run_id)
            except DamagedRun:
                pass
            else:
                if row.status != DAMAGED:
                    continue
            assert app.button(key=f"delete_damaged_{run_id}"), (run_id, row.problem)
    finally:
        store.close()
