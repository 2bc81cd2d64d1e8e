"""The run store on a PostgreSQL server shared by several processes: writers at once lose
nothing, a server restart in the middle of a recorded run loses and doubles no row."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gan_core.config import GanConfig
from gan_core.jobs.thread_job import TrainingJob, ViewOptions
from gan_core.store.db import SCHEMA_VERSION
from gan_core.store.recorder import RunRecorder
from gan_core.store.run_store import RunStore

REPO_ROOT = Path(__file__).resolve().parent.parent
RUNS_PER_WRITER = 6
ROWS_PER_RUN = 60
WRITER = """
import sys
from gan_core.config import GanConfig, Target
from gan_core.store.run_store import RunStore

url, who, runs, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
points = tuple((i / 10, (i % 7) / 10) for i in range(40))  # every run shares these points
config = GanConfig(target=Target(kind="points", points=points), n_samples=200, batch_size=20)
store = RunStore(database_url=url)  # both create the tables at once: one of them does
for n in range(runs):
    run_id = store.create_run(config, name=f"{who} {n}", session_id=who)
    for start in range(1, rows + 1, 10):
        rows_now = [(s, 0, 1.0, 1.0, 0.5, 0.5, 1.0 / s, 0.1, 0.1) for s in range(start, start + 10)]
        store.append_history(run_id, rows_now)
    store.finish(run_id, "finished", {"frechet": 0.5}, checkpoint=f"weights {who}".encode())
store.close()
print("done", flush=True)
"""
SMALL_VIEW = ViewOptions(n_points=50, field_resolution=8, n_arrows=4, frame_interval=0.05)


def test_two_processes_writing_at_once_lose_nothing(pg_server):
    url = pg_server.empty_database()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, who, str(RUNS_PER_WRITER), str(ROWS_PER_RUN)],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("left", "right")
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0 and out == "done\n", err
    store = RunStore(database_url=url)
    try:
        runs = store.list_runs()
        expected = {f"{who} {n}" for who in ("left", "right") for n in range(RUNS_PER_WRITER)}
        assert sorted(runs.name) == sorted(expected)
        assert set(runs.status) == {"finished"} and set(runs.steps) == {ROWS_PER_RUN}
        for run_id in runs.id:
            record = store.get_run(run_id)
            assert record.history.step.tolist() == list(range(1, ROWS_PER_RUN + 1))
            assert store.checkpoint(run_id) == f"weights {record.session_id}".encode()
        with store._db.read() as db:
            # One blob of points for all twelve runs, one of weights per writer.
            assert db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 3
            versions = db.execute("SELECT version FROM schema_version").fetchall()
            assert versions == [(SCHEMA_VERSION,)]
    finally:
        store.close()


def test_a_server_restart_mid_run_loses_and_doubles_no_row(pg_server):
    store = RunStore(database_url=pg_server.new_database())
    config = GanConfig(n_samples=400, batch_size=20, epochs=60)  # 1,200 steps
    recorder = RunRecorder(store, config, flush_interval=0.1)
    job = TrainingJob(
        config,
        view=SMALL_VIEW,
        steps_per_second=200,  # a few seconds: the server goes down while it trains
        on_frame=recorder.on_frame,
        on_end=recorder.on_end,
    )
    try:
        job.start()
        while job.alive and len(store.get_run(recorder.run_id).history) < 10:
            job.wait(0.05)
        assert job.alive, "the run ended before the server went down"
        pg_server.outage(seconds=1.0)
        assert job.alive or job.frame().status == "finished"  # it trained on meanwhile
        assert job.wait(300), "the training job did not end"
    finally:
        job.stop()
        job.wait(30)
    saved = store.get_run(recorder.run_id)
    store.close()
    assert recorder.error is None
    assert saved.status == "finished" and saved.has_checkpoint
    trained = job.trainer.history.to_frame()
    assert saved.history.step.tolist() == trained.step.tolist()  # each row once, none lost
    assert len(set(saved.history.step)) == len(saved.history)
    assert saved.history.step.iloc[-1] == config.total_steps


def test_the_run_store_url_from_the_environment(tmp_path, monkeypatch, pg_server):
    from gan_core.store.run_store import store_from_environment

    url = pg_server.new_database()
    monkeypatch.setenv("GANSCOPE_DATABASE_URL", url)
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "data"))
    store = store_from_environment()
    try:
        assert store.path is None and store.data_dir is None
        run_id = store.create_run(GanConfig(), name="shared")
    finally:
        store.close()
    other = RunStore(database_url=url)  # another process would see it the same way
    try:
        assert other.get_run(run_id).name == "shared"
    finally:
        other.close()
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    "url, shown",
    [
        (
            "postgresql://ann:s3cret@db.example:5432/runs",
            "postgresql://ann:***@db.example:5432/runs",
        ),
        ("postgresql://db/runs?password=s3cret&sslmode=require", "password=***&sslmode=require"),
        ("postgresql://ann@db/runs", "postgresql://ann@db/runs"),
    ],
)
def test_a_url_is_shown_without_its_password(url, shown):
    from gan_core.store.sql.postgres import redacted

    assert shown in redacted(url) and "s3cret" not in redacted(url)
