"""The one job interface: a thread job, a process job and a reopened saved run all answer
what a page asks of a run, through `Job` alone."""

from __future__ import annotations

import pytest

from gan_core.jobs.process_job import ProcessTrainingJob
from gan_core.jobs.protocol import Frame, Job, TrainingRun, first_frame
from gan_core.jobs.status import RunStatus
from gan_core.jobs.thread_job import TrainingJob
from gan_core.store.recorder import record_trainer
from gan_core.store.run_store import RunStore
from gan_core.store.stored_run import StoredRun
from gan_core.targets import plot_bounds
from gan_core.training.checkpoint import load_checkpoint
from gan_core.training.trainer import Trainer
from tests.job_helpers import FAST_VIEW, SHORT, warm_pool


@pytest.fixture(scope="module")
def pool():
    with warm_pool(size=1, max_jobs=1) as made:
        yield made


def watch_to_the_end(job: Job) -> Frame:
    """What a page does with any job: stamp the heartbeat, read frames, save the end."""
    job.heartbeat()
    assert job.wait(60)
    assert not job.alive
    frame = job.frame()
    assert frame.ended and frame.config == job.config
    assert job.bounds == plot_bounds(job.config.target)
    assert load_checkpoint(job.checkpoint()).step_count == frame.snapshot.step
    job.stop()  # after the end: nothing happens
    return frame


def test_thread_process_and_stored_runs_answer_as_jobs(pool, tmp_path):
    thread_job = TrainingJob(SHORT, view=FAST_VIEW)
    process_job = ProcessTrainingJob(SHORT, view=FAST_VIEW, pool=pool)
    for job in (thread_job, process_job):
        assert isinstance(job, TrainingRun) and isinstance(job, Job)
        assert watch_to_the_end(job.start()).status == RunStatus.FINISHED
    store = RunStore(tmp_path)
    try:
        trainer = Trainer(SHORT)
        trainer.run(100)
        stored = StoredRun.open(store, record_trainer(store, trainer, "stopped"), FAST_VIEW)
        assert isinstance(stored, Job) and not isinstance(stored, TrainingRun)
        frame = watch_to_the_end(stored)
        assert frame.status is RunStatus.STOPPED and frame.snapshot.step == 100
    finally:
        store.close()


def test_a_first_frame_is_the_same_whoever_builds_it():
    frame = first_frame(SHORT)
    assert frame.status is RunStatus.STARTING and frame.number == 0 and not frame.ended
    assert frame.snapshot is None and frame.history.empty and frame.steps_per_second == 0.0
    before_start = TrainingJob(SHORT).frame()
    assert (before_start.status, before_start.number, before_start.snapshot) == (
        frame.status,
        frame.number,
        frame.snapshot,
    )
    failed = first_frame(SHORT, RunStatus.ERROR, "ValueError: bad", number=1)
    assert failed.ended and failed.message == "ValueError: bad"


def test_statuses_are_their_words():
    assert RunStatus("queued") is RunStatus.QUEUED and RunStatus.RUNNING == "running"
    assert [s.value for s in RunStatus.stored()] == [
        "starting",
        "running",
        "paused",
        "finished",
        "diverged",
        "stopped",
        "error",
    ]
    assert {s for s in RunStatus if s.ended} == {"finished", "diverged", "stopped", "error"}
    assert f"{RunStatus.PAUSED}" == "paused" and {"paused": 1}[RunStatus.PAUSED] == 1
    with pytest.raises(ValueError, match="'queued' is not one of starting"):
        RunStatus.parse_stored("queued")
