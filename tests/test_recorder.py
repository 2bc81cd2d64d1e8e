"""The recorder: a run saved to the store as it trains, from a real training job's frames
(the dashboard) or from a trainer driven by hand (the command line)."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from gan_core.config import GanConfig
from gan_core.jobs.thread_job import TrainingJob, ViewOptions
from gan_core.store.record import LOG_COLUMNS
from gan_core.store.recorder import RunRecorder, record_trainer
from gan_core.store.run_store import RunStore
from gan_core.training.checkpoint import load_checkpoint
from gan_core.training.trainer import Trainer

SMALL = GanConfig(n_samples=200, batch_size=20, epochs=3)  # 30 steps, one log row each
SMALL_VIEW = ViewOptions(n_points=50, field_resolution=8, n_arrows=4, frame_interval=0.02)


@pytest.fixture
def store(tmp_path, store_url) -> RunStore:
    store = RunStore(tmp_path / "data", database_url=store_url())
    yield store
    store.close()


def run_job(store: RunStore, config: GanConfig, **recorder_args) -> tuple[RunRecorder, TrainingJob]:
    recorder = RunRecorder(store, config, **recorder_args)
    job = TrainingJob(config, view=SMALL_VIEW, on_frame=recorder.on_frame, on_end=recorder.on_end)
    job.start()
    assert job.wait(120), "the training job did not end"
    return recorder, job


def test_recorder_saves_a_real_training_job(store):
    recorder, job = run_job(store, SMALL, preset="tutorial", session_id="tab-1")
    assert recorder.error is None
    run = store.get_run(recorder.run_id)
    assert run.status == job.frame().status == "finished"
    pd.testing.assert_frame_equal(run.history, job.trainer.history.to_frame()[list(LOG_COLUMNS)])
    assert run.metrics["frechet"] == pytest.approx(job.frame().snapshot.metrics["frechet"])
    assert "sliced_wasserstein" in run.metrics  # the final frame's full metrics
    assert load_checkpoint(store.checkpoint(run.id)).step_count == SMALL.total_steps
    assert store.last_run_for_session("tab-1").id == run.id


class CountingStore(RunStore):
    """A real store that notes the steps of each batch of log rows written to it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches: list[list[int]] = []

    def append_history(self, run_id, rows):
        self.batches.append([int(row[0]) for row in rows])
        return super().append_history(run_id, rows)


def wait_until(condition, what: str, timeout: float = 60) -> None:
    """Poll until `condition()` holds; fail naming `what` if it never does."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def test_recorder_buffers_rows_until_a_flush_is_due(tmp_path):
    """Frames between flushes are buffered, not written; a status change writes them.

    Stepped by hand, with a flush interval longer than the test, so no clock decides what
    is written when: the batching is seen in what the store holds after each frame."""
    store = CountingStore(tmp_path)
    config = GanConfig(n_samples=400, batch_size=4, epochs=1)  # 100 steps
    recorder = RunRecorder(store, config, flush_interval=3600)
    handled = []  # frames the recorder has finished with

    def on_frame(job, frame):
        recorder.on_frame(job, frame)
        handled.append(frame)

    job = TrainingJob(
        config, view=SMALL_VIEW, start_paused=True, on_frame=on_frame, on_end=recorder.on_end
    ).start()
    wait_until(lambda: handled, "the first (paused) frame")
    for _ in range(5):
        job.step()
    wait_until(lambda: handled[-1].snapshot.step == 5, "a frame after five steps")
    assert len(handled) >= 2  # frames with new rows came in ...
    run = store.get_run(recorder.run_id)
    assert (run.status, len(run.history), store.batches) == ("paused", 0, [])  # ... unwritten

    job.resume()  # a status change: the buffered rows are written with it
    assert job.wait(120)
    run = store.get_run(recorder.run_id)
    assert run.status == "finished" and len(run.history) == config.total_steps
    # One batch: the flush at the change to running, holding the five buffered rows first.
    # Every later frame was buffered again, and the end wrote the rest with `finish`.
    assert len(store.batches) == 1, store.batches
    assert store.batches[0][:5] == [1, 2, 3, 4, 5]
    store.close()


def test_recorder_saves_a_stopped_run(store):
    config = GanConfig(n_samples=400, batch_size=4, epochs=5)
    recorder = RunRecorder(store, config, flush_interval=0.0)
    job = TrainingJob(
        config,
        view=SMALL_VIEW,
        start_paused=True,
        on_frame=recorder.on_frame,
        on_end=recorder.on_end,
    ).start()
    for _ in range(3):
        job.step()
    wait_until(
        lambda: job.frame().snapshot is not None and job.frame().snapshot.step >= 3,
        "a frame after three steps",
    )
    assert store.get_run(recorder.run_id).status == "paused"
    job.stop()
    assert job.wait(30)
    run = store.get_run(recorder.run_id)
    assert (run.status, run.history.step.tolist()) == ("stopped", [1, 2, 3])
    assert load_checkpoint(store.checkpoint(run.id)).step_count == 3


def test_a_failing_store_never_stops_the_training(store):
    recorder = RunRecorder(store, SMALL, flush_interval=0.0)
    store.delete_run(recorder.run_id)  # the run vanishes under the recorder
    job = TrainingJob(SMALL, view=SMALL_VIEW, on_frame=recorder.on_frame, on_end=recorder.on_end)
    job.start()
    assert job.wait(120)
    assert job.frame().status == "finished"
    assert "no run" in recorder.error
    assert store.list_runs().empty


def test_record_trainer_for_the_command_line(store):
    trained = Trainer(SMALL)
    trained.run()
    run_id = record_trainer(store, trained, "finished", preset="tutorial")
    run = store.get_run(run_id)
    assert (run.source, run.status, run.preset) == ("cli", "finished", "tutorial")
    pd.testing.assert_frame_equal(run.history, trained.history.to_frame()[list(LOG_COLUMNS)])
    assert run.metrics["frechet"] >= 0 and run.has_checkpoint
    assert list(run.history.columns) == list(LOG_COLUMNS)
