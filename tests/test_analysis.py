"""The theory behind the new views, checked against independent references: the
Jensen–Shannon divergence against scipy's adaptive quadrature, D* against scipy's
densities, the warp of an affine G against the affine map itself."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from gan_core.analysis.gaussian_jsd import gaussian_jsd
from gan_core.analysis.optimal_discriminator import (
    G_ON_A_LINE_NOTE,
    NOT_GAUSSIAN_NOTE,
    optimal_discriminator,
    optimal_field,
)
from gan_core.analysis.warp import noise_grid, noise_span
from gan_core.config import GanConfig, Target
from gan_core.targets import plot_bounds
from gan_core.training.snapshot import generator_warp
from gan_core.training.trainer import Trainer

LN2 = math.log(2)


def log_density(mean, cov):
    """ln N(x, y; mean, cov) as a plain-float function: dblquad calls it a million times."""
    (a, b), (_, d) = np.linalg.inv(np.asarray(cov, dtype=float)).tolist()
    mx, my = (float(v) for v in mean)
    constant = -math.log(2 * math.pi) - 0.5 * math.log(np.linalg.det(np.asarray(cov, float)))
    return lambda x, y: (
        constant - 0.5 * (a * (x - mx) ** 2 + 2 * b * (x - mx) * (y - my) + d * (y - my) ** 2)
    )


def reference_jsd(mean_p, cov_p, mean_q, cov_q) -> float:
    """JSD by scipy's adaptive dblquad over a box ±10σ around both means."""
    log_p, log_q = log_density(mean_p, cov_p), log_density(mean_q, cov_q)

    def integrand(y: float, x: float) -> float:
        lp, lq = log_p(x, y), log_q(x, y)
        lm = np.logaddexp(lp, lq) - math.log(2)
        return (math.exp(lp) * (lp - lm) + math.exp(lq) * (lq - lm)) / 2

    means = np.array([mean_p, mean_q], dtype=float)
    sds = np.sqrt(np.array([np.diag(cov_p), np.diag(cov_q)], dtype=float))
    low, high = (means - 10 * sds).min(axis=0), (means + 10 * sds).max(axis=0)
    value, _ = integrate.dblquad(
        integrand, low[0], high[0], low[1], high[1], epsabs=1e-10, epsrel=1e-10
    )
    return value


PAIRS = {
    "different means": ((0, 0), np.eye(2), (1, 0), np.eye(2)),
    "anisotropic": ((0, 0), np.diag([4.0, 0.25]), (0.5, -0.3), np.eye(2)),
    "correlated": ((1, 2), [[1, 0.9], [0.9, 1]], (1.2, 1.7), [[0.5, -0.2], [-0.2, 0.3]]),
    "nearly equal": ((0, 0), np.eye(2), (0.01, 0), 1.02 * np.eye(2)),
    "narrow against wide": ((0, 0), 0.04 * np.eye(2), (1, 1), [[2, 1.5], [1.5, 2]]),
    "tutorial-like": ((1, 2), [[1.01, 1.95], [1.95, 4.25]], (0.3, 0.4), [[0.2, 0.1], [0.1, 0.3]]),
}


@pytest.mark.parametrize("pair", PAIRS.values(), ids=list(PAIRS))
def test_jsd_matches_adaptive_quadrature(pair):
    value = gaussian_jsd(*pair)
    assert value == pytest.approx(reference_jsd(*pair), abs=1e-4)
    # The divergence is symmetric: the same with the two laws swapped.
    assert gaussian_jsd(pair[2], pair[3], pair[0], pair[1]) == pytest.approx(value, abs=1e-9)


def test_jsd_of_far_apart_gaussians_is_ln2():
    assert gaussian_jsd((0, 0), np.eye(2), (40, 0), np.eye(2)) == pytest.approx(LN2, abs=1e-4)
    assert gaussian_jsd((0, 0), np.eye(2), (8, -8), 0.5 * np.eye(2)) == pytest.approx(LN2, abs=1e-4)


def test_jsd_is_zero_and_d_star_one_half_when_g_is_the_target():
    mean, cov = (1.0, 2.0), [[1.01, 1.95], [1.95, 4.25]]
    assert gaussian_jsd(mean, cov, mean, cov) == pytest.approx(0.0, abs=1e-9)
    points = np.random.default_rng(0).normal(size=(200, 2)) * 3
    np.testing.assert_allclose(optimal_discriminator(points, mean, cov, mean, cov), 0.5)


def test_jsd_does_not_change_under_an_affine_map_of_the_plane():
    mean_p, cov_p, mean_q, cov_q = PAIRS["correlated"]
    shear, shift = np.array([[2.0, 0.5], [-0.3, 1.5]]), np.array([3.0, -1.0])
    moved = (
        np.asarray(mean_p) @ shear + shift,
        shear.T @ np.asarray(cov_p) @ shear,
        np.asarray(mean_q) @ shear + shift,
        shear.T @ np.asarray(cov_q) @ shear,
    )
    assert gaussian_jsd(*moved) == pytest.approx(gaussian_jsd(*PAIRS["correlated"]), abs=1e-7)


def test_jsd_stays_accurate_for_widths_a_thousand_times_apart():
    """Against the same rule on a grid 4x finer, where dblquad itself would miss the spike."""
    from gan_core.analysis import gaussian_jsd as module

    pair = ((0, 0), np.eye(2), (0.3, 0.1), np.diag([1e-6, 1.0]))
    value = gaussian_jsd(*pair)
    spacing = module.NODE_SPACING
    try:
        module.NODE_SPACING = spacing / 4
        finer = gaussian_jsd(*pair)
    finally:
        module.NODE_SPACING = spacing
    assert 0 < value < LN2 and abs(value - finer) < 1e-5


