"""The run store's quota, its shared blobs, its run-list summary (on SQLite and PostgreSQL)
and its schema upgrade (SQLite files written by an older GANscope)."""

from __future__ import annotations

import json
import sqlite3
import time
import zlib

import numpy as np
import pytest
from pg_server import by_hand

from gan_core.config import MAX_POINTS, ConfigError, GanConfig, Target
from gan_core.serialize import to_json
from gan_core.store.db import SCHEMA_VERSION
from gan_core.store.quota import (
    MB,
    SESSION_IDLE_SECONDS,
    EvictedRun,
    Quota,
    StoreFull,
    quota_from_environment,
)
from gan_core.store.recorder import RunRecorder
from gan_core.store.run_store import RunStore
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.training.history import COLUMNS
from gan_core.training.trainer import Trainer

SMALL = GanConfig(n_samples=200, batch_size=20, epochs=3)  # 30 steps
ROOMY = Quota(total_bytes=10_000 * MB, session_bytes=10_000 * MB)


@pytest.fixture
def store(tmp_path, store_url) -> RunStore:
    store = RunStore(tmp_path / "data", quota=ROOMY, database_url=store_url())
    yield store
    store.close()


@pytest.fixture(scope="module")
def uploaded() -> GanConfig:
    """A config of an uploaded target with the most points allowed."""
    points = np.random.default_rng(7).normal(size=(MAX_POINTS, 2)).round(6).tolist()
    target = Target(kind="points", points=tuple(map(tuple, points)))
    return GanConfig(target=target, batch_size=400, epochs=1)


def ended_run(store: RunStore, config: GanConfig = SMALL, **kwargs) -> int:
    """A finished run with 30 log rows and no weights."""
    run_id = store.create_run(config, **kwargs)
    rows = [(step, 0, *([0.5] * (len(COLUMNS) - 2))) for step in range(30)]
    store.finish(run_id, "finished", {"frechet": 0.1}, rows=rows)
    return run_id


sql = by_hand


def end_session(store: RunStore, session_id: str) -> None:
    """Make a session's runs look last saved long ago: the session has ended."""
    sql(
        store,
        "UPDATE runs SET updated = updated - ? WHERE session_id = ?",
        2 * SESSION_IDLE_SECONDS,
        session_id,
    )


def squeeze(store: RunStore, slack: int = 100) -> None:
    """Set the total quota just above what the store holds now."""
    store.quota = Quota(total_bytes=store.usage() + slack, session_bytes=ROOMY.session_bytes)


# ---------------------------------------------------------------------- eviction order


def test_eviction_order_ended_sessions_first_published_last(store):
    gone_old = ended_run(store, session_id="gone", name="gone_old")
    cli = ended_run(store, source="cli", name="cli")  # no session: counts as ended
    gone_new = ended_run(store, session_id="gone", name="gone_new")
    live = ended_run(store, session_id="live", name="live")
    pinned = ended_run(store, session_id="gone", name="pinned")
    published = ended_run(store, session_id="gone", name="published")
    running = store.create_run(SMALL, session_id="live", name="running")
    store.set_flags(pinned, pinned=True)
    store.set_flags(published, published=True)
    end_session(store, "gone")

    order = []
    for _ in range(6):  # each time, one old run's log makes room for a new run
        squeeze(store)
        added = store.add_run(SMALL, session_id="writer")
        order += [run.id for run in added.evicted]
    assert order == [gone_old, cli, gone_new, live, pinned, published]
    assert store.get_run(running).status == "running"
    squeeze(store)
    with pytest.raises(StoreFull, match="still running"):
        store.add_run(SMALL, session_id="writer")
    assert store.usage() <= store.quota.total_bytes


def test_the_writers_own_older_runs_go_before_other_active_sessions(store):
    other = ended_run(store, session_id="other", name="other")
    own = ended_run(store, session_id="writer", name="own")
    squeeze(store)
    evicted = store.add_run(SMALL, session_id="writer").evicted
    # Both sessions are active: the writer's own run goes first, though the other is older.
    assert [run.id for run in evicted] == [own]
    assert store.get_run(other).name == "other"


