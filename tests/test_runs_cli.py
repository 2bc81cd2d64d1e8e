"""`python -m gan_core runs`, run as a user runs it: the store's runs as a table or JSON, from
an SQLite file or from PostgreSQL (`GANSCOPE_DATABASE_URL`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gan_core.config import GanConfig
from gan_core.store.run_store import RunStore
from gan_core.store.sql.postgres import URL_VAR

CONFIG = GanConfig(n_samples=200, batch_size=20, epochs=3)
SESSION = "runs-cli-test-session"
LOG_ROWS = [(step, 0, 1.0, 1.0, 0.5, 0.5, 2.0 / step, 0.1, 0.1) for step in (1, 2, 3)]


def runs_cli(*args: str, data_dir: Path, url: str | None = None) -> subprocess.CompletedProcess:
    return gan_core_cli("runs", *args, data_dir=data_dir, url=url)


def gan_core_cli(*args: str, data_dir: Path, url: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "GANSCOPE_DATA_DIR": str(data_dir)}
    env.pop(URL_VAR, None)
    if url is not None:
        env[URL_VAR] = url
    return subprocess.run(
        [sys.executable, "-m", "gan_core", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture
def data_dir(tmp_path, store_url) -> tuple[Path, dict[str, int], str | None]:
    """A store with a finished run, a published one still going and one with no log yet
    (the data directory, the runs' ids, and the store's URL if it is PostgreSQL's)."""
    url = store_url()
    store = RunStore(tmp_path / "data", database_url=url)
    finished = store.create_run(CONFIG, session_id=SESSION, name="first try")
    store.append_history(finished, LOG_ROWS)
    store.finish(finished, "finished", {"frechet": 0.125})
    running = store.create_run(CONFIG, session_id=SESSION, name="for the class")
    store.append_history(running, LOG_ROWS[:2])
    store.publish(running, True, SESSION)
    empty = store.create_run(CONFIG, session_id=SESSION, name="just started")
    store.close()
    return tmp_path / "data", {"finished": finished, "running": running, "empty": empty}, url


def test_runs_prints_a_table_without_empty_runs(data_dir):
    path, ids, url = data_dir
    result = runs_cli(data_dir=path, url=url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "name", "status", "steps", "final", "distance", "published"]
    assert lines[1].split() == [
        str(ids["running"]),
        "for",
        "the",
        "class",
        "running",
        "2",
        "1",
        "yes",
    ]
    assert lines[2].split() == [
        str(ids["finished"]),
        "first",
        "try",
        "finished",
        "3",
        "0.125",
        "no",
    ]
    assert lines[3] == "(1 run(s) with no logged step not shown; --all shows them)"
    assert len(lines) == 4 and result.stderr == ""


def test_runs_json_lists_every_column_and_all_shows_empty_runs(data_dir):
    path, ids, url = data_dir
    result = runs_cli("--json", data_dir=path, url=url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "id": ids["running"],
            "name": "for the class",
            "status": "running",
            "steps": 2,
            "final_distance": 1.0,  # its last logged distance: it has no final one yet
            "published": True,
        },
        {
            "id": ids["finished"],
            "name": "first try",
            "status": "finished",
            "steps": 3,
            "final_distance": 0.125,
            "published": False,
        },
    ]
    every = json.loads(runs_cli("--json", "--all", data_dir=path, url=url).stdout)
    assert [run["id"] for run in every] == [ids["empty"], ids["running"], ids["finished"]]
    assert every[0]["steps"] == 0 and every[0]["final_distance"] is None


def test_an_empty_store_lists_no_runs(tmp_path, store_url):
    url = store_url()
    RunStore(tmp_path / "data", database_url=url).close()
    result = runs_cli(data_dir=tmp_path / "data", url=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "(no runs)"


def test_a_missing_store_is_one_line_and_status_2_and_creates_nothing(tmp_path):
    result = runs_cli(data_dir=tmp_path / "nowhere")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: no run store in '")
    assert result.stderr.endswith(
        "nowhere' (set GANSCOPE_DATA_DIR to the data directory the app or `train --store` "
        "writes to)\n"
    )
    assert not (tmp_path / "nowhere").exists()


def test_a_file_that_is_not_a_store_is_one_line_and_status_2(tmp_path):
    (tmp_path / "runs.sqlite3").write_text("not a database")
    result = runs_cli("--json", data_dir=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: store: ") and "is not a run store" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_an_unknown_option_is_one_line_and_status_2(tmp_path):
    result = runs_cli("--everything", data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: unrecognized arguments: --everything\n"


# ---------------------------------------------------------------------- PostgreSQL


@pytest.mark.parametrize(
    "url, words",
    [
        ("mysql://someone:hunter2@db/runs", "must start with postgresql://"),
        ("postgresql://someone:hunter2@db:port/runs", "is not a URL"),
    ],
)
def test_a_bad_database_url_is_one_line_and_status_2(tmp_path, url, words):
    for command in (["runs", "--json"], ["train", "--store", "--epochs", "1"]):
        result = gan_core_cli(*command, data_dir=tmp_path, url=url)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.startswith(f"error: {URL_VAR}: ") and words in result.stderr
        assert len(result.stderr.splitlines()) == 1
        assert "hunter2" not in result.stderr and "someone:***@db" in result.stderr


def test_an_unreachable_database_is_one_line_and_status_2(tmp_path):
    url = "postgresql://someone:hunter2@127.0.0.1:1/runs"  # nothing listens on port 1
    result = runs_cli("--json", data_dir=tmp_path, url=url)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: run store: PostgreSQL at ")
    assert "postgresql://someone:***@127.0.0.1:1/runs cannot be used" in result.stderr
    assert "hunter2" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_train_store_saves_the_run_in_postgresql(tmp_path, pg_server):
    url = pg_server.new_database()
    args = ["train", "--store", "--quiet", "--set", "epochs=1", "--set", "n_samples=200"]
    result = gan_core_cli(*args, data_dir=tmp_path / "data", url=url)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    assert not (tmp_path / "data").exists()  # nothing written beside it
    (run,) = json.loads(runs_cli("--json", data_dir=tmp_path, url=url).stdout)
    assert run["status"] == "finished" and run["name"] == "tutorial"
    store = RunStore(database_url=url)
    try:
        record = store.get_run(run["id"])
        assert run["steps"] == record.history.step.max() == record.config.total_steps
        assert record.has_checkpoint and record.source == "cli"
    finally:
        store.close()
