"""A run whose server died, on SQLite and on PostgreSQL: the store stops calling it running.

A recorder beats while its run trains (it stamps the run's `updated` time and keeps the
weights so far); a run not ended and not stamped for `LOST_AFTER_S` is listed as "lost",
by the store, the command line and the pages. Runs are aged by hand, as a server that
stopped beating long ago would leave them.
"""

from __future__ import annotations

import pytest
from pg_server import by_hand

from gan_core.config import GanConfig
from gan_core.jobs.thread_job import TrainingJob, ViewOptions
from gan_core.store.record import LOST, LOST_AFTER_S
from gan_core.store.recorder import BEAT_S, RunRecorder
from gan_core.store.run_store import RunStore
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.training.trainer import Trainer
from tests.job_helpers import wait_for
from tests.test_runs_cli import runs_cli

SMALL = GanConfig(n_samples=200, batch_size=20, epochs=3)  # 30 steps
SMALL_VIEW = ViewOptions(n_points=50, field_resolution=8, n_arrows=4, frame_interval=0.02)
ROWS = [(step, 0, 1.0, 1.0, 0.5, 0.5, 2.0 / step, 0.1, 0.1) for step in (1, 2, 3)]


@pytest.fixture
def store(tmp_path, store_url):
    opened = RunStore(tmp_path / "data", database_url=store_url())
    yield opened
    opened.close()


def aged(store: RunStore, run_id: int, seconds: float = LOST_AFTER_S + 60) -> None:
    """The run as a server that stopped `seconds` ago left it: not stamped since."""
    by_hand(store, "UPDATE runs SET updated = updated - ? WHERE id = ?", seconds, run_id)


def test_the_beat_is_well_inside_the_bound():
    assert LOST_AFTER_S >= 4 * BEAT_S


def test_a_run_not_saved_for_long_is_lost_and_one_just_saved_is_running(store):
    lost = store.create_run(SMALL, name="left behind")
    store.append_history(lost, ROWS)
    aged(store, lost)
    live = store.create_run(SMALL, name="still going")
    done = store.create_run(SMALL, name="done long ago")
    store.finish(done, "finished", rows=ROWS)
    aged(store, done)

    listed = dict(zip(store.list_runs().name, store.list_runs().status, strict=True))
    assert listed == {"left behind": LOST, "still going": "running", "done long ago": "finished"}
    record = store.get_run(lost)
    assert record.lost and record.state == LOST and record.status == "running"
    assert not store.get_run(live).lost and store.get_run(live).state == "running"
    assert not store.get_run(done).lost  # an ended run is never lost
    # A filter on "running" leaves the lost run out; one on "lost" finds it.
    assert store.list_runs(status="running").name.tolist() == ["still going"]
    assert store.list_runs(status=[LOST]).name.tolist() == ["left behind"]
    assert store.list_runs(status=["finished", LOST], limit=1).name.tolist() == ["done long ago"]


def test_a_touch_says_the_run_is_still_training(store):
    run_id = store.create_run(SMALL)
    aged(store, run_id)
    assert store.get_run(run_id).lost
    store.touch(run_id)
    assert not store.get_run(run_id).lost
    assert store.list_runs().status.tolist() == ["running"]


def test_progress_weights_never_replace_a_finished_runs_own(store):
    trainer = Trainer(SMALL)
    trainer.run(10)
    run_id = store.create_run(SMALL)
    assert store.save_progress(run_id, checkpoint_bytes(trainer))
    assert load_checkpoint(store.checkpoint(run_id)).step_count == 10
    trainer.run()
    store.finish(run_id, "finished", checkpoint=checkpoint_bytes(trainer))
    early = Trainer(SMALL)
    assert not store.save_progress(run_id, checkpoint_bytes(early))
    assert load_checkpoint(store.checkpoint(run_id)).step_count == SMALL.total_steps


def test_a_recorders_beat_stamps_the_run_and_keeps_the_weights_so_far(store):
    recorder = RunRecorder(store, SMALL)
    job = TrainingJob(
        SMALL,
        view=SMALL_VIEW,
        start_paused=True,
        on_frame=recorder.on_frame,
        on_end=recorder.on_end,
    ).start()
    try:
        for _ in range(7):
            job.step()
        assert wait_for(lambda: job.frame().snapshot and job.frame().snapshot.step == 7)
        aged(store, recorder.run_id)
        recorder.beat()
        record = store.get_run(recorder.run_id)
        assert not record.lost and record.status == "paused"  # paused, yet alive
        assert load_checkpoint(store.checkpoint(recorder.run_id)).step_count == 7
        aged(store, recorder.run_id)
        recorder.beat()  # no step since: nothing new to keep, the stamp alone
        assert not store.get_run(recorder.run_id).lost
    finally:
        job.stop()
        assert job.wait(60)
    assert recorder.error is None
    assert store.get_run(recorder.run_id).status == "stopped"
    recorder.beat()  # after the end: nothing written
    assert load_checkpoint(store.checkpoint(recorder.run_id)).step_count == 7


def test_the_command_line_lists_a_lost_run_as_lost(tmp_path, store_url):
    url = store_url()
    store = RunStore(tmp_path / "data", database_url=url)
    lost = store.create_run(SMALL, name="left behind")
    store.append_history(lost, ROWS)
    aged(store, lost)
    live = store.create_run(SMALL, name="still going")
    store.append_history(live, ROWS)
    store.close()
    result = runs_cli(data_dir=tmp_path / "data", url=url)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert " lost " in lines[str(lost)] and " running " in lines[str(live)]
