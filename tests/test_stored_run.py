"""A saved run reopened from the store: what it shows, and that it continues exactly."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from gan_core.config import GanConfig
from gan_core.store.recorder import record_trainer
from gan_core.store.run_store import RunNotFound, RunStore
from gan_core.store.stored_run import NoSavedState, StoredRun
from gan_core.training.trainer import Trainer

CONFIG = GanConfig(epochs=2)  # 500 steps


@pytest.fixture
def store(tmp_path, store_url):
    opened = RunStore(tmp_path, database_url=store_url())
    yield opened
    opened.close()


def saved(store, steps: int, status: str = "stopped") -> tuple[int, Trainer]:
    trainer = Trainer(CONFIG)
    trainer.run(steps)
    return record_trainer(store, trainer, status, source="dashboard"), trainer


def test_it_shows_the_saved_log_metrics_and_last_state(store):
    run_id, trainer = saved(store, 300)
    stored = StoredRun.open(store, run_id)
    frame = stored.frame()
    assert not stored.alive and frame.status == "stopped"
    assert frame.snapshot.step == 300 and stored.step == 300
    pd.testing.assert_frame_equal(frame.history, store.get_run(run_id).history)
    assert frame.snapshot.metrics["sliced_wasserstein"] == pytest.approx(
        store.get_run(run_id).metrics["sliced_wasserstein"]
    )
    assert f"run #{run_id} reopened" in frame.message
    assert stored.checkpoint() == store.checkpoint(run_id)


def test_it_continues_exactly_and_only_when_steps_are_left(store):
    run_id, _ = saved(store, 300)
    stored = StoredRun.open(store, run_id)
    assert stored.can_continue
    continued = stored.restore()
    continued.run()
    straight = Trainer(CONFIG)
    straight.run()
    assert torch.equal(straight.engine.G.flat, continued.engine.G.flat)
    done_id, _ = saved(store, 500, "finished")
    assert not StoredRun.open(store, done_id).can_continue


def test_a_run_without_saved_weights_or_gone_is_refused(store):
    run_id = store.create_run(CONFIG)  # still "running": nothing saved yet
    with pytest.raises(NoSavedState):
        StoredRun.open(store, run_id)
    with pytest.raises(RunNotFound):
        StoredRun.open(store, run_id + 1)