def test_a_session_over_its_share_loses_only_its_own_oldest_ended_runs(store):
    someone_else = ended_run(store, session_id="b", name="older_elsewhere")
    first = ended_run(store, session_id="a", name="first")
    second = ended_run(store, session_id="a", name="second")
    running = store.create_run(SMALL, session_id="a", name="running")

    def squeeze_a() -> None:
        share = store.usage("a") + 100
        store.quota = Quota(total_bytes=ROOMY.total_bytes, session_bytes=share)

    squeeze_a()
    added = store.add_run(SMALL, session_id="a")
    assert [run.id for run in added.evicted] == [first]
    assert store.usage("a") <= store.quota.session_bytes
    squeeze_a()
    added = store.add_run(SMALL, session_id="a")
    assert [run.id for run in added.evicted] == [second]
    assert store.get_run(someone_else).name == "older_elsewhere"  # never other people's
    squeeze_a()
    with pytest.raises(StoreFull, match="session's share"):
        store.add_run(SMALL, session_id="a")
    assert store.get_run(running).status == "running"
    assert len(store.list_runs(session_id="b")) == 1


def test_evicted_runs_are_reported_to_the_recorder(store):
    old = ended_run(store, session_id="gone", name="old")
    end_session(store, "gone")
    squeeze(store)
    recorder = RunRecorder(store, SMALL, session_id="here")
    assert recorder.error is None
    assert [(run.id, run.label, run.session_id) for run in recorder.evicted] == [
        (old, f"#{old} old", "gone")
    ]


def test_weights_that_cannot_fit_are_left_out_and_the_run_says_so(store):
    trainer = Trainer(SMALL)
    trainer.run()
    run_id = store.create_run(SMALL, session_id="a")
    store.quota = Quota(total_bytes=store.usage() + 100, session_bytes=ROOMY.session_bytes)
    store.finish(run_id, "finished", {}, checkpoint_bytes(trainer))
    record = store.get_run(run_id)
    assert record.status == "finished" and not record.has_checkpoint
    assert "weights not saved" in record.message and "still running" in record.message


# ---------------------------------------------------------------------- settings


def test_quota_settings_from_the_environment():
    assert quota_from_environment({}) == Quota()
    assert quota_from_environment({"GANSCOPE_STORE_MB": "300"}) == Quota(300 * MB, 300 * MB)
    quota = quota_from_environment(
        {"GANSCOPE_STORE_MB": " 2000 ", "GANSCOPE_SESSION_STORE_MB": "100"}
    )
    assert quota == Quota(2000 * MB, 100 * MB)


@pytest.mark.parametrize(
    ("environ", "named", "allowed"),
    [
        ({"GANSCOPE_STORE_MB": "lots"}, "GANSCOPE_STORE_MB", "whole number of megabytes"),
        ({"GANSCOPE_STORE_MB": "0"}, "GANSCOPE_STORE_MB", "1 to 1,000,000"),
        ({"GANSCOPE_STORE_MB": "1.5"}, "GANSCOPE_STORE_MB", "whole number"),
        ({"GANSCOPE_STORE_MB": "-3"}, "GANSCOPE_STORE_MB", "whole number"),
        ({"GANSCOPE_SESSION_STORE_MB": "2e3"}, "GANSCOPE_SESSION_STORE_MB", "whole number"),
        (
            {"GANSCOPE_STORE_MB": "100", "GANSCOPE_SESSION_STORE_MB": "200"},
            "GANSCOPE_SESSION_STORE_MB",
            "allowed: 1 to 100",
        ),
    ],
)
def test_bad_quota_settings_are_refused_by_name(environ, named, allowed):
    with pytest.raises(ConfigError) as caught:
        quota_from_environment(environ)
    assert caught.value.field == named
    assert allowed in str(caught.value)


def test_a_store_with_a_bad_quota_setting_does_not_open(tmp_path, monkeypatch):
    monkeypatch.setenv("GANSCOPE_STORE_MB", "ten")
    with pytest.raises(ConfigError, match="GANSCOPE_STORE_MB"):
        RunStore(tmp_path / "data")


# ---------------------------------------------------------------------- shared blobs


def test_an_uploaded_target_is_stored_once_and_its_runs_read_back_exactly(store, uploaded):
    saved = {}
    for seed in range(3):
        trainer = Trainer(uploaded.replace(seed=seed))
        trainer.step()
        checkpoint = checkpoint_bytes(trainer)
        run_id = store.create_run(trainer.config, session_id="class")
        store.finish(run_id, "stopped", {}, checkpoint)
        saved[run_id] = (trainer.config, checkpoint)
    first_size = len(saved[min(saved)][1])
    # The points once, one blob of weights each with the config cut out of them.
    blobs = sql(store, "SELECT size FROM blobs ORDER BY size DESC")
    assert len(blobs) == 1 + 3
    assert sum(size for (size,) in blobs) < first_size
    assert store.usage() < 1.5 * first_size
    for run_id, (config, checkpoint) in saved.items():
        assert store.get_run(run_id).config == config
        assert store.checkpoint(run_id) == checkpoint  # byte for byte
        assert load_checkpoint(store.checkpoint(run_id)).config == config


