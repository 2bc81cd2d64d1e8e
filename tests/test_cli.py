"""The command line, run as a user runs it: a subprocess, its exit status and its output."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from gan_core.serialize import from_json
from gan_core.training.checkpoint import load_checkpoint


def run_cli(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "gan_core", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=env,
    )


def test_train_json_summary(repo_root):
    result = run_cli("train", "--epochs", "1", "--seed", "3", "--json", "--quiet", cwd=repo_root)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["steps"] == 250 and summary["config"]["seed"] == 3
    assert summary["steps_per_second"] > 0 and summary["train_seconds"] > 0
    for key in ("loss_d", "loss_g", "d_accuracy", "frechet", "metrics"):
        assert key in summary
    assert summary["frechet"] == summary["metrics"]["frechet"] >= 0
    assert result.stderr == ""  # --quiet: no progress bar


def test_options_and_set_reach_the_config(repo_root, tmp_path):
    result = run_cli(
        "train",
        "--epochs",
        "1",
        "--mean",
        "0",
        "0",
        "--cov",
        "2",
        "0.5",
        "0.5",
        "1",
        "--lr-d",
        "0.02",
        "--set",
        "ema=0.9",
        "--set",
        "d_hidden=4,4",
        "--out",
        str(tmp_path / "run"),
        "--quiet",
        cwd=repo_root,
        # --out must stay inside the working or the data directory: make tmp_path the latter.
        env={**os.environ, "GANSCOPE_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    config = from_json((tmp_path / "run" / "config.json").read_text())
    assert config.target.mean == (0.0, 0.0) and config.target.cov == ((2.0, 0.5), (0.5, 1.0))
    assert config.lr_d == 0.02 and config.ema == 0.9 and config.d_hidden == (4, 4)
    history = pd.read_csv(tmp_path / "run" / "history.csv")
    assert history["step"].iloc[-1] == 250
    assert load_checkpoint(tmp_path / "run" / "checkpoint.pt").step_count == 250


def test_progress_bar_on_stderr(repo_root):
    result = run_cli("train", "--epochs", "1", cwd=repo_root)
    assert result.returncode == 0
    assert "ETA" in result.stderr and "Fréchet²" in result.stderr and "100.0%" in result.stderr
    assert "steps/s" in result.stderr and result.stdout.startswith("finished 250 steps")


@pytest.mark.parametrize(
    "args, words",
    [
        (["train", "--cov", "1", "2", "3", "4"], "not symmetric"),
        (["train", "--cov", "1", "2", "2", "1"], "not positive semi-definite"),
        (["train", "--lr-d", "0"], "lr_d"),
        (["train", "--lr-g", "nan"], "finite"),
        (["train", "--batch-size", "5000"], "batch_size"),
        (["train", "--epochs", "-3"], "epochs"),
        (["train", "--seed", "abc"], "invalid int"),
        (["train", "--preset", "nope"], "not one of"),
        (["train", "--set", "colour=red"], "unknown setting"),
        (["train", "--set", "novalue"], "KEY=VALUE"),
        (["train", "--config", "/no/such/file.json"], "cannot read"),
        (["fly"], "invalid choice"),
        (["train", "--out", "/etc/ganscope-run"], "outside the allowed directories"),
        (["train", "--out", "../../escape"], "outside the allowed directories"),
    ],
)
def test_bad_input_exits_2_with_one_line(repo_root, args, words):
    result = run_cli(*args, cwd=repo_root)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_file(repo_root, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"lr_d": 0.1, "wings": 2}')
    result = run_cli("train", "--config", str(bad), cwd=repo_root)
    assert result.returncode == 2 and "wings" in result.stderr


def test_presets_lists_every_preset(repo_root):
    from gan_core.presets import PRESETS

    result = run_cli("presets", cwd=repo_root)
    assert result.returncode == 0
    for name in PRESETS:
        assert name in result.stdout


def test_store_records_the_run(repo_root, tmp_path):
    from gan_core.store.run_store import RunStore

    env = {**os.environ, "GANSCOPE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "gan_core", "train", "--epochs", "1", "--store", "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=repo_root,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    runs = RunStore(tmp_path).list_runs()
    assert len(runs) == 1 and runs["status"].iloc[0] == "finished"
    record = RunStore(tmp_path).get_run(int(runs["id"].iloc[0]))
    assert record.history["step"].iloc[-1] == 250
