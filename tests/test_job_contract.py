"""What every training job does, whether it trains on a server thread or in a worker process.

Each test runs once per kind (the `job` fixture's parameter): the same calls, the same
answers. What only one kind does lives in test_job.py (thread) or test_process_job.py.
Real training throughout; no timings are asserted (the machine is shared): waits have
generous deadlines.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest
import torch

from gan_core.config import ConfigError, GanConfig
from gan_core.jobs.process_job import ProcessTrainingJob
from gan_core.jobs.protocol import TrainingRun
from gan_core.jobs.status import RunStatus
from gan_core.jobs.steering import ORPHANED
from gan_core.jobs.thread_job import TrainingJob
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.training.trainer import Trainer
from tests.job_helpers import FAST_VIEW, LONG, SHORT, wait_for, warm_pool

KINDS = {"thread": TrainingJob, "process": ProcessTrainingJob}


@pytest.fixture(scope="module")
def pool():
    """Two warm workers, three jobs at most: room for every job a test here runs at once."""
    with warm_pool(size=2, max_jobs=3) as made:
        yield made


@pytest.fixture(params=list(KINDS))
def new_job(request, pool):
    """new_job(config, **options): a job of this test's kind, started; stopped afterwards."""
    jobs: list[TrainingRun] = []

    def make(config: GanConfig = LONG, **options) -> TrainingRun:
        if request.param == "process":
            options["pool"] = pool
        job = KINDS[request.param](config, view=FAST_VIEW, **options)
        jobs.append(job)
        return job.start()

    yield make
    for job in jobs:
        job.stop()
    for job in jobs:
        assert job.wait(10)


def running(job: TrainingRun) -> bool:
    return job.frame().status == RunStatus.RUNNING


def test_frames_rise_while_running(new_job):
    job = new_job()
    assert wait_for(lambda: running(job))
    first = job.frame()
    assert wait_for(lambda: job.frame().number >= first.number + 3)
    later = job.frame()
    assert later.snapshot.step > first.snapshot.step
    assert later.snapshot.field_values.shape == (10, 10)
    assert later.steps_per_second > 0
    assert wait_for(lambda: len(job.frame().history) > 0)  # a row every total_steps / 1000
    job.stop()
    assert job.wait(10)
    assert job.frame().status == "stopped" and job.frame().message == "stopped on request"
    assert not job.alive


def test_pause_step_resume_and_stop(new_job):
    job = new_job()
    assert wait_for(lambda: running(job))
    job.pause()
    assert wait_for(lambda: job.frame().status == "paused")
    step = job.frame().snapshot.step
    time.sleep(0.3)
    assert job.frame().snapshot.step == step  # nothing moves while paused
    job.step("g")  # alone, a half step: the step count waits for a D update
    assert wait_for(lambda: job.frame().snapshot.lone_updates == "G")
    assert job.frame().snapshot.step == step
    job.step()
    assert wait_for(lambda: job.frame().snapshot.step == step + 1)
    with pytest.raises(ValueError, match="part"):
        job.step("x")
    job.resume()
    assert wait_for(lambda: job.frame().snapshot.step > step + 10)
    job.stop()
    assert job.wait(10)
    assert job.frame().status == "stopped"


def test_started_paused_job_waits_for_steps(new_job):
    job = new_job(start_paused=True)
    assert wait_for(lambda: job.frame().status == "paused")
    assert job.frame().snapshot.step == 0
    job.step("d")
    assert wait_for(lambda: job.frame().snapshot.lone_updates == "D")
    job.step("g")
    assert wait_for(lambda: job.frame().snapshot.step == 1)


def test_learning_rates_change_while_running(new_job):
    job = new_job()
    assert wait_for(lambda: running(job))
    job.set_learning_rates(lr_d=0.002, lr_g=0.003)
    assert wait_for(
        lambda: job.frame().snapshot.lr_d == 0.002 and job.frame().snapshot.lr_g == 0.003
    )
    assert job.config.lr_d == 0.002 and job.frame().config.lr_g == 0.003
    with pytest.raises(ConfigError, match="lr_d"):
        job.set_learning_rates(lr_d=0.0)
    assert running(job)


def steps_over(job, seconds: float) -> tuple[int, float]:
    """Steps the job took while the test slept about `seconds`, and how long it really slept."""
    start_step, start = job.frame().snapshot.step, time.monotonic()
    time.sleep(seconds)
    # Read the frame before the clock: a frame read late can only hold more steps.
    steps = job.frame().snapshot.step - start_step
    return steps, time.monotonic() - start


def within_cap(steps_per_second: float, seconds: float) -> float:
    """The most steps a capped run may take in `seconds`: the cap, plus one frame interval's
    worth of steps a frame may lag behind the run at each end."""
    return steps_per_second * (seconds + 1.0)


