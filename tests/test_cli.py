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


# ------------------------------------------------ files that are not what they seem

# Runs the CLI as its own child and reports that child's peak memory (kB) on the last
# line of stdout: the CLI's own peak, whatever else this test session has run.
MEASURED = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run([sys.executable, '-m', 'gan_core', *sys.argv[1:]]).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def run_measured(*args, cwd):
    result = subprocess.run(
        [sys.executable, "-c", MEASURED, *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )
    code, peak_kb = (int(word) for word in result.stdout.split()[-2:])
    return code, peak_kb, result.stderr


def assert_refused(code, stderr, words):
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_a_fifo_as_config_is_refused_at_once(repo_root, tmp_path, command):
    """Reading a FIFO with no writer waits for ever: it must be refused, not opened for a read."""
    fifo = tmp_path / "config.json"
    os.mkfifo(fifo)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "gan_core", command, "--config", str(fifo)],
            capture_output=True,
            text=True,
            timeout=120,  # a generous bound for importing torch on a loaded machine
            cwd=repo_root,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{command} --config <a FIFO> hung")
    assert_refused(result.returncode, result.stderr, "is a FIFO (named pipe), not a regular file")


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_dev_zero_as_config_is_refused_unread(repo_root, command):
    code, peak_kb, stderr = run_measured(command, "--config", "/dev/zero", cwd=repo_root)
    assert_refused(code, stderr, "'/dev/zero' is a character device, not a regular file")
    assert peak_kb < 1_000_000, f"peak {peak_kb:,} kB: the device was read"


def test_a_2gb_sparse_config_is_refused_without_reading_it(repo_root, tmp_path):
    big = tmp_path / "config.json"
    with open(big, "wb") as handle:
        handle.truncate(2 * 1024**3)  # no disk used; reading it would take 2 GB of memory
    code, peak_kb, stderr = run_measured("train", "--config", str(big), cwd=repo_root)
    assert_refused(code, stderr, "file is 2,147,483,648 bytes: at most 2,000,000 allowed")
    assert peak_kb < 1_000_000, f"peak {peak_kb:,} kB: the file was read before its size check"


@pytest.mark.parametrize("name", ["config.json", "history.csv", "checkpoint.pt", "replay.html"])
def test_out_never_writes_through_a_symbolic_link(repo_root, tmp_path, name):
    env = {**os.environ, "GANSCOPE_DATA_DIR": str(tmp_path)}  # --out is allowed there
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours to overwrite")
    out = tmp_path / "runs" / "x"
    out.mkdir(parents=True)
    (out / name).symlink_to(victim)
    result = run_cli("train", "--epochs", "1", "--quiet", "--out", str(out), cwd=repo_root, env=env)
    assert_refused(result.returncode, result.stderr, f"{name}' is a symbolic link: refused")
    assert victim.read_text() == "not yours to overwrite"
    assert sorted(p.name for p in out.iterdir()) == [name], "it trained or wrote before refusing"


def test_out_refuses_a_directory_that_is_a_symbolic_link(repo_root, tmp_path):
    env = {**os.environ, "GANSCOPE_DATA_DIR": str(tmp_path)}
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "runs").symlink_to(tmp_path / "elsewhere")
    result = run_cli(
        "train", "--epochs", "1", "--out", str(tmp_path / "runs"), cwd=repo_root, env=env
    )
    assert_refused(result.returncode, result.stderr, "runs' is a symbolic link: refused")
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_out_writes_over_its_own_earlier_files(repo_root, tmp_path):
    """The safe write (a temporary file renamed over the target) still replaces a rerun's
    output and leaves nothing else behind."""
    env = {**os.environ, "GANSCOPE_DATA_DIR": str(tmp_path)}
    out = tmp_path / "run"
    for seed in ("1", "2"):
        result = run_cli(
            "train", "--epochs", "1", "--seed", seed, "--quiet", "--out", str(out),
            cwd=repo_root, env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "checkpoint.pt",
        "config.json",
        "history.csv",
        "replay.html",
    ]
    assert from_json((out / "config.json").read_text()).seed == 2
    assert load_checkpoint(out / "checkpoint.pt").config.seed == 2


# ------------------------------------------------ numbers past the machine, the catch-all


def test_threads_are_bounded_by_the_usable_cores(repo_root):
    from gan_core.cli import usable_cores

    allowed = min(64, usable_cores())
    result = run_cli("train", "--threads", str(allowed + 1), cwd=repo_root)
    assert_refused(
        result.returncode, result.stderr, f"is out of range: allowed 1 to {allowed} (the CPU"
    )
    result = run_cli("train", "--threads", str(allowed), "--epochs", "1", "--quiet", cwd=repo_root)
    assert result.returncode == 0, result.stderr


def test_an_unexpected_error_is_one_line_and_exit_1(monkeypatch, capsys):
    """A bug of ours must not print a traceback either; exit 1 tells it from bad input."""
    from gan_core import cli

    def broken(_args):
        raise RuntimeError("a bug\nwith a second line")

    monkeypatch.setattr(cli, "presets_command", broken)
    assert cli.main(["presets"]) == 1
    assert capsys.readouterr().err == "internal error: RuntimeError: a bug\n"


def test_json_has_the_exact_jsd_and_gs_gaussian_for_the_tutorial(repo_root):
    result = run_cli("train", "--epochs", "1", "--json", "--quiet", cwd=repo_root)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)["metrics"]
    assert 0 <= metrics["js_divergence"] <= 0.6931472  # in nats, at most ln 2
    mean, cov = metrics["generator_mean"], metrics["generator_cov"]
    assert len(mean) == 2 and len(cov) == 2 and all(len(row) == 2 for row in cov)
    assert cov[0][1] == cov[1][0] and cov[0][0] > 0 and cov[1][1] > 0


def test_json_leaves_the_jsd_out_for_a_ring_target(repo_root):
    args = ("train", "--epochs", "1", "--set", "target=ring", "--json", "--quiet")
    result = run_cli(*args, cwd=repo_root)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)["metrics"]
    assert "js_divergence" not in metrics
    assert len(metrics["generator_mean"]) == 2  # G is still affine of Gaussian noise


def test_json_has_no_gaussian_for_a_multilayer_generator(repo_root):
    args = ("train", "--epochs", "1", "--set", "g_hidden=8", "--json", "--quiet")
    result = run_cli(*args, cwd=repo_root)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)["metrics"]
    assert "generator_mean" not in metrics and "js_divergence" not in metrics
