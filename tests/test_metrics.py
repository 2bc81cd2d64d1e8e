"""Tests for gan_core.metrics against independent references (scipy, brute force, hand values)."""

import math
import tracemalloc
import warnings
from itertools import product

import numpy as np
import pytest
import scipy.linalg
import scipy.spatial.distance
import scipy.stats
import torch

from gan_core import metrics as M

# The seed's data: X = Z·A + b with Z ~ N(0, I₂), so the target is N(b, AᵀA).
SEED_A = np.array([[1.0, 2.0], [-0.1, 0.5]])
SEED_MEAN = np.array([1.0, 2.0])
SEED_COV = np.array([[1.01, 1.95], [1.95, 4.25]])


def frechet_reference(mu1, cov1, mu2, cov2):
    """The general formula with scipy's matrix square roots."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)  # singular inputs
        s1 = scipy.linalg.sqrtm(cov1).real
        cross = scipy.linalg.sqrtm(s1 @ cov2 @ s1).real
    diff = mu1 - mu2
    return diff @ diff + np.trace(cov1) + np.trace(cov2) - 2 * np.trace(cross)


def kl_reference(mu1, cov1, mu2, cov2):
    """Textbook closed form with explicit inverse and determinants."""
    inv2 = np.linalg.inv(cov2)
    d = mu2 - mu1
    return 0.5 * (
        np.trace(inv2 @ cov1)
        + d @ inv2 @ d
        - 2
        + math.log(np.linalg.det(cov2) / np.linalg.det(cov1))
    )


def random_cov(rng, kind):
    scale = 10 ** rng.uniform(-2, 1)
    if kind == "zero":
        return np.zeros((2, 2))
    if kind == "rank1":
        a = rng.normal(size=2)
        return scale * np.outer(a, a)
    a = rng.normal(size=(2, 2))
    return scale * a @ a.T


# ---------------------------------------------------------------- affine generator moments


def test_seed_covariance_is_AtA_and_optimal_generator_has_zero_distance():
    np.testing.assert_allclose(SEED_A.T @ SEED_A, SEED_COV, atol=1e-12)
    # x = z·A + b is nn.Linear with weight Aᵀ; any rotation of the noise gives the same output.
    theta = 0.7
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    for weight in (SEED_A.T, SEED_A.T @ rot):
        mean, cov = M.affine_output_moments(weight, SEED_MEAN)
        np.testing.assert_allclose(cov, SEED_COV, atol=1e-12)
        assert M.frechet_gaussian(mean, cov, SEED_MEAN, SEED_COV) < 1e-12


@pytest.mark.parametrize("noise", ["normal", "uniform"])
def test_affine_output_moments_match_empirical(noise):
    rng = np.random.default_rng(1)
    weight = np.array([[0.8, -1.5, 0.3], [2.0, 0.4, -0.7]])  # (2, k) with k = 3
    bias = np.array([-1.0, 0.5])
    n = 200_000
    if noise == "normal":
        z, var = rng.normal(size=(n, 3)), 1.0
    else:
        z, var = rng.uniform(-1, 1, size=(n, 3)), 1 / 3
    x = z @ weight.T + bias
    mean, cov = M.affine_output_moments(weight, bias, noise_var=var)
    np.testing.assert_allclose(mean, x.mean(axis=0), atol=0.02)
    np.testing.assert_allclose(cov, np.cov(x, rowvar=False), rtol=0.02, atol=0.02)


def test_affine_output_moments_accepts_torch_linear():
    torch.manual_seed(0)
    layer = torch.nn.Linear(2, 2)
    mean, cov = M.affine_output_moments(layer.weight, layer.bias, noise_var=2.0)
    assert mean.dtype == np.float64 and cov.dtype == np.float64
    w = layer.weight.detach().double().numpy()
    np.testing.assert_allclose(cov, 2.0 * w @ w.T, rtol=1e-12)
    np.testing.assert_allclose(mean, layer.bias.detach().double().numpy())
    no_bias = torch.nn.Linear(2, 2, bias=False)
    np.testing.assert_array_equal(M.affine_output_moments(no_bias.weight, None)[0], [0.0, 0.0])


# ---------------------------------------------------------------------------- Fréchet


def test_frechet_matches_sqrtm_formula_on_random_cases():
    rng = np.random.default_rng(2)
    cases = [
        (SEED_MEAN, SEED_COV, np.zeros(2), np.eye(2)),
        (SEED_MEAN, SEED_COV, SEED_MEAN + 0.1, np.diag([0.5, 3.0])),
    ]
    kinds = ["full"] * 6 + ["rank1"] * 3 + ["zero"]
    for _ in range(200):
        cases.append(
            (
                rng.normal(scale=2, size=2),
                random_cov(rng, rng.choice(kinds)),
                rng.normal(scale=2, size=2),
                random_cov(rng, rng.choice(kinds)),
            )
        )
    n_singular = 0
    for mu1, c1, mu2, c2 in cases:
        expected = frechet_reference(mu1, c1, mu2, c2)
        got = M.frechet_gaussian(mu1, c1, mu2, c2)
        tol = 1e-7 * (1 + np.trace(c1) + np.trace(c2) + np.sum((mu1 - mu2) ** 2))
        assert got >= 0
        assert got == pytest.approx(expected, abs=tol)
        assert M.frechet_gaussian(mu2, c2, mu1, c1) == pytest.approx(got, abs=tol)
        n_singular += np.linalg.matrix_rank(c1) < 2 or np.linalg.matrix_rank(c2) < 2
    assert n_singular >= 40  # the singular branch really was exercised


def test_frechet_known_values():
    cov = SEED_COV
    assert M.frechet_gaussian(SEED_MEAN, cov, SEED_MEAN, cov) == pytest.approx(0, abs=1e-12)
    shift = np.array([3.0, -4.0])
    assert M.frechet_gaussian(SEED_MEAN, cov, SEED_MEAN + shift, cov) == pytest.approx(25.0)
    for a, b in [(1.0, 2.0), (0.3, 0.05), (1.0, 0.0)]:
        d = M.frechet_gaussian([0, 0], a**2 * np.eye(2), [0, 0], b**2 * np.eye(2))
        assert d == pytest.approx(2 * (a - b) ** 2, rel=1e-12, abs=1e-15)
    # Two point masses: only the means matter.
    assert M.frechet_gaussian([0, 0], np.zeros((2, 2)), [1, 1], np.zeros((2, 2))) == 2.0
    # A degenerate line vs. the same line: W2² = (σ₁ − σ₂)² along it.
    u = np.array([0.6, 0.8])
    d = M.frechet_gaussian([0, 0], 4 * np.outer(u, u), [0, 0], 1 * np.outer(u, u))
    assert d == pytest.approx(1.0, rel=1e-7)


def test_frechet_of_fitted_moments_matches_sample_estimate():
    rng = np.random.default_rng(3)
    gen_mean, gen_cov = np.array([0.8, 1.7]), np.array([[0.6, 1.2], [1.2, 3.0]])
    x = rng.multivariate_normal(SEED_MEAN, SEED_COV, size=200_000)
    y = rng.multivariate_normal(gen_mean, gen_cov, size=200_000)
    exact = M.frechet_gaussian(SEED_MEAN, SEED_COV, gen_mean, gen_cov)
    estimate = M.frechet_gaussian(*M.gaussian_fit(x), *M.gaussian_fit(y))
    assert exact > 0.1
    assert estimate == pytest.approx(exact, rel=0.03)


# ------------------------------------------------------------------------------- KL

KL_CASES = [
    (SEED_MEAN, SEED_COV, np.zeros(2), np.eye(2)),
    (np.array([0.9, 2.1]), np.array([[0.5, 0.9], [0.9, 2.0]]), SEED_MEAN, SEED_COV),
    (SEED_MEAN, SEED_COV, np.array([0.9, 2.1]), np.array([[0.5, 0.9], [0.9, 2.0]])),
    (np.array([-1.0, 0.0]), np.diag([0.2, 3.0]), np.array([1.0, 1.0]), np.diag([2.0, 0.5])),
]


@pytest.mark.parametrize("mu1, cov1, mu2, cov2", KL_CASES)
def test_kl_matches_closed_form_and_monte_carlo(mu1, cov1, mu2, cov2):
    kl = M.kl_gaussian(mu1, cov1, mu2, cov2)
    assert kl == pytest.approx(kl_reference(mu1, cov1, mu2, cov2), rel=1e-10)
    n1 = scipy.stats.multivariate_normal(mu1, cov1)
    n2 = scipy.stats.multivariate_normal(mu2, cov2)
    x = n1.rvs(size=200_000, random_state=np.random.default_rng(4))
    log_ratio = n1.logpdf(x) - n2.logpdf(x)
    stderr = log_ratio.std() / math.sqrt(len(x))
    assert abs(kl - log_ratio.mean()) < 5 * stderr + 1e-3


def test_kl_is_asymmetric_zero_for_identical_and_scale_invariant_singularity():
    a, b = KL_CASES[1][:2], KL_CASES[1][2:]
    assert M.kl_gaussian(*a, *b) != pytest.approx(M.kl_gaussian(*b, *a), rel=1e-3)
    assert M.kl_gaussian(*a, *a) == pytest.approx(0, abs=1e-12)
    # A tiny but round covariance is not singular (the test is relative).
    tiny = 1e-20 * np.eye(2)
    assert M.kl_gaussian([0, 0], tiny, [0, 0], 4 * tiny) == pytest.approx(
        kl_reference(np.zeros(2), tiny, np.zeros(2), 4 * tiny)
    )


def test_kl_singular_covariances_are_infinite():
    line = np.outer([1.0, 2.0], [1.0, 2.0])
    nearly = SEED_COV.copy()
    nearly[1, 1] = SEED_COV[0, 1] ** 2 / SEED_COV[0, 0]  # det = 0 up to round-off
    assert M.kl_gaussian(SEED_MEAN, SEED_COV, SEED_MEAN, line) == math.inf
    assert M.kl_gaussian(SEED_MEAN, line, SEED_MEAN, SEED_COV) == math.inf
    assert M.kl_gaussian(SEED_MEAN, SEED_COV, SEED_MEAN, nearly) == math.inf
    assert M.kl_gaussian(SEED_MEAN, line, SEED_MEAN, 2 * line) == math.inf
    assert M.kl_gaussian(SEED_MEAN, line, SEED_MEAN, line) == 0.0
    assert M.kl_gaussian([0, 0], np.zeros((2, 2)), [0, 0], np.zeros((2, 2))) == 0.0


# -------------------------------------------------------------- fit and the metric dict


def test_gaussian_fit_is_unbiased_hand_example():
    mean, cov = M.gaussian_fit([[0, 0], [2, 0], [0, 2]])
    np.testing.assert_allclose(mean, [2 / 3, 2 / 3])
    np.testing.assert_allclose(cov, [[4 / 3, -2 / 3], [-2 / 3, 4 / 3]])
    with pytest.raises(ValueError):
        M.gaussian_fit([[1.0, 2.0]])


def test_gaussian_metrics_dict():
    gen_cov = np.array([[1.0, 2.0], [2.0, 4.0]])  # singular: a collapsed generator
    out = M.gaussian_metrics([1.0, 1.0], gen_cov, SEED_MEAN, SEED_COV)
    assert set(out) == {"frechet", "kl_gen_target", "kl_target_gen", "mean_error", "cov_error"}
    assert out["kl_gen_target"] == math.inf and out["kl_target_gen"] == math.inf
    assert out["mean_error"] == pytest.approx(1.0)
    assert out["cov_error"] == pytest.approx(math.sqrt(0.01**2 + 2 * 0.05**2 + 0.25**2))
    assert out["frechet"] == pytest.approx(
        frechet_reference(np.ones(2), gen_cov, SEED_MEAN, SEED_COV), abs=1e-7
    )
    gm, gc = np.array([0.9, 2.1]), np.array([[0.5, 0.9], [0.9, 2.0]])
    out = M.gaussian_metrics(gm, gc, SEED_MEAN, SEED_COV)
    assert out["kl_gen_target"] == pytest.approx(kl_reference(gm, gc, SEED_MEAN, SEED_COV))
    assert out["kl_target_gen"] == pytest.approx(kl_reference(SEED_MEAN, SEED_COV, gm, gc))


# ------------------------------------------------------------------ sliced Wasserstein


def test_sliced_wasserstein_matches_gaussian_closed_form():
    rng = np.random.default_rng(5)
    mu2, cov2 = np.array([0.0, 1.0]), np.array([[2.0, -0.5], [-0.5, 0.7]])
    x = rng.multivariate_normal(SEED_MEAN, SEED_COV, size=60_000)
    y = rng.multivariate_normal(mu2, cov2, size=40_000)  # different sizes: common-grid path
    phi = np.linspace(0, np.pi, 3600, endpoint=False)
    theta = np.stack([np.cos(phi), np.sin(phi)], axis=1)
    sd1 = np.sqrt(np.einsum("ij,jk,ik->i", theta, SEED_COV, theta))
    sd2 = np.sqrt(np.einsum("ij,jk,ik->i", theta, cov2, theta))
    closed = np.mean((theta @ (SEED_MEAN - mu2)) ** 2 + (sd1 - sd2) ** 2)
    assert M.sliced_wasserstein(x, y, n_projections=64, max_samples=None) == pytest.approx(
        closed, rel=0.03
    )
    # By default each sample is cut to a fixed subsample of SLICED_MAX_SAMPLES = 5,000
    # points, whose estimate scatters more: over 20 subsample seeds its relative error has
    # a standard deviation of about 3%, hence 4 standard deviations here.
    assert len(y) > M.SLICED_MAX_SAMPLES
    assert M.sliced_wasserstein(x, y, n_projections=64) == pytest.approx(closed, rel=0.12)


def test_sliced_wasserstein_exact_small_cases():
    # On the x-axis: 1-D W2² between {0, 1} and {0, 0, 3} is 1/6·1² + 1/3·2² = 1.5, and the
    # mean of cos² over an evenly spaced fan of directions is exactly 1/2.
    x, y = [[0, 0], [1, 0]], [[0, 0], [0, 0], [3, 0]]
    assert M.sliced_wasserstein(x, y, n_projections=7, seed=3) == pytest.approx(0.75)
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(50, 2)), rng.normal(1.0, 2.0, size=(37, 2))
    assert M.sliced_wasserstein(a, a) == pytest.approx(0, abs=1e-15)
    # Repeating every sample leaves the empirical distribution, hence the distance, unchanged.
    assert M.sliced_wasserstein(np.repeat(a, 3, axis=0), b) == pytest.approx(
        M.sliced_wasserstein(a, b), rel=1e-10
    )
    assert M.sliced_wasserstein(a, b, seed=1) == M.sliced_wasserstein(a, b, seed=1)
    assert M.sliced_wasserstein(a, b, seed=1) != M.sliced_wasserstein(a, b, seed=2)


# ---------------------------------------------------------------------- energy distance


def test_energy_distance_basic_and_1d_scipy():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, 2))
    assert M.energy_distance(x, x) == pytest.approx(0, abs=1e-12)
    near, far = M.energy_distance(x, x + [0.5, 0]), M.energy_distance(x, x + [2.0, 0])
    assert 0 < near < far
    # In 1-D the V-statistic is the square of scipy's energy distance.
    u, v = rng.normal(size=300), rng.normal(0.3, 1.5, size=200)
    embed = lambda t: np.stack([t, np.zeros_like(t)], axis=1)  # noqa: E731
    assert M.energy_distance(embed(u), embed(v)) == pytest.approx(
        scipy.stats.energy_distance(u, v) ** 2, rel=1e-9
    )


def test_energy_distance_matches_brute_force_across_chunks():
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(2500, 2)), rng.normal(0.2, 1.1, size=(1300, 2))
    assert 2500 > M._CHUNK_BYTES // (8 * 3 * 1300)  # several row blocks are used
    cd = scipy.spatial.distance.cdist
    brute = 2 * cd(x, y).mean() - cd(x, x).mean() - cd(y, y).mean()
    assert M.energy_distance(x, y, max_samples=None) == pytest.approx(brute, rel=1e-9)
    # Within the subsample size, every point is used by default: the same exact value.
    assert M.energy_distance(x[:2000], y) == pytest.approx(
        2 * cd(x[:2000], y).mean() - cd(x[:2000], x[:2000]).mean() - cd(y, y).mean(), rel=1e-9
    )


def test_energy_distance_memory_stays_bounded():
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=(5000, 2)), rng.normal(size=(5000, 2))
    tracemalloc.start()
    try:
        M.energy_distance(x, y, max_samples=None)  # every pair: the chunks bound the memory
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20  # one unchunked 5000×5000 float64 matrix alone is 191 MiB


def test_large_samples_use_a_fixed_subsample_near_the_full_value():
    """Above the subsample sizes, each distance is measured on a fixed, seeded subsample.

    Cross-checked in 1-D against scipy on all 100,000 points. The subsample's estimate is
    noisier than the full one: on 2,000 points per side the energy distance of these two
    laws (about 0.09) scatters with a relative standard deviation near 13% over subsample
    seeds, so 40% is three of them; on 5,000 points per side the sliced Wasserstein
    distance scatters by about 6%, so 25% is four.
    """
    rng = np.random.default_rng(11)
    u, v = rng.normal(size=100_000), rng.normal(0.3, 1.5, size=100_000)
    embed = lambda t: np.stack([t, np.zeros_like(t)], axis=1)  # noqa: E731
    x, y = embed(u), embed(v)
    full = scipy.stats.energy_distance(u, v) ** 2
    estimate = M.energy_distance(x, y)
    assert estimate == pytest.approx(full, rel=0.4)
    assert M.energy_distance(x, y) == estimate  # fixed: the same points on every call
    assert M.energy_distance(x, y, seed=1) != estimate  # ... chosen by the seed
    # The subsample is the one the docstring names: ENERGY_MAX_SAMPLES points of each side.
    small = M.energy_distance(x[: M.ENERGY_MAX_SAMPLES], y[: M.ENERGY_MAX_SAMPLES])
    assert small == M.energy_distance(
        x[: M.ENERGY_MAX_SAMPLES], y[: M.ENERGY_MAX_SAMPLES], max_samples=None
    )
    # Sliced Wasserstein of two 1-D laws on the x axis: W2² times the mean of cos², 1/2.
    w2 = np.mean((np.sort(u) - np.sort(v)) ** 2)
    sliced = M.sliced_wasserstein(x, y)
    assert sliced == pytest.approx(w2 / 2, rel=0.25)
    assert M.sliced_wasserstein(x, y) == sliced


# ------------------------------------------------------------------------ mode coverage


def test_mode_layouts():
    ring = M.ring_modes()
    assert ring.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(ring, axis=1), 2.0)
    np.testing.assert_allclose(ring[0], [2.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ring[2], [0.0, 2.0], atol=1e-12)
    grid = M.grid_modes()
    assert grid.shape == (25, 2)
    assert {tuple(p) for p in grid} == set(product([-4.0, -2.0, 0.0, 2.0, 4.0], repeat=2))
    assert M.MODE_STD == 0.02


def test_mode_coverage_definitions():
    ring = M.ring_modes()
    full = M.mode_coverage(ring, ring)
    assert (full.modes_covered, full.n_modes, full.high_quality_fraction) == (8, 8, 1.0)
    assert full.counts == (1,) * 8

    rng = np.random.default_rng(10)
    three = np.repeat(ring[[0, 3, 5]], 100, axis=0) + rng.normal(scale=0.01, size=(300, 2))
    cov = M.mode_coverage(three, ring)
    assert cov.modes_covered == 3 and cov.high_quality_fraction == 1.0
    assert cov.counts == (100, 0, 0, 100, 0, 100, 0, 0)
    assert M.mode_coverage(three, ring, min_count=101).modes_covered == 0

    far = M.mode_coverage(np.zeros((50, 2)), ring)  # the centre: 2 away from every mode
    assert (far.modes_covered, far.high_quality_fraction) == (0, 0.0)

    # The 3·std boundary, and what the grid modes give.
    edge = np.array([[2.0 + 2.9 * M.MODE_STD, 0.0], [2.0 + 3.1 * M.MODE_STD, 0.0]])
    assert M.mode_coverage(edge, ring).high_quality_fraction == 0.5
    grid = M.grid_modes()
    assert M.mode_coverage(grid + 0.01, grid).modes_covered == 25
    with pytest.raises(AttributeError):
        full.modes_covered = 0  # frozen
