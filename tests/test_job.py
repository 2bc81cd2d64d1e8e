"""What only the thread job does; everything both kinds of job do is test_job_contract.py."""

from gan_core.config import GanConfig
from gan_core.jobs.thread_job import TrainingJob
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.training.trainer import Trainer
from tests.job_helpers import FAST_VIEW, SHORT, wait_for


def test_a_restored_trainer_is_trained_in_place():
    partial = Trainer(SHORT)
    partial.run(100)
    restored = load_checkpoint(checkpoint_bytes(partial))
    job = TrainingJob(SHORT, view=FAST_VIEW, trainer=restored).start()
    assert job.wait(60)
    assert job.frame().status == "finished"
    assert job.trainer is restored and restored.step_count == 250


def test_the_trainer_is_there_while_the_run_goes_on():
    job = TrainingJob(GanConfig(epochs=400), view=FAST_VIEW).start()
    try:
        assert wait_for(lambda: job.frame().status == "running")
        assert job.trainer is not None and job.trainer.config == job.config
    finally:
        job.stop()
        assert job.wait(10)
