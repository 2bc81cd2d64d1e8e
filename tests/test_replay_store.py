"""A run's timeline in the run store: saved with the run, read back exactly, bounded, freed
with the run, and a damaged one turns replay off with a note rather than an error."""

from __future__ import annotations

import sqlite3
import zlib

import numpy as np
import pytest
from pg_server import SQLITE_ONLY, by_hand

from gan_core.config import GanConfig
from gan_core.jobs.process_job import ProcessTrainingJob
from gan_core.jobs.thread_job import TrainingJob
from gan_core.store.blobs import MAX_TIMELINE_BLOB_BYTES
from gan_core.store.db import SCHEMA_VERSION
from gan_core.store.recorder import RunRecorder, record_trainer
from gan_core.store.run_store import RunStore
from gan_core.store.stored_run import StoredRun
from gan_core.training.timeline import TIMELINE, TIMELINE_NOTE, decode_timeline
from gan_core.training.trainer import Trainer

CONFIG = GanConfig(epochs=1)  # 250 steps


@pytest.fixture
def store(tmp_path, store_url):
    opened = RunStore(tmp_path, database_url=store_url())
    yield opened
    opened.close()


sql = by_hand


def assert_same_frames(a, b) -> None:
    assert [f.step for f in a] == [f.step for f in b]
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x.generator, y.generator)
        assert np.array_equal(x.discriminator, y.discriminator)


def test_a_cli_run_saves_its_timeline_and_reopens_with_it(store):
    trainer = Trainer(CONFIG)
    trainer.run(200)  # stopped between logged rows? log_every is 5: 200 is a row
    trainer.run(3)
    run_id = record_trainer(store, trainer, "stopped")
    frames = decode_timeline(store.timeline(run_id))
    assert frames[-1].step == 203  # where it stopped, not only the last logged row
    stored = StoredRun.open(store, run_id).frame().extra
    assert_same_frames(stored[TIMELINE], trainer.timeline.frames())


@pytest.mark.parametrize("job_class", [TrainingJob, ProcessTrainingJob])
def test_a_job_carries_its_timeline_in_its_last_frame_to_the_recorder(store, job_class):
    recorder = RunRecorder(store, CONFIG)
    job = job_class(CONFIG, on_frame=recorder.on_frame, on_end=recorder.on_end).start()
    try:
        assert job.wait(120), "the run did not finish in time"
    finally:
        job.stop()
    carried = job.frame().extra[TIMELINE]
    assert carried[0].step == 1 and carried[-1].step == CONFIG.total_steps
    assert recorder.error is None
    assert_same_frames(decode_timeline(store.timeline(recorder.run_id)), carried)


def test_the_timeline_goes_with_its_run(store):
    trainer = Trainer(CONFIG)
    trainer.run()
    run_id = record_trainer(store, trainer)
    assert sql(store, "SELECT count(*) FROM timelines") == [(1,)]
    before = sql(store, "SELECT count(*) FROM blobs")[0][0]
    store.delete_run(run_id)
    assert sql(store, "SELECT count(*) FROM timelines") == [(0,)]
    assert sql(store, "SELECT count(*) FROM blobs")[0][0] == before - 2  # weights, timeline


def test_a_run_saved_before_timelines_reopens_with_a_note(store):
    trainer = Trainer(CONFIG)
    trainer.run()
    run_id = record_trainer(store, trainer)
    sql(store, "DELETE FROM timelines")
    extra = StoredRun.open(store, run_id).frame().extra
    assert TIMELINE not in extra and "saved without a timeline" in extra[TIMELINE_NOTE]


def damage_blob(store: RunStore, run_id: int, change) -> None:
    (key,) = sql(store, "SELECT blob FROM timelines WHERE run_id = ?", run_id)[0]
    ((packed,),) = sql(store, "SELECT data FROM blobs WHERE hash = ?", key)
    sql(store, "UPDATE blobs SET data = ? WHERE hash = ?", change(bytes(packed)), key)


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda packed: zlib.compress(zlib.decompress(packed)[:-4]), "is damaged"),  # hash
        (lambda packed: b"not zlib", "not as the store compresses it"),
        (lambda packed: zlib.compress(b"\0" * (MAX_TIMELINE_BLOB_BYTES + 1)), "larger than"),
    ],
)
def test_a_damaged_timeline_turns_replay_off_with_a_note(store, change, words):
    assert_replay_off(store, change, words)


@SQLITE_ONLY  # PostgreSQL keeps only bytes in a bytes column
def test_a_timeline_blob_of_text_turns_replay_off_with_a_note(store):
    assert_replay_off(store, lambda packed: "text", "not bytes")


def assert_replay_off(store: RunStore, change, words: str) -> None:
    trainer = Trainer(CONFIG)
    trainer.run()
    run_id = record_trainer(store, trainer)
    damage_blob(store, run_id, change)
    stored = StoredRun.open(store, run_id)  # the run itself still opens
    extra = stored.frame().extra
    assert TIMELINE not in extra
    assert "timeline is damaged" in extra[TIMELINE_NOTE] and words in extra[TIMELINE_NOTE]
    assert stored.frame().snapshot.step == CONFIG.total_steps


def test_a_timeline_whose_content_lies_is_damage_too(store):
    """Bytes that pass the blob's hash (rewritten with a matching hash) but are not a
    timeline are caught by the timeline's own checks."""
    trainer = Trainer(CONFIG)
    trainer.run()
    run_id = record_trainer(store, trainer)
    store.save_timeline(run_id, b"GANSCOPE-TIMELINE\n\x05\x00\x00\x00{bad}")
    extra = StoredRun.open(store, run_id).frame().extra
    assert "timeline is damaged" in extra[TIMELINE_NOTE]


def test_a_schema_2_store_gains_the_timelines_table_and_keeps_its_runs(tmp_path):
    store = RunStore(tmp_path)
    trainer = Trainer(CONFIG)
    trainer.run()
    run_id = record_trainer(store, trainer)
    store.close()
    with sqlite3.connect(store.path) as db:
        db.execute("DELETE FROM timelines")
        db.execute("DROP TABLE timelines")
        db.execute("PRAGMA user_version = 2")
    reopened = RunStore(tmp_path)
    try:
        assert sql(reopened, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
        assert reopened.timeline(run_id) is None
        assert reopened.get_run(run_id).status == "finished"
        assert reopened.save_timeline(run_id, b"x")
    finally:
        reopened.close()
