"""Resuming a saved run: it goes on exactly as if it had never stopped.

A run stopped at epoch 5 of 10, saved and resumed, ends bit for bit where a straight
10-epoch run ends (history, weights, optimiser and random state), through the Python API
and through `python -m gan_core train --resume`. A run resumed past its own epochs
trains exactly as a longer run; bad checkpoints and bad options are refused in one line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch

from gan_core.cli import main
from gan_core.config import ConfigError, GanConfig
from gan_core.serialize import to_query
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint, save_checkpoint
from gan_core.training.resume import checkpoint_file, resume
from gan_core.training.trainer import Trainer

TUTORIAL = GanConfig()  # the default preset: 2,500 steps, a log row every 5
# Another loss and optimiser, D's three steps, an averaged G: 25 steps an epoch, so that a
# run of 5 and one of 10 epochs both log every step.
LEAST_SQUARES_SGD = GanConfig(
    loss="least_squares",
    optimizer="sgd",
    lr_g=0.05,
    beta1=0.5,
    d_hidden=(8, 8),
    d_steps=3,
    ema=0.9,
    n_samples=400,
    batch_size=16,
)
WASSERSTEIN = GanConfig(loss="wasserstein_gp", g_hidden=(8,), n_samples=200, batch_size=8)
SETUPS = {"tutorial": TUTORIAL, "least_squares_sgd": LEAST_SQUARES_SGD, "wgan_gp": WASSERSTEIN}
TIMINGS = ("train_seconds", "steps_per_second")
REPO_ROOT = Path(__file__).resolve().parent.parent


def assert_same_run(a: Trainer, b: Trainer) -> None:
    """Bit for bit: the log, every tensor of the engine, the losses and all random state."""
    pd.testing.assert_frame_equal(a.history.to_frame(), b.history.to_frame(), check_exact=True)
    assert (a.step_count, a.lone_updates, a.config) == (b.step_count, b.lone_updates, b.config)
    assert same_state(a.engine.state(), b.engine.state())
    assert [a.loss_d, a.loss_g, *a.interval_sums] == [b.loss_d, b.loss_g, *b.interval_sums]
    assert torch.equal(a.log_rng.get_state(), b.log_rng.get_state())
    assert torch.equal(a.view_rng.get_state(), b.view_rng.get_state())


def same_state(a: object, b: object) -> bool:
    if isinstance(a, dict):
        same_keys = isinstance(b, dict) and a.keys() == b.keys()
        return same_keys and all(same_state(a[k], b[k]) for k in a)
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    return a == b


@pytest.fixture(scope="module")
def straight_runs() -> dict[str, Trainer]:
    """Each setup trained straight through its 10 epochs, once for the module."""
    runs = {}
    for name, config in SETUPS.items():
        runs[name] = Trainer(config)
        runs[name].run()
    return runs


@pytest.mark.parametrize("name", SETUPS)
def test_resumed_at_epoch_5_equals_a_straight_10_epoch_run(name, straight_runs, tmp_path):
    config = SETUPS[name]
    first_half = Trainer(config)
    first_half.run(5 * config.steps_per_epoch)
    save_checkpoint(first_half, tmp_path / "checkpoint.pt")

    resumed = resume(tmp_path)  # the directory: its checkpoint.pt
    assert resumed.step_count == 5 * config.steps_per_epoch and resumed.config.epochs == 10
    resumed.run()
    assert resumed.finished
    assert_same_run(resumed, straight_runs[name])


def test_a_lone_update_is_saved_and_counted_as_half_a_step_after_resuming():
    """A D step taken alone waits for a G step to make a whole step: saved, it still does."""
    config = LEAST_SQUARES_SGD
    kept = Trainer(config)
    kept.run(60)
    kept.step("d")
    kept.step("d")
    assert (kept.step_count, kept.lone_updates) == (60, "DD")
    resumed = load_checkpoint(checkpoint_bytes(kept))
    assert (resumed.step_count, resumed.lone_updates) == (60, "DD")
    for trainer in (kept, resumed):
        trainer.step("g")  # joins one of the D updates: step 61, one D update still waiting
        trainer.run()
    assert kept.step_count == config.total_steps and kept.lone_updates == "D"
    assert_same_run(resumed, kept)


def test_a_checkpoint_without_lone_updates_loads_with_none_waiting():
    """Checkpoints saved before the field existed lack it: nothing was waiting in them."""
    trainer = Trainer(LEAST_SQUARES_SGD)
    trainer.run(3)
    from gan_core.training.checkpoint import checkpoint_state

    state = checkpoint_state(trainer)
    del state["lone_updates"]
    buffer = _saved(state)
    assert load_checkpoint(buffer).lone_updates == ""
    for bad in ("DG", "X", 3):
        with pytest.raises(ConfigError, match="lone_updates: .* only D's or only G's"):
            load_checkpoint(_saved({**state, "lone_updates": bad}))


def _saved(state: dict) -> bytes:
    import io

    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def test_a_finished_5_epoch_run_extended_to_10_trains_as_a_straight_one(straight_runs):
    """Weights, optimiser and data order always match; this setup logs every step in both
    runs, so the history matches too."""
    short = Trainer(LEAST_SQUARES_SGD.replace(epochs=5))
    short.run()
    assert short.log_every == straight_runs["least_squares_sgd"].log_every == 1
    extended = resume_bytes(checkpoint_bytes(short), epochs=10)
    extended.run()
    assert_same_run(extended, straight_runs["least_squares_sgd"])


def test_the_default_preset_extended_trains_the_same_weights_and_keeps_its_log_interval(
    straight_runs,
):
    """The tutorial logs every 2 steps over 5 epochs, every 5 over 10: the extended run's
    log keeps its interval (resume.py), and everything it trains is the straight run's."""
    short = Trainer(TUTORIAL.replace(epochs=5))
    short.run()
    extended = resume_bytes(checkpoint_bytes(short), epochs=10)
    extended.run()
    straight = straight_runs["tutorial"]
    assert same_state(extended.engine.state(), straight.engine.state())
    assert (extended.loss_d, extended.loss_g) == (straight.loss_d, straight.loss_g)
    steps = extended.history.to_frame()["step"]
    assert extended.log_every == 2 and (steps % 2 == 0).all() and steps.iloc[-1] == 2500