def test_deleting_the_last_run_of_a_blob_deletes_the_blob(store, uploaded):
    runs = [store.create_run(uploaded.replace(seed=s)) for s in range(2)]
    trainer = Trainer(uploaded)
    store.finish(runs[0], "finished", {}, checkpoint_bytes(trainer))
    assert len(sql(store, "SELECT hash FROM blobs")) == 2  # points, weights
    store.delete_run(runs[0])
    assert len(sql(store, "SELECT hash FROM blobs")) == 1  # the points: run 2 still uses them
    assert store.get_run(runs[1]).config == uploaded.replace(seed=1)
    store.delete_run(runs[1])
    assert sql(store, "SELECT count(*) FROM blobs") == [(0,)]
    assert store.usage() == 0


def test_an_evicted_run_takes_its_unshared_blobs_with_it(store, uploaded):
    old = store.create_run(uploaded, session_id="gone")
    store.finish(old, "finished", {})
    end_session(store, "gone")
    squeeze(store, slack=0)
    evicted = store.add_run(SMALL, session_id="here").evicted
    assert [run.id for run in evicted] == [old]
    assert sql(store, "SELECT count(*) FROM blobs") == [(0,)]


def test_a_damaged_blob_is_refused_not_misread(store, uploaded):
    trainer = Trainer(SMALL)
    run_id = store.create_run(SMALL)
    store.finish(run_id, "finished", {}, checkpoint_bytes(trainer))
    sql(store, "UPDATE blobs SET data = ?", zlib.compress(b"not the weights"))
    with pytest.raises(ValueError, match="damaged"):
        store.checkpoint(run_id)


def test_usage_is_counted_from_the_stored_values(store, uploaded):
    # Not a file's size: the same count on SQLite and PostgreSQL, blobs counted once.
    trainer = Trainer(SMALL)
    first = store.create_run(uploaded, session_id="a")
    store.finish(first, "finished", {}, checkpoint_bytes(trainer))
    ended_run(store, uploaded, session_id="b")  # shares the points' blob
    ((rows,),) = sql(store, "SELECT sum(own_bytes) FROM runs")
    ((blobs, count),) = sql(store, "SELECT sum(length(data)), count(*) FROM blobs")
    assert count == 2  # the points once, the weights once
    assert store.usage() == rows + blobs
    ((only_a,),) = sql(store, "SELECT own_bytes FROM runs WHERE session_id = 'a'")
    assert store.usage("a") == only_a + blobs
    assert rows > 30 * 120 and blobs > 100_000


# ---------------------------------------------------------------------- the run list


def test_the_run_list_reads_its_summary_columns_not_the_configs(store, uploaded):
    ring = SMALL.replace(target=Target(kind="ring"), loss="hinge", epochs=4)
    ids = {
        store.create_run(SMALL): SMALL,
        store.create_run(ring): ring,
        store.create_run(uploaded): uploaded,
    }
    # Damage every config: a list that parsed them would fail or show nothing.
    sql(store, "UPDATE runs SET config = 'not json'")
    listed = store.list_runs().set_index("id")
    for run_id, config in ids.items():
        row = listed.loc[run_id]
        assert (row.target, row.loss, row.total_steps) == (
            config.target.kind,
            config.loss,
            config.total_steps,
        )


def test_summary_columns_of_imported_runs(store, uploaded, tmp_path, store_url):
    run_id = ended_run(store, uploaded)
    other = RunStore(tmp_path / "other", quota=ROOMY, database_url=store_url())
    (new_id,) = other.import_bundle(store.export_bundle([run_id]))
    row = other.list_runs().set_index("id").loc[new_id]
    assert (row.target, row.loss, row.total_steps) == ("points", uploaded.loss, 50)
    assert other.get_run(new_id).config == uploaded
    other.close()


# ---------------------------------------------------------------------- schema upgrade

# The schema every store had before version 2, as that version wrote it.
_HISTORY_1 = ", ".join(f"{c} REAL" for c in COLUMNS if c not in ("step", "epoch"))
SCHEMA_1 = f"""
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    preset TEXT,
    source TEXT NOT NULL,
    session_id TEXT,
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL,
    metrics TEXT NOT NULL DEFAULT '{{}}',
    created REAL NOT NULL,
    updated REAL NOT NULL,
    finished REAL
);
CREATE INDEX IF NOT EXISTS runs_by_session ON runs (session_id, created);
CREATE INDEX IF NOT EXISTS runs_by_created ON runs (created);
CREATE TABLE IF NOT EXISTS history (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    {_HISTORY_1},
    PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    data BLOB NOT NULL
);
PRAGMA user_version = 1;
"""


