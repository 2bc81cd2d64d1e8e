"""A run waiting in the queue on the dashboard: it says why it waits, and what it cannot
do yet is off with the reason (its checkpoint used to fail silently when downloaded)."""

from __future__ import annotations

from gan_core.jobs.pool import get_pool, shutdown_pool
from gan_core.jobs.process_job import ProcessTrainingJob
from tests.job_helpers import FAST_VIEW, LONG
from tests.test_dashboard_app import assert_clean, data_dir, job_of, new_app  # noqa: F401


def checkpoint_button(at):
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith("download_checkpoint")]
    return button.proto


def test_a_queued_runs_checkpoint_download_is_off_and_says_why(monkeypatch):
    # The server's own pool, capped at one job at once, with someone else's run holding it.
    monkeypatch.setenv("GANSCOPE_MAX_JOBS", "1")
    monkeypatch.setenv("GANSCOPE_WORKERS", "1")
    shutdown_pool()
    try:
        other = ProcessTrainingJob(LONG, view=FAST_VIEW, pool=get_pool()).start()
        at = new_app()
        at.button(key="run_train").click().run()
        assert_clean(at)
        assert job_of(at).frame().status == "queued"
        button = checkpoint_button(at)
        assert button.disabled and "leaves the queue" in button.help
        other.stop()
        assert other.wait(30)
        job = job_of(at)
        job.stop()
        assert job.wait(60)
        at.run()
        button = checkpoint_button(at)
        assert "leaves the queue" not in button.help
    finally:
        shutdown_pool()