def resume_bytes(data: bytes, epochs: int) -> Trainer:
    from gan_core.training.resume import continue_to

    trainer = load_checkpoint(data)
    continue_to(trainer, epochs)
    return trainer


def test_fewer_epochs_than_done_are_refused(tmp_path):
    trainer = Trainer(LEAST_SQUARES_SGD)
    trainer.run(5 * 25 + 3)
    save_checkpoint(trainer, tmp_path / "run.pt")
    with pytest.raises(ConfigError) as refused:
        resume(tmp_path / "run.pt", epochs=5)
    assert str(refused.value) == (
        "epochs: 5 is fewer than the run has done (5 epochs and 3 steps, step 128): "
        "allowed 6 or more"
    )
    assert resume(tmp_path / "run.pt", epochs=6).config.epochs == 6
    with pytest.raises(ConfigError, match="^epochs: 1000000 epochs make"):
        resume(tmp_path / "run.pt", epochs=1_000_000)  # the step cap of any run


def test_a_directory_without_a_checkpoint_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="is a directory without a checkpoint.pt"):
        checkpoint_file(tmp_path)
    (tmp_path / "checkpoint.pt").write_bytes(b"")
    assert checkpoint_file(tmp_path) == tmp_path / "checkpoint.pt"


# ---------------------------------------------------------------------- the command line


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gan_core", "train", "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,  # --out must be inside the working directory
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


def summary_without_timings(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert all(summary.pop(key) > 0 for key in TIMINGS)
    return summary


def assert_same_outputs(a: Path, b: Path) -> None:
    """Two --out directories: the same config and log, byte for byte; the same run saved."""
    for name in ("config.json", "history.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert_same_run(load_checkpoint(a / "checkpoint.pt"), load_checkpoint(b / "checkpoint.pt"))


def test_cli_resume_of_the_default_preset_at_epoch_5_equals_a_straight_run(tmp_path):
    """The checkpoint of a 10-epoch run stopped at epoch 5 (as the dashboard's download of
    a stopped run gives), resumed by the CLI to its own end."""
    stopped = Trainer(TUTORIAL)
    stopped.run(5 * TUTORIAL.steps_per_epoch)
    save_checkpoint(stopped, tmp_path / "stopped" / "checkpoint.pt")

    straight = run_cli("--json", "--out", "straight", cwd=tmp_path)
    resumed = run_cli("--resume", "stopped", "--json", "--out", "resumed", cwd=tmp_path)
    assert summary_without_timings(resumed) == summary_without_timings(straight)
    assert_same_outputs(tmp_path / "straight", tmp_path / "resumed")
    history = pd.read_csv(tmp_path / "resumed" / "history.csv")
    assert history["step"].iloc[0] == 5 and history["step"].iloc[-1] == 2500  # the whole run


def test_cli_resume_of_an_out_directory_to_more_epochs_equals_a_straight_run(tmp_path):
    """`train --epochs 5 --out a`, then `train --resume a --epochs 10`: the straight run's
    summary, log and weights (this setup logs every step over 5 epochs and over 10)."""
    query = to_query(LEAST_SQUARES_SGD)
    query.pop("epochs")  # --set would override --epochs
    sets = [arg for key, value in query.items() for arg in ("--set", f"{key}={value}")]
    first = run_cli(*sets, "--epochs", "5", "--out", "a", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    resumed = run_cli("--resume", "a", "--epochs", "10", "--json", "--out", "b", cwd=tmp_path)
    straight = run_cli(*sets, "--epochs", "10", "--json", "--out", "c", cwd=tmp_path)
    assert summary_without_timings(resumed) == summary_without_timings(straight)
    assert_same_outputs(tmp_path / "b", tmp_path / "c")
    # Written back into its own directory, the run can go on again from there.
    again = run_cli("--resume", "b", "--epochs", "12", "--out", "b", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("finished 300 steps")
    assert load_checkpoint(tmp_path / "b" / "checkpoint.pt").config.epochs == 12


@pytest.mark.parametrize(
    ("extra", "flag"),
    [
        (["--preset", "tutorial"], "--preset"),
        (["--seed", "0"], "--seed"),
        (["--lr-d", "0.1"], "--lr-d"),
        (["--set", "loss=hinge"], "--set"),
        (["--batch-size", "8", "--config", "c.json"], "--config, --batch-size"),
    ],
)
def test_options_that_would_change_the_run_are_refused(extra, flag, tmp_path, capsys):
    code = main(["train", "--resume", str(tmp_path), *extra])
    _, err = capsys.readouterr()
    assert code == 2
    assert err == (
        f"error: --resume continues the saved run with its own settings: {flag} would change "
        "them (with --resume, only --epochs, --out, --store, --json, --quiet and --threads)\n"
    )


def test_cli_refusal_of_too_few_epochs_is_one_line_and_exit_2(tmp_path, capsys):
    trainer = Trainer(LEAST_SQUARES_SGD)
    trainer.run(60)
    save_checkpoint(trainer, tmp_path / "checkpoint.pt")
    code = main(["train", "--resume", str(tmp_path), "--epochs", "2"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == (
        "error: epochs: 2 is fewer than the run has done (2 epochs and 10 steps, step 60): "
        "allowed 3 or more\n"
    )