def test_a_gaussian_on_a_line_has_jsd_ln2_and_d_star_one_off_it():
    line = [[1.0, 1.0], [1.0, 1.0]]  # rank 1: one-dimensional noise
    assert gaussian_jsd((0, 0), np.eye(2), (0, 0), line) == LN2
    assert gaussian_jsd((0, 0), line, (0, 0), line) == 0.0
    assert math.isnan(gaussian_jsd((0, 0), line, (1, 0), [[1.0, -1.0], [-1.0, 1.0]]))
    xs = ys = np.linspace(-2, 2, 5)
    field = optimal_field(xs, ys, (0, 0), np.eye(2), (0, 0), line)
    assert field.note == G_ON_A_LINE_NOTE
    assert field.values is not None and (field.values == 1).all()


def test_d_star_is_the_ratio_of_the_two_densities():
    data_mean, data_cov = (1.0, 2.0), [[1.01, 1.95], [1.95, 4.25]]
    gen_mean, gen_cov = (0.2, 0.5), [[0.3, -0.1], [-0.1, 0.6]]
    points = np.random.default_rng(1).normal(size=(500, 2)) * 2 + 1
    p = stats.multivariate_normal(data_mean, data_cov).pdf(points)
    q = stats.multivariate_normal(gen_mean, gen_cov).pdf(points)
    found = optimal_discriminator(points, data_mean, data_cov, gen_mean, gen_cov)
    np.testing.assert_allclose(found, p / (p + q), rtol=1e-10, atol=1e-14)
    # Far in the tails, where both densities underflow, D* is still a probability.
    far = optimal_discriminator(np.array([[1e3, -1e3]]), data_mean, data_cov, gen_mean, gen_cov)
    assert 0.0 <= far[0] <= 1.0


def test_the_noise_grid_spans_two_sigma_of_the_first_two_coordinates():
    grid = noise_grid(4, noise_span("normal"))
    assert grid.shape == (18, 41, 4)
    assert grid[..., :2].min() == -2.0 and grid[..., :2].max() == 2.0
    assert (grid[..., 2:] == 0).all()  # further coordinates held at 0
    assert (grid[:9, :, 1] == grid[:9, :1, 1]).all()  # the first nine lines: z₂ constant
    assert noise_grid(1, 1.0).shape == (1, 41, 1)  # one noise coordinate: one line
    assert noise_span("uniform") == 1.0


@pytest.mark.parametrize("noise_dim", [1, 2, 3])
def test_the_warp_of_an_affine_g_is_the_affine_map_of_the_grid(noise_dim):
    trainer = Trainer(GanConfig(epochs=1, noise_dim=noise_dim))
    trainer.run(n_steps=30)
    weight, bias = trainer.generator_affine_map()
    grid = noise_grid(noise_dim, noise_span("normal"))
    np.testing.assert_allclose(generator_warp(trainer), grid @ weight.T + bias, atol=1e-5)


def test_the_warp_of_a_multilayer_g_follows_its_network():
    trainer = Trainer(GanConfig(epochs=1, g_hidden=(8,)))
    trainer.run(n_steps=30)
    warp = generator_warp(trainer)
    grid = noise_grid(2, noise_span("normal"))
    z = torch.as_tensor(grid.reshape(1, -1, 2), dtype=torch.float32)
    with torch.no_grad():
        expected = trainer.engine.generator(z)[0].numpy().reshape(warp.shape)
    np.testing.assert_allclose(warp, expected, atol=1e-6)


def test_the_snapshot_carries_d_star_on_ds_grid_and_the_exact_jsd():
    trainer = Trainer(GanConfig(epochs=1))
    trainer.run()
    bounds = plot_bounds(trainer.config.target)
    snap = trainer.snapshot(100, 30, bounds, 0)
    # D's grid, or one of its own round G while G is narrower than two of D's cells.
    xs = snap.field_x if snap.optimal_x is None else snap.optimal_x
    ys = snap.field_y if snap.optimal_y is None else snap.optimal_y
    assert len(xs) == len(snap.field_x) and len(ys) == len(snap.field_y)
    if snap.optimal_x is not None:
        centre = [(xs[0] + xs[-1]) / 2, (ys[0] + ys[-1]) / 2]
        np.testing.assert_allclose(centre, snap.gen_mean, atol=1e-9)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    expected = optimal_discriminator(
        grid, snap.target_mean, snap.target_cov, snap.gen_mean, snap.gen_cov
    )
    np.testing.assert_allclose(snap.optimal_values, expected)
    assert snap.optimal_note == "" and snap.warp_lines.shape == (18, 41, 2)
    jsd = gaussian_jsd(snap.target_mean, snap.target_cov, snap.gen_mean, snap.gen_cov)
    assert snap.metrics["js_divergence"] == jsd
    logged = trainer.history.to_frame()["js_divergence"]
    assert logged.notna().all() and logged.iloc[-1] == pytest.approx(jsd)


@pytest.mark.parametrize(
    "config",
    [GanConfig(epochs=1, target=Target(kind="ring")), GanConfig(epochs=1, g_hidden=(8,))],
    ids=["ring target", "multilayer G"],
)
def test_where_nothing_is_exact_d_star_and_jsd_are_left_out(config):
    trainer = Trainer(config)
    trainer.run(n_steps=config.total_steps // 50)
    snap = trainer.snapshot(100, 30, plot_bounds(config.target), 0)
    assert snap.optimal_values is None and snap.optimal_note == NOT_GAUSSIAN_NOTE
    assert "js_divergence" not in snap.metrics
    assert snap.warp_lines is not None and np.isfinite(snap.warp_lines).all()
    assert trainer.history.to_frame()["js_divergence"].isna().all()
