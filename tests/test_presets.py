"""Presets: each validates, survives JSON and URL round trips, and says what it shows.

`tutorial` must be the seed's setup exactly (SEED_NOTES.md); `recommended` must keep the
seed's target and model size. The slow tests train for real: `recommended` lands on the
target and `tutorial` ends where the seed's D loss ends, at 2·ln 2.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from gan_core.config import ConfigError, GanConfig, Target
from gan_core.presets import PRESETS, SEED_TARGET, Preset, get_preset, preset_config
from gan_core.serialize import from_json, from_query, to_json, to_query
from gan_core.training.trainer import Trainer

NAMES = sorted(PRESETS)
EQUILIBRIUM_D_LOSS = 2 * math.log(2)


def test_expected_presets_exist():
    for name in ("tutorial", "recommended", "ring_collapse", "high_lr", "minimax"):
        assert name in PRESETS
    assert {"least_squares", "wgan_gp_grid"} <= set(PRESETS)


@pytest.mark.parametrize("name", NAMES)
def test_preset_is_a_valid_config(name):
    preset = PRESETS[name]
    assert isinstance(preset, Preset)
    assert preset.name == name
    assert isinstance(preset.config, GanConfig)
    # Rebuilding from its fields runs validation again and gives the same config.
    fields = {f.name: getattr(preset.config, f.name) for f in dataclasses.fields(GanConfig)}
    assert GanConfig(**fields) == preset.config
    assert get_preset(name) is preset
    assert preset_config(name) == preset.config


@pytest.mark.parametrize("name", NAMES)
def test_preset_round_trips_json(name):
    config = preset_config(name)
    assert from_json(to_json(config)) == config


@pytest.mark.parametrize("name", NAMES)
def test_preset_round_trips_url(name):
    config = preset_config(name)
    query = to_query(config)
    assert all(isinstance(v, str) for v in query.values())
    assert from_query(query) == config


@pytest.mark.parametrize("name", NAMES)
def test_preset_has_a_one_line_explanation(name):
    preset = PRESETS[name]
    assert preset.title.strip()
    assert preset.explanation.strip()
    assert "\n" not in preset.explanation
    assert "\n" not in preset.title


@pytest.mark.parametrize("name", NAMES)
def test_preset_runs_in_modest_time(name):
    # A proxy for the ~60 s budget: step count times the work of a step.
    config = preset_config(name)
    assert config.total_steps * config.d_steps <= 60_000


def test_unknown_preset_is_refused():
    with pytest.raises(ConfigError, match="preset"):
        get_preset("no_such_preset")


def test_tutorial_is_the_default_config():
    assert preset_config("tutorial") == GanConfig()


def test_tutorial_matches_the_seed():
    config = preset_config("tutorial")
    assert config.target.kind == "gaussian"
    assert config.target.mean == (1.0, 2.0)
    assert config.target.cov == ((1.01, 1.95), (1.95, 4.25))
    a = np.array([[1.0, 2.0], [-0.1, 0.5]])  # X = Z·A + b, so Cov X = AᵀA
    np.testing.assert_allclose(np.array(config.target.cov), a.T @ a, atol=1e-12)
    assert config.n_samples == 1000
    assert config.noise == "normal" and config.noise_dim == 2
    assert config.g_hidden == ()  # affine G: Linear(2, 2)
    assert config.generator_is_affine
    assert config.d_hidden == (5, 3) and config.d_activation == "tanh"
    assert config.loss == "cross_entropy"
    assert config.optimizer == "adam"
    assert (config.lr_d, config.lr_g) == (0.05, 0.01)
    assert (config.beta1, config.beta2) == (0.9, 0.999)
    assert config.batch_size == 4
    assert config.epochs == 10
    assert config.steps_per_epoch == 250 and config.total_steps == 2500
    assert config.d_steps == 1
    assert config.ema == 0.0
    assert config.init_std == 0.02


def test_seed_target_is_the_seed_gaussian():
    assert SEED_TARGET == Target()
    assert SEED_TARGET == GanConfig().target


def test_recommended_keeps_the_seed_problem_and_model_size():
    config = preset_config("recommended")
    seed = GanConfig()
    assert config.target == seed.target
    assert config.g_hidden == () and config.noise == seed.noise
    assert config.noise_dim == seed.noise_dim
    assert config.d_hidden == (5, 3) and config.d_activation == "tanh"
    assert config.loss == "cross_entropy"
    # Within the seed's 2,500 steps.
    assert config.total_steps <= 2500


def test_teaching_presets_set_what_they_teach():
    ring = preset_config("ring_collapse")
    assert ring.target.kind == "ring" and ring.generator_is_affine
    high = preset_config("high_lr")
    tutorial = preset_config("tutorial")
    assert high.lr_d > tutorial.lr_d and high.lr_g > tutorial.lr_g
    assert preset_config("minimax").loss == "minimax"
    assert preset_config("least_squares").loss == "least_squares"
    grid = preset_config("wgan_gp_grid")
    assert grid.target.kind == "grid" and grid.loss == "wasserstein_gp"
    assert not grid.generator_is_affine


def final_frechet(config: GanConfig) -> float:
    trainer = Trainer(config)
    trainer.run()
    return trainer.snapshot(n_points=0).metrics["frechet"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_recommended_lands_on_the_target(seed):
    config = preset_config("recommended").replace(seed=seed)
    assert final_frechet(config) < 0.02


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_tutorial_ends_at_the_equilibrium_d_loss(seed):
    config = preset_config("tutorial").replace(seed=seed)
    trainer = Trainer(config)
    trainer.run()
    frame = trainer.history.to_frame()
    last_epoch = frame[frame["epoch"] == config.epochs - 1]
    assert len(last_epoch) > 0
    assert abs(last_epoch["loss_d"].mean() - EQUILIBRIUM_D_LOSS) < 0.05
