"""The cost model (gan_core/jobs/cost.py): estimates that grow with every size, the server's
limits read strictly from the environment, refusals that say what to lower, and the
dashboard's Train refusing a run over the limits without starting anything."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gan_core.config import ConfigError, GanConfig
from gan_core.jobs.cost import (
    MAX_STEP_SECONDS,
    RUN_COST_ENV,
    SWEEP_MEMORY_ENV,
    CostLimits,
    check_run,
    run_cost,
    server_limits,
    stack_bytes,
    step_seconds,
)
from gan_core.presets import PRESETS, preset_config
from gan_core.serialize import to_query
from gan_core.sweep.run import parse_axis, plan_sweep
from tests.markdown_text import shown

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
BIG = {"noise_dim": 64, "g_hidden": (256,) * 4, "d_hidden": (256,) * 4}
# The heaviest setup the dashboard's form allows.
HEAVIEST = GanConfig(
    **BIG, n_samples=100_000, batch_size=4096, d_steps=10, loss="wasserstein_gp", epochs=1
)
BASE = GanConfig(n_samples=2000, batch_size=64, g_hidden=(8,), d_hidden=(8,), epochs=2)

# Each size, as a list of ever larger values of it.
SIZES = {
    "noise_dim": [{"noise_dim": n} for n in (1, 2, 8, 64)],
    "g_hidden": [{"g_hidden": w} for w in ((), (8,), (64,), (64, 64), (256,) * 4)],
    "d_hidden": [{"d_hidden": w} for w in ((), (8,), (64,), (64, 64), (256,) * 4)],
    "batch_size": [{"batch_size": b} for b in (1, 16, 256, 2000)],
    "n_samples": [{"n_samples": n, "epochs": 1} for n in (64, 1000, 20_000, 100_000)],
    "d_steps": [{"d_steps": d} for d in (1, 2, 5, 10)],
    "epochs": [{"epochs": e} for e in (1, 10, 100)],
    "loss": [{"loss": "cross_entropy"}, {"loss": "wasserstein_gp"}],
}


def costs(config: GanConfig, runs: int = 1) -> tuple[float, float, float]:
    """(memory of a stack of `runs`, seconds of one of its steps, seconds of one run)."""
    return stack_bytes([config] * runs), step_seconds(config, runs), run_cost(config).seconds


@pytest.mark.parametrize("size", SIZES)
def test_the_estimates_never_fall_as_a_size_grows(size):
    estimates = [costs(BASE.replace(**changes)) for changes in SIZES[size]]
    if size == "batch_size":  # a larger batch makes fewer steps an epoch: a run costs less
        estimates = [(memory, step, 0.0) for memory, step, _run in estimates]
    for smaller, larger in zip(estimates, estimates[1:]):
        assert all(a <= b for a, b in zip(smaller, larger)), (size, smaller, larger)
    assert any(a < b for a, b in zip(estimates[0], estimates[-1])), size  # and do grow


def test_the_estimates_grow_with_the_runs_of_a_stack():
    estimates = [costs(BASE, runs) for runs in (1, 2, 64, 1024)]
    for smaller, larger in zip(estimates, estimates[1:]):
        assert smaller[0] < larger[0] and smaller[1] < larger[1]


def test_the_heaviest_setup_is_refused_naming_what_dominates():
    with pytest.raises(ConfigError) as refused:
        check_run(HEAVIEST, CostLimits())
    message = str(refused.value)
    assert refused.value.field == "run"
    assert message.startswith("run: one training step would take about")
    # the settings that make a step heavy, each with what lowering it alone saves
    for words in ("batch_size = 4,096 (", "d_hidden = 256, 256, 256, 256 (", "d_steps = 10 ("):
        assert words in message, message
    assert "× less at" in message and "too much" in message


def test_a_long_run_is_refused_with_the_epochs_that_would_fit():
    long = preset_config("tutorial").replace(epochs=20_000)  # 5,000,000 steps
    limits = CostLimits(run_seconds=600)
    with pytest.raises(ConfigError) as refused:
        check_run(long, limits)
    message = str(refused.value)
    assert message.startswith("run: 5,000,000 steps would take about")
    assert f"({RUN_COST_ENV})" in message and "epochs = 20,000 (" in message
    fit = int(message.split("epochs = 20,000 (")[1].split(" would fit")[0].replace(",", ""))
    check_run(long.replace(epochs=fit), limits)  # the epochs it names do fit
    with pytest.raises(ConfigError):
        check_run(long.replace(epochs=fit + 1 + fit // 10), limits)


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_is_allowed_with_the_default_limits(name):
    cost = check_run(preset_config(name), CostLimits())
    assert cost.step_seconds <= MAX_STEP_SECONDS


def test_the_recommended_presets_sweep_on_the_page_is_allowed():
    axes = [parse_axis("lr_d=logspace:0.001:0.5:6"), parse_axis("lr_g=logspace:0.001:0.5:6")]
    plan = plan_sweep(preset_config("recommended"), axes, limits=CostLimits())
    assert len(plan.runs) == 36 and len(plan.stacks()) == 1


def test_the_heaviest_sweep_the_form_allows_is_refused_before_it_starts():
    axes = [parse_axis("lr_d=logspace:0.001:0.5:32"), parse_axis("lr_g=logspace:0.001:0.5:32")]
    with pytest.raises(ConfigError) as refused:
        plan_sweep(HEAVIEST, axes, limits=CostLimits())
    assert refused.value.field == "sweep"
    assert "one training step would take about" in str(refused.value)
    assert "batch_size = 4,096" in str(refused.value)


def test_a_sweep_over_the_time_limit_names_the_runs_that_would_fit():
    axes = [parse_axis("lr_d=logspace:0.001:0.5:32"), parse_axis("lr_g=logspace:0.001:0.5:32")]
    with pytest.raises(ConfigError) as refused:
        plan_sweep(preset_config("recommended"), axes, limits=CostLimits(run_seconds=60))
    message = str(refused.value)
    assert message.startswith("sweep: 1,024 runs would take about")
    assert "runs = 1,024 (cells × seeds; " in message and "n_samples = 40,000" in message


# ---------------------------------------------------------------- the server's limits


def test_limits_default_when_unset_and_read_when_set(monkeypatch):
    monkeypatch.delenv(RUN_COST_ENV, raising=False)
    monkeypatch.delenv(SWEEP_MEMORY_ENV, raising=False)
    assert server_limits() == CostLimits()
    monkeypatch.setenv(RUN_COST_ENV, " 120 ")
    monkeypatch.setenv(SWEEP_MEMORY_ENV, "0.5")
    assert server_limits() == CostLimits(run_seconds=120.0, sweep_memory_bytes=0.5e9)


@pytest.mark.parametrize("name", [RUN_COST_ENV, SWEEP_MEMORY_ENV])
@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf", "2GB", "1e999"])
def test_a_bad_limit_is_refused_by_name(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        server_limits()
    assert refused.value.field == name
    assert str(refused.value).startswith(f"{name}: {value!r} is not allowed: the server's limit")


def test_a_bad_limit_refuses_every_sweep_by_name(monkeypatch):
    monkeypatch.setenv(SWEEP_MEMORY_ENV, "lots")
    with pytest.raises(ConfigError) as refused:
        plan_sweep(preset_config("tutorial").replace(epochs=1))
    assert refused.value.field == SWEEP_MEMORY_ENV
    assert str(refused.value).startswith(
        "GANSCOPE_MAX_SWEEP_MEMORY: 'lots' is not allowed: the server's limit is a positive number"
    )


# ---------------------------------------------------------------- the dashboard's Train


def test_train_refuses_a_run_over_the_limits_and_keeps_the_page():
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    for key, value in to_query(HEAVIEST.replace(epochs=2)).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception and not at.error
    at.button(key="run_train").click().run()
    assert not at.exception
    messages = [shown(e.value) for e in at.error]
    assert any(m.startswith("run: one training step would take about") for m in messages)
    assert any("batch_size = 4,096" in m for m in messages), messages
    assert at.session_state["job_holder"].job is None  # nothing started
    assert not at.button(key="run_train").disabled  # the buttons and settings stay
    assert at.number_input(key="w.epochs").value == 2
    assert math.isfinite(run_cost(HEAVIEST).seconds)
