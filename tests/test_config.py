"""Config validation: every refusal names the field, the value and what is allowed."""

import math

import pytest

from gan_core.config import MAX_TOTAL_STEPS, ConfigError, GanConfig, Target, covariance_problem


def test_defaults_are_the_seed():
    config = GanConfig()
    assert config.target.mean == (1.0, 2.0)
    assert config.target.cov == ((1.01, 1.95), (1.95, 4.25))
    assert (config.batch_size, config.epochs, config.lr_d, config.lr_g) == (4, 10, 0.05, 0.01)
    assert config.steps_per_epoch == 250 and config.total_steps == 2500
    assert config.has_exact_metrics


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"lr_d": 0}, "lr_d", "allowed (0, 10]"),
        ({"lr_d": -1e-3}, "lr_d", "out of range"),
        ({"lr_g": 11.0}, "lr_g", "allowed (0, 10]"),
        ({"lr_g": math.nan}, "lr_g", "finite"),
        ({"lr_g": math.inf}, "lr_g", "finite"),
        ({"lr_d": "fast"}, "lr_d", "not a number"),
        ({"batch_size": 2000}, "batch_size", "larger than the data"),
        ({"batch_size": 0}, "batch_size", "allowed 1 to"),
        ({"epochs": 10**7}, "epochs", "allowed 1 to"),
        ({"epochs": 30_000}, "epochs", f"{MAX_TOTAL_STEPS:,}"),
        ({"n_samples": 1}, "n_samples", "allowed 2 to"),
        ({"d_hidden": (5, 0)}, "d_hidden[1]", "allowed 1 to"),
        ({"g_hidden": (8,) * 9}, "g_hidden", "at most 4"),
        ({"d_hidden": "5,3"}, "d_hidden", "not a list"),
        ({"loss": "kl"}, "loss", "not one of"),
        ({"ema": 1.0}, "ema", "out of range"),
        ({"seed": -1}, "seed", "allowed 0 to"),
        ({"seed": 1.5}, "seed", "whole number"),
        ({"noise_dim": True}, "noise_dim", "whole number"),
    ],
)
def test_bad_values_are_refused_with_field_and_bounds(changes, field, words):
    with pytest.raises(ConfigError) as caught:
        GanConfig(**changes)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert str(caught.value).startswith(field)


def test_covariance_checks_give_eigenvalues():
    with pytest.raises(ConfigError, match="not symmetric"):
        Target(cov=((1.0, 0.5), (0.2, 1.0)))
    with pytest.raises(ConfigError, match=r"eigenvalues are -1 and 3"):
        Target(cov=((1.0, 2.0), (2.0, 1.0)))
    with pytest.raises(ConfigError, match="not finite"):
        Target(cov=((math.nan, 0.0), (0.0, 1.0)))
    with pytest.raises(ConfigError, match="target.mean"):
        Target(mean=(0.0, math.inf))
    assert covariance_problem(((1.0, 1.0), (1.0, 1.0))) is None  # singular is a valid target


def test_tiny_asymmetry_is_tolerated_and_symmetrised():
    target = Target(cov=((1.0, 0.3), (0.3 + 1e-9, 2.0)))
    assert target.cov[0][1] == target.cov[1][0]


def test_points_target_validation():
    Target(kind="points", points=((0, 0), (1, 1), (2, 0)))
    with pytest.raises(ConfigError, match="target.points"):
        Target(kind="points", points=((0, 0),))
    with pytest.raises(ConfigError, match="not finite"):
        Target(kind="points", points=((0, 0), (math.nan, 1)))
    with pytest.raises(ConfigError, match="only allowed"):
        Target(kind="gaussian", points=((0, 0), (1, 1)))
    config = GanConfig(target=Target(kind="points", points=((0, 0), (1, 1), (2, 0))), batch_size=2)
    assert config.data_size == 3 and config.steps_per_epoch == 2


def test_replace_validates_and_edits_target():
    config = GanConfig().replace(lr_d=0.1, target_mean=(0.0, 0.0))
    assert config.lr_d == 0.1 and config.target.mean == (0.0, 0.0)
    with pytest.raises(ConfigError):
        GanConfig().replace(lr_d=0.0)