def schema_1_store(path, runs: list[tuple[str, str, bytes | None]]) -> None:
    """A store file as schema 1 wrote it: (name, config JSON, checkpoint or None) per run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA_1)
        now = time.time()
        for name, config, checkpoint in runs:
            cursor = db.execute(
                "INSERT INTO runs (name, source, session_id, status, config, metrics, "
                "created, updated, finished) VALUES (?, 'dashboard', 's', 'finished', ?, ?, "
                "?, ?, ?)",
                (name, config, json.dumps({"frechet": 0.25}), now, now, now),
            )
            db.executemany(
                f"INSERT INTO history VALUES (?, ?, 0, {', '.join('?' * (len(COLUMNS) - 2))})",
                [(cursor.lastrowid, step, *([1.0] * (len(COLUMNS) - 2))) for step in range(5)],
            )
            if checkpoint is not None:
                db.execute("INSERT INTO checkpoints VALUES (?, ?)", (cursor.lastrowid, checkpoint))
    db.close()


def test_a_schema_1_store_is_upgraded_on_open_and_keeps_every_run(tmp_path, uploaded):
    trainer = Trainer(uploaded.replace(seed=4))
    weights = checkpoint_bytes(trainer)
    future = json.dumps({"version": 99, "target": {"kind": "ring"}, "loss": "hinge"})
    path = tmp_path / "data" / "runs.sqlite3"
    schema_1_store(
        path,
        [
            ("plain", to_json(SMALL), None),
            ("upload", to_json(trainer.config), weights),
            ("upload again", to_json(uploaded.replace(seed=5)), None),
            ("from a newer version", future, None),
        ],
    )

    store = RunStore(tmp_path / "data", quota=ROOMY)
    assert sql(store, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert store.integrity_check() == "ok"
    listed = store.list_runs().set_index("name")
    assert list(listed.loc[["plain", "upload", "upload again", "from a newer version"]].target) == [
        "gaussian",
        "points",
        "points",
        "ring",
    ]
    assert listed.loc["upload", "total_steps"] == uploaded.total_steps
    assert listed.loc["from a newer version", "loss"] == "hinge"
    assert (listed.steps == 4).all() and (listed.frechet == 0.25).all()

    upload_id = int(listed.loc["upload", "id"])
    assert store.get_run(upload_id).config == trainer.config
    assert store.checkpoint(upload_id) == weights
    assert store.get_run(int(listed.loc["plain", "id"])).config == SMALL
    # The two uploads of the same points now share one blob; the weights have their own.
    assert sql(store, "SELECT count(*) FROM blobs") == [(2,)]
    assert sql(store, "SELECT count(*) FROM runs WHERE own_bytes > 0") == [(4,)]
    assert store.usage() > 0
    store.close()

    reopened = RunStore(tmp_path / "data", quota=ROOMY)  # a second open changes nothing
    assert reopened.checkpoint(upload_id) == weights
    assert len(reopened.list_runs()) == 4
    reopened.close()


def test_an_import_that_cannot_fit_is_refused_and_imports_nothing(store, tmp_path, store_url):
    running = store.create_run(SMALL, session_id="a")
    bundle = store.export_bundle([ended_run(store)])
    other = RunStore(tmp_path / "other", quota=ROOMY, database_url=store_url())
    other.create_run(SMALL, session_id="b")  # running: never evicted
    other.quota = Quota(total_bytes=other.usage() + 10, session_bytes=ROOMY.session_bytes)
    with pytest.raises(ConfigError, match="run store: the quota .* is full"):
        other.import_bundle(bundle)
    assert len(other.list_runs()) == 1
    other.close()
    assert store.get_run(running).status == "running"


def test_the_page_note_names_own_runs_and_counts_others():
    from ui.session.run_store import eviction_note

    mine = EvictedRun(id=3, name="tutorial", session_id="me", created=0.0)
    theirs = EvictedRun(id=1, name="secret name", session_id="them", created=0.0)
    assert eviction_note([], "me") is None
    note = eviction_note([theirs, mine], "me")
    assert "#3 tutorial" in note and "1 older run(s) of other sessions" in note
    assert "secret" not in note
