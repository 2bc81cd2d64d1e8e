"""The sweep: axes, plans and caps, vectorised training against the single-run trainer,
divergence, structure-changing axes, results and the command line. Real training throughout;
most sweeps are one epoch (250 steps) of the tutorial so the file stays fast."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import torch
from scipy import stats

from gan_core import metrics
from gan_core.cli import main as cli_main
from gan_core.config import ConfigError
from gan_core.jobs.cost import MAX_STEP_SECONDS, CostLimits, stack_bytes, step_seconds
from gan_core.presets import preset_config
from gan_core.serialize import to_json
from gan_core.sweep.run import (
    MAX_SWEEP_RUN_STEPS,
    MAX_SWEEP_RUNS,
    Axis,
    SweepStopped,
    parse_axis,
    plan_sweep,
    run_plan,
    run_sweep,
)
from gan_core.sweep.train import check_interval
from gan_core.training.engine import StackedGAN
from gan_core.training.trainer import Trainer

TUTORIAL = preset_config("tutorial")
SHORT = TUTORIAL.replace(epochs=1)  # 250 steps


@pytest.fixture(autouse=True)
def one_torch_thread():
    # Tiny networks: one thread is fastest, and on a busy machine many times faster; the
    # Trainer runs here compare against sweeps, which train on one thread by default.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def trainer_distance(config) -> float:
    trainer = Trainer(config, log_every=config.total_steps)
    trainer.run()
    return trainer.snapshot(n_points=0).metrics["frechet"]


# ---------------------------------------------------------------- axes


@pytest.mark.parametrize(
    "spec, values",
    [
        ("lr_d=0.01, 0.02,0.05", (0.01, 0.02, 0.05)),
        ("lr_g=logspace:1e-4:1e-1:4", (1e-4, 1e-3, 1e-2, 1e-1)),
        ("beta1=linspace:0.5:0.9:5", (0.5, 0.6, 0.7, 0.8, 0.9)),
        ("lr_d=logspace:1e-3:1e-2:3", (0.001, 0.003162, 0.01)),  # 4 significant digits
        ("batch_size=logspace:4:64:5", (4, 8, 16, 32, 64)),
        ("d_steps=linspace:1:2:5", (1, 2)),  # whole numbers; repeats from rounding dropped
        ("seed=3", (3,)),
        ("ema=0,0.9,0.99", (0.0, 0.9, 0.99)),
    ],
)
def test_axis_values_from_lists_and_ranges(spec, values):
    axis = parse_axis(spec)
    assert axis.values == pytest.approx(values)
    assert all(isinstance(v, type(values[0])) for v in axis.values)
    assert parse_axis(axis.spec()) == axis  # the text form reads back


@pytest.mark.parametrize(
    "spec, field",
    [
        ("lr_d=abc", "lr_d"),
        ("lr_d=0.1,,0.2", "lr_d"),
        ("lr_d=", "lr_d"),
        ("lr_g=0.1,0.1", "lr_g"),
        ("lr_d=logspace:0:1:4", "lr_d"),
        ("lr_d=logspace:1e-3:1e-1", "lr_d"),
        ("lr_d=logspace:1e-3:1e-1:2.5", "lr_d"),
        ("lr_d=logspace:1e-3:1e-1:0", "lr_d"),
        ("beta1=geomspace:0.1:0.9:3", "beta1"),
        ("d_steps=1.5", "d_steps"),
        ("lr_d=nan", "lr_d"),
        ("momentum=0.1", "axis"),
        ("lr_d0.1", "axis"),
    ],
)
def test_bad_axis_text_names_the_axis(spec, field):
    with pytest.raises(ConfigError) as error:
        parse_axis(spec)
    assert error.value.field == field
    assert field in str(error.value)


@pytest.mark.parametrize(
    "axis, field, words",
    [
        (Axis("lr_d", (0.05, 20.0)), "lr_d", "out of range"),
        (Axis("beta1", (1.5,)), "beta1", "out of range"),
        (Axis("batch_size", (4, 2000)), "batch_size", "larger than the data"),
        (Axis("d_steps", (1, 11)), "d_steps", "out of range"),
    ],
)
def test_axis_values_are_validated_by_the_config(axis, field, words):
    with pytest.raises(ConfigError) as error:
        plan_sweep(SHORT, [axis])
    assert error.value.field == field and words in str(error.value)


def test_plan_refuses_bad_shapes():
    with pytest.raises(ConfigError, match="at most 2"):
        plan_sweep(SHORT, [parse_axis(s) for s in ("lr_d=0.1", "lr_g=0.1", "beta1=0.5")])
    with pytest.raises(ConfigError, match="two axes"):
        plan_sweep(SHORT, [parse_axis("lr_d=0.1"), parse_axis("lr_d=0.2")])
    with pytest.raises(ConfigError) as error:
        plan_sweep(SHORT, seeds=0)
    assert error.value.field == "seeds"
    with pytest.raises(ConfigError) as error:  # base seed + seed index must stay a valid seed
        plan_sweep(SHORT.replace(seed=2**31 - 2), seeds=3)
    assert error.value.field == "seed"


# ---------------------------------------------------------------- caps


def test_run_cap_is_enforced_and_named():
    axes = [Axis("lr_d", tuple(np.geomspace(1e-3, 1, 33))), Axis("lr_g", (0.01, 0.02))]
    plan_sweep(SHORT, axes, seeds=MAX_SWEEP_RUNS // 66)  # 66 cells × 15 seeds = 990 runs
    with pytest.raises(ConfigError) as error:
        plan_sweep(SHORT, axes, seeds=MAX_SWEEP_RUNS // 66 + 1)
    assert error.value.field == "sweep" and "MAX_SWEEP_RUNS = 1,024" in str(error.value)
    with pytest.raises(ConfigError, match="MAX_SWEEP_RUNS = 10"):  # the cap is configurable
        plan_sweep(SHORT, axes[:1], seeds=1, max_runs=10)


def test_run_steps_cap_is_enforced_and_named():
    long = TUTORIAL.replace(epochs=100)  # 25,000 steps a run
    allowed = MAX_SWEEP_RUN_STEPS // long.total_steps
    assert plan_sweep(long, seeds=allowed).run_steps <= MAX_SWEEP_RUN_STEPS
    with pytest.raises(ConfigError) as error:
        plan_sweep(long, seeds=allowed + 1)
    assert error.value.field == "sweep" and "MAX_SWEEP_RUN_STEPS = 2,560,000" in str(error.value)


# ---------------------------------------------------------------- plans and seeds


def test_cells_runs_and_seeds():
    plan = plan_sweep(SHORT.replace(seed=5), [parse_axis("lr_d=0.01,0.1")], seeds=3)
    assert plan.cells == ({"lr_d": 0.01}, {"lr_d": 0.1})
    assert [(r.cell, r.seed_index, r.config.seed) for r in plan.runs] == [
        (0, 0, 5), (0, 1, 6), (0, 2, 7), (1, 0, 5), (1, 1, 6), (1, 2, 7),
    ]  # fmt: skip
    assert plan.runs[4].config == SHORT.replace(seed=6, lr_d=0.1)
    assert len(plan.stacks()) == 1  # per-run fields only: one vectorised stack
    seeded = plan_sweep(SHORT, [parse_axis("seed=10,20")], seeds=2)
    assert [r.config.seed for r in seeded.runs] == [10, 11, 20, 21]


# ---------------------------------------------------------------- agreement with one run


@pytest.mark.parametrize("changes", [{}, {"d_steps": 2, "ema": 0.9, "beta1": 0.5}])
def test_a_sweep_of_one_run_is_the_single_run_trainer(changes):
    # A stack of one draws all its randomness as the trainer does: same numbers exactly.
    config = SHORT.replace(**changes)
    result = run_sweep(config)
    assert result.runs["distance"][0] == trainer_distance(config)


def test_structure_changing_axis_splits_into_stacks_that_match_the_trainer():
    axes = [parse_axis("batch_size=4,8"), parse_axis("d_steps=1,2")]
    plan = plan_sweep(SHORT, axes)
    assert sorted(len(s) for s in plan.stacks()) == [1, 1, 1, 1]
    result = run_plan(plan)
    assert result.run_iterations == 250 + 250 + 125 + 125  # batch 8 halves an epoch's steps
    assert result.iterations == pytest.approx(187.5)
    for cell in range(4):  # each stack holds one run here, so it is the trainer exactly
        assert result.cells["median"][cell] == trainer_distance(result.cell_config(cell))
    assert result.cells["diverged"].sum() == 0


@pytest.mark.slow
def test_a_sweep_cell_matches_the_single_run_engine_statistically():
    """The tutorial's final distance over seeds: a vectorised cell vs ten Trainer runs.

    A stacked run shares its noise stream with the other runs of its stack, so it does not
    repeat a Trainer run number for number; what must agree is the distribution (the
    tutorial's is wide: about 0.01 to 3). A Mann-Whitney U test must not tell the cell
    (seeds 0-39) from the Trainer (seeds 0-9) apart, while the same test with the same
    sample sizes must tell a real change of recipe (β1 0.9 -> 0.5, which lands about four
    times closer) from the Trainer: it has the power to catch a sweep that trained
    something else. Every seed is fixed, so the outcome is deterministic, not a coin toss.
    """
    result = run_sweep(TUTORIAL, [parse_axis("beta1=0.9,0.5")], seeds=40)
    cell = result.runs.query("beta1 == 0.9")["distance"].to_numpy()
    changed = result.runs.query("beta1 == 0.5")["distance"].to_numpy()
    single = np.array([trainer_distance(TUTORIAL.replace(seed=s)) for s in range(10)])
    assert np.isfinite(cell).all() and np.isfinite(single).all()
    p_same = stats.mannwhitneyu(cell, single).pvalue
    p_changed = stats.mannwhitneyu(changed, single).pvalue
    assert p_same > 0.01, (p_same, np.median(cell), np.median(single))
    assert p_changed < 0.01, (p_changed, np.median(changed), np.median(single))
    assert 0.5 < np.median(cell) / np.median(single) < 2.0


# ---------------------------------------------------------------- divergence


def test_a_diverging_cell_does_not_touch_the_others():
    # Least squares with plain SGD at lr_d = 10 blows up within a few dozen steps.
    base = SHORT.replace(loss="least_squares", optimizer="sgd")
    wild = run_sweep(base, [parse_axis("lr_d=0.05,10")], seeds=2)
    tame = run_sweep(base, [parse_axis("lr_d=0.05,0.06")], seeds=2)
    bad = wild.runs.query("lr_d == 10")
    assert bad["diverged"].all() and np.isinf(bad["distance"]).all()
    assert (bad["diverged_at"] > 0).all() and bad["loss_d"].isna().all()
    assert wild.cells["diverged"].tolist() == [0, 2]
    assert math.isinf(wild.cells["median"][1]) and math.isinf(wild.cells["min"][1])
    # Runs never mix: the healthy cell's numbers are exactly those it has next to a
    # healthy neighbour of the same stack size.
    np.testing.assert_array_equal(
        wild.runs.query("cell == 0")["distance"], tame.runs.query("cell == 0")["distance"]
    )
    assert np.isfinite(tame.runs["distance"]).all()
    payload = json.loads(wild.to_json())  # strict JSON: inf is written as null
    assert payload["cells"][1]["median"] is None and payload["cells"][1]["diverged"] == 2


# ---------------------------------------------------------------- distances


def test_sample_based_distance_for_targets_without_a_closed_form():
    ring = preset_config("ring_collapse").replace(epochs=1, n_samples=500)
    result = run_sweep(ring, [parse_axis("lr_g=0.005,0.05")])
    assert result.metric == "sliced_wasserstein" and "sliced" in result.metric_label
    assert np.isfinite(result.runs["distance"]).all() and (result.runs["distance"] > 0).all()
    assert run_sweep(SHORT).metric == "frechet"


@pytest.mark.parametrize("m", [300, 170])
def test_stacked_sliced_wasserstein_is_the_metrics_definition(m):
    rng = torch.Generator().manual_seed(0)
    fake = torch.randn(3, 300, 2, generator=rng) * torch.tensor([1.0, 2.0])
    real = torch.randn(m, 2, generator=rng) + 0.5
    got = metrics.stacked_sliced_wasserstein(fake, real, n_projections=16, seed=3)
    want = [metrics.sliced_wasserstein(f.numpy(), real.numpy(), 16, seed=3) for f in fake]
    np.testing.assert_allclose(got, want, rtol=1e-6)


# ---------------------------------------------------------------- progress and results


def test_progress_reports_run_steps_and_stop_is_honoured():
    plan = plan_sweep(SHORT, [parse_axis("lr_d=0.01,0.1")], seeds=2)
    seen = []
    result = run_plan(plan, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (4 * 250, 4 * 250) == (plan.run_steps, plan.run_steps)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) > 2
    assert result.n_runs == 4 and result.iterations == 250
    assert result.iterations_per_second == pytest.approx(4 * 250 / result.seconds)
    reports = []
    with pytest.raises(SweepStopped):  # asked at every report: stops after the first
        run_plan(plan, lambda done, _: reports.append(done), should_stop=lambda: bool(reports))
    assert reports == [4 * 50]


def test_a_sweep_trains_on_one_thread_and_restores_the_setting():
    torch.set_num_threads(2)
    seen = []
    run_sweep(SHORT, progress=lambda *_: seen.append(torch.get_num_threads()))
    assert set(seen) == {1} and torch.get_num_threads() == 2
    run_sweep(SHORT, progress=lambda *_: seen.append(torch.get_num_threads()), threads=None)
    assert seen[-1] == 2


def test_result_tables_and_json():
    result = run_sweep(SHORT, [parse_axis("lr_d=0.01,0.1"), parse_axis("ema=0,0.9")], seeds=2)
    assert list(result.cells.columns) == [
        "cell", "lr_d", "ema", "median", "min", "max", "diverged", "seeds",
    ]  # fmt: skip
    assert len(result.cells) == 4 and len(result.runs) == 8
    for cell, group in result.runs.groupby("cell"):
        row = result.cells.iloc[cell]
        assert row["median"] == pytest.approx(np.median(group["distance"]))
        assert row["min"] <= row["median"] <= row["max"] and row["seeds"] == 2
    assert result.cell_config(3) == SHORT.replace(lr_d=0.1, ema=0.9)
    payload = json.loads(result.to_json())
    assert payload["runs"] == 8 and payload["iterations"] == 250 and payload["seeds"] == 2
    assert payload["iterations_per_second"] > 0 and payload["seconds"] > 0
    assert payload["cells"][3] == {
        "lr_d": 0.1,
        "ema": 0.9,
        **{k: pytest.approx(result.cells.iloc[3][k]) for k in ("median", "min", "max")},
        "diverged": 0,
        "seeds": 2,
    }


# ---------------------------------------------------------------- command line


@pytest.fixture
def short_config_file(tmp_path):
    path = tmp_path / "short.json"
    path.write_text(to_json(SHORT))
    return path


def test_cli_prints_one_json_object(short_config_file, capsys):
    argv = ["sweep", "--config", str(short_config_file), "--axis", "lr_d=0.01,0.1"]
    code = cli_main([*argv, "--axis", "lr_g=logspace:1e-3:1e-2:2", "--seeds", "2", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    payload = json.loads(out)
    assert payload["runs"] == 8 and payload["iterations"] == 250
    assert {"seconds", "iterations_per_second", "cells"} <= set(payload)
    assert [(c["lr_d"], c["lr_g"]) for c in payload["cells"]] == [
        (0.01, 0.001), (0.01, 0.01), (0.1, 0.001), (0.1, 0.01),
    ]  # fmt: skip
    assert all(c["median"] > 0 for c in payload["cells"])
    assert "100.0%" in err  # the progress bar, on stderr only


@pytest.mark.parametrize(
    "args, words",
    [
        (["--axis", "lr_d=abc"], "lr_d"),
        (["--axis", "lr_d=20"], "lr_d"),
        (["--axis", "lr_d=0.1", "--axis", "lr_g=0.1", "--axis", "ema=0.9"], "at most 2"),
        (["--seeds", "many"], "seeds"),
        (["--seeds", "2000"], "seeds"),
        (["--preset", "nope"], "nope"),
        (["--config", "/no/such/file.json"], "cannot read"),
        (["--axis", "lr_d=logspace:1e-4:1:40", "--seeds", "30"], "MAX_SWEEP_RUNS"),
    ],
)
def test_cli_bad_input_is_one_line_and_status_2(args, words, capsys):
    assert cli_main(["sweep", "--quiet", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("error: ") and words in err


def test_cli_runs_as_a_module(short_config_file, repo_root):
    done = subprocess.run(
        [sys.executable, "-m", "gan_core", "sweep", "--config", str(short_config_file)]
        + ["--axis", "seed=0,1", "--quiet"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("2 runs × 250 iterations") and "Fréchet" in lines[0]
    assert len(lines) == 4  # summary, header, one line per cell


# ---------------------------------------------------------------- stacks that fit the server


def limits_for(config, runs_per_stack: int) -> CostLimits:
    """Limits under which a stack holds exactly `runs_per_stack` runs of `config`."""
    return CostLimits(sweep_memory_bytes=stack_bytes([config] * runs_per_stack) + 1.0)


def test_a_sweep_over_the_memory_limit_trains_as_several_stacks_of_every_run():
    axes = [parse_axis("lr_d=0.01,0.05,0.1"), parse_axis("lr_g=0.005,0.01")]
    limits = limits_for(SHORT, 2)
    plan = plan_sweep(SHORT, axes, seeds=2, limits=limits)
    whole = plan_sweep(SHORT, axes, seeds=2)
    assert [len(s) for s in whole.stacks()] == [12]
    assert [len(s) for s in plan.stacks()] == [2] * 6
    assert [i for s in plan.stacks() for i in s] == list(range(12))  # every run, in order
    assert plan.cost.stacks == 6 and plan.cost.memory_bytes <= limits.sweep_memory_bytes
    assert plan.cost.memory_bytes < whole.cost.memory_bytes
    assert plan.runs == whole.runs and plan.cells == whole.cells
    result = run_plan(plan)
    assert result.n_runs == 12 and np.isfinite(result.runs["distance"]).all()
    # Balanced: 7 runs in stacks of at most 3 make 3 + 2 + 2, not 3 + 3 + 1.
    seven = plan_sweep(SHORT, [parse_axis("seed=0,1,2,3,4,5,6")], limits=limits_for(SHORT, 3))
    assert [len(s) for s in seven.stacks()] == [3, 2, 2]


def test_split_stacks_start_every_run_where_one_stack_does():
    """Data and initial weights come from each run's own seed whatever its stack, so a
    split changes none of them: the same numbers, element for element."""
    configs = [SHORT.replace(seed=s, lr_d=0.01 * (s + 1)) for s in range(4)]
    whole = StackedGAN(configs)
    halves = [StackedGAN(configs[:2]), StackedGAN(configs[2:])]
    for name in ("data",):
        torch.testing.assert_close(torch.cat([getattr(h, name) for h in halves]), whole.data)
    for net in ("G", "D"):
        parts = [getattr(h, net).flat for h in halves]
        assert torch.equal(torch.cat(parts), getattr(whole, net).flat)


def test_a_sweep_split_into_one_run_stacks_is_each_run_trained_alone():
    # A stack of one draws its randomness as the single-run trainer: the numbers of a
    # sweep split all the way down are exactly those of each run trained on its own.
    axes = [parse_axis("lr_d=0.02,0.05"), parse_axis("beta1=0.5,0.9")]
    plan = plan_sweep(SHORT, axes, limits=limits_for(SHORT, 1))
    assert [len(s) for s in plan.stacks()] == [1, 1, 1, 1]
    result = run_plan(plan)
    for run in range(4):
        assert result.runs["distance"][run] == trainer_distance(plan.runs[run].config)


def test_a_split_sweep_lands_where_one_stack_does():
    """A stack draws its per-step noise and batch order from one stream for all its runs,
    so a run in a smaller stack sees other draws: not the same numbers, the same law. The
    per-cell final distances of a sweep in 4 stacks and in one must not be told apart
    (Mann-Whitney), and their medians agree within a factor of 1.5."""
    axes = [parse_axis("beta1=0.5,0.9")]
    whole = run_plan(plan_sweep(SHORT, axes, seeds=24))
    split_plan = plan_sweep(SHORT, axes, seeds=24, limits=limits_for(SHORT, 12))
    assert len(split_plan.stacks()) == 4
    split = run_plan(split_plan)
    for beta1 in (0.5, 0.9):
        a = whole.runs.query(f"beta1 == {beta1}")["distance"].to_numpy()
        b = split.runs.query(f"beta1 == {beta1}")["distance"].to_numpy()
        assert stats.mannwhitneyu(a, b).pvalue > 0.01, (beta1, np.median(a), np.median(b))
        assert 1 / 1.5 < np.median(a) / np.median(b) < 1.5


HEAVY = TUTORIAL.replace(
    noise_dim=64, g_hidden=(256,) * 4, d_hidden=(256,) * 4, n_samples=4096, batch_size=512
)


def test_a_heavy_sweep_looks_for_stop_before_every_step():
    plan = plan_sweep(HEAVY, [parse_axis("seed=0,1,2")])
    assert all(check_interval([plan.runs[i].config for i in s]) < 50 for s in plan.stacks())
    asked, reports = [], []

    def should_stop() -> bool:
        asked.append(len(asked))
        return len(asked) == 3  # yes at the third time of asking

    with pytest.raises(SweepStopped) as stopped:
        run_plan(plan, lambda done, _total: reports.append(done), should_stop=should_stop)
    assert len(asked) == 3  # asked before every step, and not again once it said yes
    assert stopped.value.steps_done == 2  # two steps trained: the stop came before a third
    assert plan.runs[0].config.total_steps > 2


def test_one_step_of_any_stack_is_kept_short():
    axes = [parse_axis("lr_d=logspace:0.001:0.5:8"), parse_axis("lr_g=logspace:0.001:0.5:8")]
    plan = plan_sweep(HEAVY.replace(epochs=1), axes)
    assert len(plan.stacks()) > 1
    assert plan.cost.step_seconds <= MAX_STEP_SECONDS
    for stack in plan.stacks():
        assert step_seconds(HEAVY, len(stack)) <= MAX_STEP_SECONDS
