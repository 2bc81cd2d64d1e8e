"""The recorder: a run saved to the store as it trains, from a real training job's frames
(the dashboard) or from a trainer driven by hand (the command line)."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from gan_core.config import GanConfig
from gan_core.jobs.thread_job import TrainingJob, ViewOptions
from gan_core.store.recorder import RunRecorder, record_trainer
from gan_core.store.run_store import RunStore
from gan_core.training.checkpoint import load_checkpoint
from gan_core.training.history import COLUMNS
from gan_core.training.trainer import Trainer

SMALL = GanConfig(n_samples=200, batch_size=20, epochs=3)  # 30 steps, one log row each
SMALL_VIEW = ViewOptions(n_points=50, field_resolution=8, n_arrows=4, frame_interval=0.02)


@pytest.fixture
def store(tmp_path) -> RunStore:
    store = RunStore(tmp_path / "data")
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
    pd.testing.assert_frame_equal(run.history, job.trainer.history.to_frame())
    assert run.metrics["frechet"] == pytest.approx(job.frame().snapshot.metrics["frechet"])
    assert "sliced_wasserstein" in run.metrics  # the final frame's full metrics
    assert load_checkpoint(store.checkpoint(run.id)).step_count == SMALL.total_steps
    assert store.last_run_for_session("tab-1").id == run.id


class CountingStore(RunStore):
    """A real store that counts its history writes."""

    appends = 0

    def append_history(self, run_id, rows):
        self.appends += 1
        return super().append_history(run_id, rows)


def test_recorder_writes_while_training_in_batches(tmp_path):
    store = CountingStore(tmp_path)
    config = GanConfig(n_samples=400, batch_size=4, epochs=1)  # 100 steps
    recorder = RunRecorder(store, config, flush_interval=0.3)
    frames = []

    def on_frame(job, frame):
        frames.append(frame.number)
        recorder.on_frame(job, frame)

    started = time.monotonic()
    job = TrainingJob(
        config,
        view=SMALL_VIEW,
        steps_per_second=50,  # about 2 s of training
        on_frame=on_frame,
        on_end=recorder.on_end,
    ).start()
    seen_while_running = 0
    deadline = started + 30
    while job.alive and time.monotonic() < deadline:
        run = store.get_run(recorder.run_id)
        if run.status == "running":
            seen_while_running = max(seen_while_running, len(run.history))
        time.sleep(0.1)
    assert job.wait(60)
    elapsed = time.monotonic() - started
    # Rows land before the end: the final write sets rows and status in one transaction, so
    # rows seen while the status still read "running" came from an earlier flush.
    assert 0 < seen_while_running <= config.total_steps
    # A frame every 20 ms, but a write at most every 0.3 s (plus one on a status change).
    assert 2 <= store.appends <= elapsed / 0.3 + 2
    assert store.appends < len(frames) / 3
    assert len(store.get_run(recorder.run_id).history) == config.total_steps
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
    deadline = time.monotonic() + 30
    while job.frame().snapshot is None or job.frame().snapshot.step < 3:
        assert time.monotonic() < deadline
        time.sleep(0.02)
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
    pd.testing.assert_frame_equal(run.history, trained.history.to_frame())
    assert run.metrics["frechet"] >= 0 and run.has_checkpoint
    assert list(run.history.columns) == list(COLUMNS)