def test_speed_cap_from_the_start_slows_training(new_job):
    job = new_job(steps_per_second=50)
    assert wait_for(lambda: running(job))
    steps, seconds = steps_over(job, 1.0)
    # A cap is an upper bound: a busy machine only slows the run further, so this cannot
    # fail from load (a lower bound on speed would be a benchmark's business, not a test's).
    assert steps <= within_cap(50, seconds)
    with pytest.raises(ConfigError):
        job.set_speed(-1)


def test_speed_cap_set_while_running_takes_hold(new_job):
    job = new_job()
    assert wait_for(lambda: running(job))
    assert wait_for(lambda: job.frame().snapshot.step > 50)  # running uncapped first
    with pytest.raises(ConfigError, match="steps_per_second"):
        job.set_speed(-1)
    job.set_speed(20)
    time.sleep(0.3)  # the cap takes hold
    steps, seconds = steps_over(job, 1.0)
    assert steps <= within_cap(20, seconds)  # about 20 a second, not thousands
    start = job.frame().snapshot.step
    job.set_speed(None)
    assert wait_for(lambda: job.frame().snapshot.step > start + 200)


def test_finished_run_has_full_metrics_and_a_checkpoint(new_job):
    ended = []
    job = new_job(SHORT, on_end=lambda j: ended.append(j.frame().status))
    assert job.wait(60)
    frame = job.frame()
    assert frame.status == "finished" and frame.ended and ended == ["finished"]
    assert frame.snapshot.step == 250 and "sliced_wasserstein" in frame.snapshot.metrics
    data = job.checkpoint()
    assert len(data) > 1000
    restored = load_checkpoint(data)
    assert restored.step_count == 250 and restored.config == SHORT
    assert len(restored.history) == len(frame.history)
    assert job.trainer.step_count == 250


def test_checkpoint_of_a_running_job_loads(new_job):
    job = new_job()
    assert wait_for(lambda: running(job))
    job.pause()
    assert wait_for(lambda: job.frame().status == "paused")
    restored = load_checkpoint(job.checkpoint())
    assert restored.step_count == job.frame().snapshot.step


def test_a_restored_trainer_continues_exactly(new_job):
    straight = Trainer(SHORT)
    straight.run()
    partial = Trainer(SHORT)
    partial.run(100)
    restored = load_checkpoint(checkpoint_bytes(partial))
    job = new_job(SHORT, trainer=restored)
    assert job.wait(60) and job.frame().status == "finished"
    assert job.trainer.step_count == 250
    pd.testing.assert_frame_equal(
        straight.history.to_frame(), job.trainer.history.to_frame(), check_exact=True
    )
    assert torch.equal(straight.engine.G.flat, job.trainer.engine.G.flat)


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_trainer_of_another_config_is_refused(kind, pool):
    options = {"pool": pool} if kind == "process" else {}
    with pytest.raises(ValueError, match="config"):
        KINDS[kind](GanConfig(epochs=2), trainer=Trainer(SHORT), **options)


def test_divergence_keeps_the_last_finite_frame_and_says_why(new_job):
    config = GanConfig(
        loss="least_squares", lr_d=10.0, lr_g=10.0, optimizer="sgd", beta1=0.9, epochs=50
    )
    job = new_job(config)
    assert job.wait(60)
    frame = job.frame()
    assert frame.status == "diverged"
    assert "NaN or infinite at step" in frame.message
    if frame.snapshot is not None:  # the last published frame came before the divergence
        assert frame.snapshot.metrics["frechet"] == frame.snapshot.metrics["frechet"]  # not NaN


def test_observer_failure_does_not_stop_training(new_job):
    def broken_observer(_job, _frame):
        raise RuntimeError("observer bug")

    job = new_job(SHORT, on_frame=broken_observer)
    assert job.wait(60)
    assert job.frame().status == "finished"


def test_orphaned_job_stops_itself(new_job):
    job = new_job(heartbeat_timeout=0.3)
    assert job.wait(10)
    assert job.frame().status == "stopped" and "went away" in job.frame().message
    assert job.frame().message == ORPHANED


def test_heartbeat_keeps_a_job_alive(new_job):
    job = new_job(heartbeat_timeout=0.4)

    def beating_and_running() -> bool:
        job.heartbeat()
        return running(job)

    assert wait_for(beating_and_running)
    for _ in range(10):
        time.sleep(0.1)
        job.heartbeat()
    assert job.alive and running(job)


def test_two_jobs_are_independent(new_job):
    a = new_job()
    b = new_job(LONG.replace(seed=5))
    assert wait_for(lambda: running(a) and running(b))
    a.pause()
    assert wait_for(lambda: a.frame().status == "paused")
    step = b.frame().snapshot.step
    assert wait_for(lambda: b.frame().snapshot.step > step)
    assert running(b)
