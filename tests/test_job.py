"""The training job: steering from another thread, timing of pause/stop, and failure isolation."""

import time

import pandas as pd
import pytest
import torch

from gan_core.config import ConfigError, GanConfig
from gan_core.jobs.thread_job import TrainingJob, ViewOptions
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.training.trainer import Trainer

LONG = GanConfig(epochs=400)  # far longer than any test waits for
FAST_VIEW = ViewOptions(n_points=100, field_resolution=10, n_arrows=5, frame_interval=0.05)


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.002)
    return False


@pytest.fixture
def job():
    job = TrainingJob(LONG, view=FAST_VIEW).start()
    yield job
    job.stop()
    job.wait(5)


def test_frames_rise_while_running(job):
    assert _wait_for(lambda: job.frame().status == "running")
    first = job.frame()
    assert _wait_for(lambda: job.frame().number >= first.number + 3)
    later = job.frame()
    assert later.snapshot.step > first.snapshot.step
    assert later.snapshot.field_values.shape == (10, 10)
    assert later.steps_per_second > 0
    assert _wait_for(lambda: len(job.frame().history) > 0)  # a row every total_steps / 1000


def test_pause_and_stop_take_effect_within_100_ms(job):
    assert _wait_for(lambda: job.frame().status == "running")
    asked = time.monotonic()
    job.pause()
    assert _wait_for(lambda: job.frame().status == "paused", timeout=1)
    assert time.monotonic() - asked < 0.1
    step = job.frame().snapshot.step
    time.sleep(0.2)
    assert job.frame().snapshot.step == step  # nothing moves while paused
    job.step("g")
    assert _wait_for(lambda: job.frame().snapshot.step == step + 1)
    asked = time.monotonic()
    job.stop()
    assert job.wait(1)
    assert time.monotonic() - asked < 0.1
    assert job.frame().status == "stopped"


def test_learning_rates_change_while_running(job):
    assert _wait_for(lambda: job.frame().status == "running")
    job.set_learning_rates(lr_d=0.002, lr_g=0.003)
    assert _wait_for(
        lambda: job.frame().snapshot.lr_d == 0.002 and job.frame().snapshot.lr_g == 0.003
    )
    with pytest.raises(ConfigError, match="lr_d"):
        job.set_learning_rates(lr_d=0.0)
    assert job.frame().status == "running"


def test_speed_cap_slows_training():
    job = TrainingJob(LONG, view=FAST_VIEW, steps_per_second=50).start()
    try:
        assert _wait_for(lambda: job.frame().status == "running")
        start = job.frame().snapshot.step
        time.sleep(1.0)
        taken = job.frame().snapshot.step - start
        assert 10 <= taken <= 120
        with pytest.raises(ConfigError):
            job.set_speed(-1)
    finally:
        job.stop()
        job.wait(5)


def test_run_finishes_with_full_metrics():
    job = TrainingJob(GanConfig(epochs=1), view=FAST_VIEW).start()
    assert job.wait(60)
    frame = job.frame()
    assert frame.status == "finished" and frame.ended
    assert frame.snapshot.step == 250 and "sliced_wasserstein" in frame.snapshot.metrics
    assert len(job.checkpoint()) > 1000


def test_divergence_keeps_last_finite_frame_and_says_why():
    config = GanConfig(
        loss="least_squares", lr_d=10.0, lr_g=10.0, optimizer="sgd", beta1=0.9, epochs=50
    )
    job = TrainingJob(config, view=FAST_VIEW).start()
    assert job.wait(60)
    frame = job.frame()
    assert frame.status == "diverged"
    assert "NaN or infinite at step" in frame.message
    if frame.snapshot is not None:  # the last published frame came before the divergence
        assert frame.snapshot.metrics["frechet"] == frame.snapshot.metrics["frechet"]  # not NaN


def test_orphaned_job_stops_itself():
    job = TrainingJob(LONG, view=FAST_VIEW, heartbeat_timeout=0.3).start()
    assert job.wait(5)
    assert job.frame().status == "stopped" and "went away" in job.frame().message


def test_heartbeat_keeps_job_alive():
    job = TrainingJob(LONG, view=FAST_VIEW, heartbeat_timeout=0.3).start()
    try:
        for _ in range(8):
            time.sleep(0.1)
            job.heartbeat()
        assert job.alive and job.frame().status == "running"
    finally:
        job.stop()
        job.wait(5)


def test_observer_failure_does_not_stop_training():
    def broken_observer(_job, _frame):
        raise RuntimeError("observer bug")

    job = TrainingJob(GanConfig(epochs=1), view=FAST_VIEW, on_frame=broken_observer).start()
    assert job.wait(60)
    assert job.frame().status == "finished"


def test_two_jobs_are_independent():
    a = TrainingJob(LONG, view=FAST_VIEW).start()
    b = TrainingJob(LONG.replace(seed=5), view=FAST_VIEW).start()
    try:
        assert _wait_for(lambda: a.frame().status == "running" and b.frame().status == "running")
        a.pause()
        assert _wait_for(lambda: a.frame().status == "paused")
        step = b.frame().snapshot.step
        assert _wait_for(lambda: b.frame().snapshot.step > step)
        assert b.frame().status == "running"
    finally:
        for job in (a, b):
            job.stop()
            job.wait(5)


def test_a_restored_trainer_continues_exactly():
    config = GanConfig(epochs=1)
    straight = Trainer(config)
    straight.run()
    partial = Trainer(config)
    partial.run(100)
    restored = load_checkpoint(checkpoint_bytes(partial))
    job = TrainingJob(config, view=FAST_VIEW, trainer=restored).start()
    assert job.wait(60)
    assert job.frame().status == "finished"
    assert job.trainer is restored and restored.step_count == 250
    pd.testing.assert_frame_equal(
        straight.history.to_frame(), restored.history.to_frame(), check_exact=True
    )
    assert torch.equal(straight.engine.G.flat, restored.engine.G.flat)


def test_a_trainer_of_another_config_is_refused():
    with pytest.raises(ValueError, match="config"):
        TrainingJob(GanConfig(epochs=2), trainer=Trainer(GanConfig(epochs=1)))
