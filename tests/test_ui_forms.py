"""The pure helpers behind the sidebar: covariance forms, layer text, edits applied one by one."""

import numpy as np
import pytest

from gan_core.config import ConfigError, GanConfig, Target, covariance_problem
from ui.controls.config_edit import apply_changes
from ui.controls.covariance_forms import from_sigmas, to_sigmas
from ui.controls.layers_text import format_layers, parse_layers


@pytest.mark.parametrize(
    "sigmas", [(1.0, 2.0, 0.5), (0.0, 3.0, 0.9), (2.0, 2.0, -1.0), (1e-3, 1e3, 0.999)]
)
def test_any_sigmas_give_a_valid_covariance_and_round_trip(sigmas):
    cov = from_sigmas(*sigmas)
    assert covariance_problem(cov) is None
    back = to_sigmas(cov)
    expected_rho = sigmas[2] if sigmas[0] * sigmas[1] > 0 else 0.0
    assert np.allclose(back, (sigmas[0], sigmas[1], expected_rho), rtol=1e-9)


def test_seed_covariance_as_sigmas():
    sigma_x, sigma_y, rho = to_sigmas(Target().cov)
    assert sigma_x == pytest.approx(np.sqrt(1.01))
    assert sigma_y == pytest.approx(np.sqrt(4.25))
    assert rho == pytest.approx(1.95 / np.sqrt(1.01 * 4.25))


def test_from_sigmas_leaves_no_float_noise():
    assert from_sigmas(0.1, 0.3, 0.5) == ((0.01, 0.015), (0.015, 0.09))


@pytest.mark.parametrize(
    "text, widths",
    [("5, 3", (5, 3)), ("64 64", (64, 64)), ("[5,3]", (5, 3)), ("", ()), ("  ", ()), ("7", (7,))],
)
def test_parse_layers(text, widths):
    assert parse_layers("d_hidden", text) == widths
    assert parse_layers("d_hidden", format_layers(widths)) == widths


@pytest.mark.parametrize("text", ["5, three", "5.5", "-3", "5;3", "0x10"])
def test_parse_layers_refuses_what_is_not_whole_numbers(text):
    with pytest.raises(ConfigError) as caught:
        parse_layers("g_hidden", text)
    assert caught.value.field == "g_hidden"
    assert "not a positive whole number" in str(caught.value)


def test_apply_changes_keeps_valid_edits_and_reports_the_rest():
    config, refused = apply_changes(GanConfig(), {"lr_d": 0.02, "lr_g": -1.0, "epochs": 3})
    assert (config.lr_d, config.lr_g, config.epochs) == (0.02, 0.01, 3)
    assert set(refused) == {"lr_g"}
    assert "lr_g" in str(refused["lr_g"])


def test_apply_changes_resolves_dependent_edits_in_any_order():
    # Fewer samples than the current batch is refused alone, but fine with a smaller batch.
    for changes in ({"n_samples": 2, "batch_size": 2}, {"batch_size": 2, "n_samples": 2}):
        config, refused = apply_changes(GanConfig(), changes)
        assert refused == {}
        assert (config.n_samples, config.batch_size) == (2, 2)


def test_apply_changes_without_changes_returns_the_same_config():
    config = GanConfig()
    same, refused = apply_changes(config, {"lr_d": config.lr_d, "target": config.target})
    assert same is config and refused == {}
