"""Distances between what the generator makes and the target.

The tutorial generator is affine and its noise is Gaussian, so its output is exactly Gaussian:
for a Gaussian target the distance can be computed in closed form at every step, with no
sampling (``affine_output_moments`` + ``frechet_gaussian`` / ``kl_gaussian``). The sample-based
metrics (sliced Wasserstein, energy distance, mode coverage) are for targets or generators
where no closed form exists, e.g. the ring and grid mixtures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

import numpy as np
import torch
from numpy.typing import ArrayLike

MODE_STD = 0.02  # std of each mixture component in the ring / grid benchmarks
# Subsample sizes that bound the sample-based distances' cost at any allowed sample count
# (see `sliced_wasserstein` and `energy_distance`).
SLICED_MAX_SAMPLES = 5000
ENERGY_MAX_SAMPLES = 2000
_CHUNK_BYTES = 32 * 2**20  # working-memory budget for the pairwise / projection loops
_SINGULAR_RTOL = 1e-12

Data = ArrayLike | torch.Tensor  # numpy arrays, lists, or torch tensors (even ones with grad)


def _np(x: Data) -> np.ndarray:
    """Accept numpy arrays, lists or torch tensors (even ones that require grad)."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def _gaussian(mu: Data, cov: Data) -> tuple[np.ndarray, np.ndarray]:
    mu, cov = _np(mu).reshape(2), _np(cov).reshape(2, 2)
    # Symmetrise: covariances built from products like W @ W.T can be off by round-off.
    return mu, (cov + cov.T) / 2


def _samples(x: Data) -> np.ndarray:
    x = _np(x)
    if x.ndim != 2 or x.shape[1] != 2 or len(x) == 0:
        raise ValueError(f"expected a non-empty (n, 2) array, got shape {x.shape}")
    return x


def _is_singular(cov: np.ndarray) -> bool:
    # Relative test, so that a uniformly tiny (but well-shaped) covariance is not "singular".
    eig = np.linalg.eigvalsh(cov)
    return eig[0] <= _SINGULAR_RTOL * max(eig[-1], 0.0)


def affine_output_moments(
    weight: Data, bias: Data | None, noise_var: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of ``x = z @ weight.T + bias`` with ``Cov(z) = noise_var * I_k``.

    ``weight`` has nn.Linear's shape (2, k); ``bias`` may be None (nn.Linear(bias=False)).
    The result holds for any noise with that covariance and zero mean, not only Gaussian noise,
    but it is the whole distribution only when z is Gaussian.
    """
    w = _np(weight)
    if w.ndim != 2 or w.shape[0] != 2:
        raise ValueError(f"weight must have shape (2, k), got {w.shape}")
    mean = np.zeros(2) if bias is None else _np(bias).reshape(2).copy()
    cov = float(noise_var) * (w @ w.T)
    return mean, (cov + cov.T) / 2


def frechet_gaussian(mu1: Data, cov1: Data, mu2: Data, cov2: Data) -> float:
    """Squared 2-Wasserstein (Fréchet) distance between two 2-D Gaussians.

    W2² = ‖μ₁−μ₂‖² + tr(Σ₁+Σ₂) − 2·tr((Σ₁^½ Σ₂ Σ₁^½)^½).

    In 2-D no matrix square root is needed. M = Σ₁^½ Σ₂ Σ₁^½ is PSD with eigenvalues λ₁, λ₂ ≥ 0,
    so tr(M^½) = √λ₁ + √λ₂ and (√λ₁ + √λ₂)² = tr M + 2√det M, where tr M = tr(Σ₁Σ₂) (cyclic
    trace) and det M = det Σ₁ · det Σ₂. This holds for singular (rank-deficient) covariances
    too: their determinant is 0, which is clamped so round-off can't make it negative.
    """
    mu1, cov1 = _gaussian(mu1, cov1)
    mu2, cov2 = _gaussian(mu2, cov2)
    det = max(np.linalg.det(cov1), 0.0) * max(np.linalg.det(cov2), 0.0)
    tr_sqrt = math.sqrt(max(np.trace(cov1 @ cov2) + 2.0 * math.sqrt(det), 0.0))
    diff = mu1 - mu2
    d2 = float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2.0 * tr_sqrt)
    return max(d2, 0.0)  # the exact value is >= 0; only cancellation can push it below


def kl_gaussian(mu1: Data, cov1: Data, mu2: Data, cov2: Data) -> float:
    """KL(N(μ₁,Σ₁) ‖ N(μ₂,Σ₂)) in nats, for 2-D Gaussians.

    KL = ½ [tr(Σ₂⁻¹Σ₁) + (μ₂−μ₁)ᵀΣ₂⁻¹(μ₂−μ₁) − 2 + ln(det Σ₂ / det Σ₁)].

    Convention for degenerate Gaussians (smallest eigenvalue ≤ 1e-12 × largest): the result is
    ``math.inf`` whenever either covariance is singular, except that it is 0 when both
    distributions are identical. If only Σ₂ is singular, N₁ puts mass where N₂ has none; if only
    Σ₁ is, N₁ lives on a line of N₂-measure zero: KL is truly infinite in both cases. (Two
    degenerate Gaussians on the same line can have a finite KL; we don't resolve that case.)
    """
    mu1, cov1 = _gaussian(mu1, cov1)
    mu2, cov2 = _gaussian(mu2, cov2)
    if _is_singular(cov1) or _is_singular(cov2):
        same = np.array_equal(mu1, mu2) and np.array_equal(cov1, cov2)
        return 0.0 if same else math.inf
    diff = mu2 - mu1
    # solve() rather than inv(): better accuracy for the thin ellipses GANs produce.
    trace_term = np.trace(np.linalg.solve(cov2, cov1))
    maha = diff @ np.linalg.solve(cov2, diff)
    logdet = np.linalg.slogdet(cov2)[1] - np.linalg.slogdet(cov1)[1]
    return max(float(0.5 * (trace_term + maha - 2.0 + logdet)), 0.0)


def gaussian_fit(samples: Data) -> tuple[np.ndarray, np.ndarray]:
    """Sample mean and unbiased (n−1) covariance of an (n, 2) array."""
    x = _samples(samples)
    if len(x) < 2:
        raise ValueError("need at least 2 samples to estimate a covariance")
    return x.mean(axis=0), np.cov(x, rowvar=False, ddof=1)


def gaussian_metrics(
    gen_mean: Data, gen_cov: Data, target_mean: Data, target_cov: Data
) -> dict[str, float]:
    """All closed-form distances between the generator's Gaussian and the target's."""
    gm, gc = _gaussian(gen_mean, gen_cov)
    tm, tc = _gaussian(target_mean, target_cov)
    return {
        "frechet": frechet_gaussian(gm, gc, tm, tc),
        "kl_gen_target": kl_gaussian(gm, gc, tm, tc),
        "kl_target_gen": kl_gaussian(tm, tc, gm, gc),
        "mean_error": float(np.linalg.norm(gm - tm)),
        "cov_error": float(np.linalg.norm(gc - tc, ord="fro")),
    }


def _subsample(
    x: np.ndarray, y: np.ndarray, limit: int | None, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """At most `limit` points of each sample, drawn without replacement from `rng`.

    A sample within the limit is kept whole and draws nothing, so small inputs give the
    exact value of the metric on all their points.
    """
    if limit is None:
        return x, y
    if len(x) > limit:
        x = x[rng.choice(len(x), limit, replace=False)]
    if len(y) > limit:
        y = y[rng.choice(len(y), limit, replace=False)]
    return x, y


def sliced_wasserstein(
    x: Data,
    y: Data,
    n_projections: int = 256,
    seed: int = 0,
    max_samples: int | None = SLICED_MAX_SAMPLES,
) -> float:
    """Sliced squared 2-Wasserstein distance between two 2-D samples.

    SW² = mean over directions θ of W2²(θ·X, θ·Y), where for 1-D empirical distributions
    W2² = ∫₀¹ (F_X⁻¹(t) − F_Y⁻¹(t))² dt. The empirical quantile functions are step functions
    with steps at multiples of 1/n and 1/m, so the integral is computed exactly on the union of
    those grids: for n = m it is the mean squared difference of the sorted projections.

    Directions are an evenly spaced fan of ``n_projections`` angles over [0, π) (θ and −θ give the
    same value) rotated by a random offset drawn from ``seed``: deterministic, and far less
    noisy than independent random directions.

    Bounded cost: a sample of more than ``max_samples`` points (default
    ``SLICED_MAX_SAMPLES`` = 5,000) is replaced by a fixed subsample of that many, drawn
    without replacement from ``seed`` (the same points on every call), so the cost stays
    a few tens of milliseconds at any allowed size. ``max_samples=None`` uses every point.
    """
    x, y = _samples(x), _samples(y)
    rng = np.random.default_rng(seed)
    offset = rng.uniform(0.0, 1.0)
    x, y = _subsample(x, y, max_samples, rng)
    return float(_stacked_sliced_wasserstein(x[None], y, n_projections, offset)[0])


def stacked_sliced_wasserstein(
    x: Data,
    y: Data,
    n_projections: int = 256,
    seed: int = 0,
) -> np.ndarray:
    """``sliced_wasserstein(x[r], y, n_projections, seed, max_samples=None)`` for every r.

    x (R, n, 2): R samples (a sweep's runs) measured against one sample y (m, 2), in a few
    batched array operations rather than a loop over r. Returns (R,) float64.
    """
    stack = _np(x)
    if stack.ndim != 3 or stack.shape[2] != 2 or 0 in stack.shape:
        raise ValueError(f"expected a non-empty (R, n, 2) array, got shape {stack.shape}")
    offset = np.random.default_rng(seed).uniform(0.0, 1.0)
    return _stacked_sliced_wasserstein(stack, _samples(y), n_projections, offset)


def _stacked_sliced_wasserstein(
    x: np.ndarray, y: np.ndarray, n_projections: int, offset: float
) -> np.ndarray:
    """The one computation behind both: R samples x (R, n, 2) against y (m, 2), in float64.

    Plain elementwise numpy throughout: numpy's sort is several times faster than torch's
    here, and these products are too small to gain from a BLAS call, whose thread pool
    only slows them down on a busy machine.
    """
    runs, n, _ = x.shape
    m = y.shape[0]
    angles = (offset + np.arange(n_projections)) * (np.pi / n_projections)
    cos, sin = np.cos(angles)[:, None], np.sin(angles)[:, None]  # (P, 1)

    steps = np.unique(np.concatenate([np.arange(1, n + 1) / n, np.arange(1, m + 1) / m]))
    widths = np.diff(steps, prepend=0.0)
    mid = steps - widths / 2  # strictly inside each step, so floor() picks the right sample
    ix = np.minimum((mid * n).astype(np.int64), n - 1)
    iy = np.minimum((mid * m).astype(np.int64), m - 1)
    grid = len(steps)

    # Blocks of directions, then of runs, keep the working memory within _CHUNK_BYTES:
    # a direction holds y's projections and quantiles, and per run x's.
    direction_block = int(min(n_projections, max(1, _CHUNK_BYTES // (8 * 3 * (m + grid)))))
    run_block = max(1, _CHUNK_BYTES // (8 * 3 * (n + grid) * direction_block))
    total = np.zeros(runs)
    for start in range(0, n_projections, direction_block):
        c, s = cos[start : start + direction_block], sin[start : start + direction_block]
        y_quantiles = np.sort(c * y[:, 0] + s * y[:, 1], axis=-1)[:, iy]  # (p, L)
        for first in range(0, runs, run_block):
            block = x[first : first + run_block, None]  # (B, 1, n, 2)
            projected = c * block[..., 0] + s * block[..., 1]  # (B, p, n)
            x_quantiles = np.sort(projected, axis=-1)[..., ix]  # (B, p, L)
            x_quantiles -= y_quantiles
            x_quantiles *= x_quantiles
            total[first : first + run_block] += np.einsum("bpl,l->b", x_quantiles, widths)
    return total / n_projections


def _mean_pairwise_distance(a: np.ndarray, b: np.ndarray) -> float:
    # Row blocks keep memory at a few (rows, m) float64 arrays, whatever n and m are.
    # sqrt of squares rather than np.hypot: several times faster, and these coordinates
    # (|x| ≤ 1e4 by the config's bounds) are nowhere near overflowing a square.
    rows = max(1, _CHUNK_BYTES // (8 * 3 * len(b)))
    total = 0.0
    for start in range(0, len(a), rows):
        blk = a[start : start + rows]
        dx = blk[:, 0, None] - b[None, :, 0]
        dy = blk[:, 1, None] - b[None, :, 1]
        dx *= dx
        dy *= dy
        dx += dy
        total += float(np.sqrt(dx, out=dx).sum())
    return total / (len(a) * len(b))


def energy_distance(
    x: Data,
    y: Data,
    max_samples: int | None = ENERGY_MAX_SAMPLES,
    seed: int = 0,
) -> float:
    """Energy distance 2E‖X−Y‖ − E‖X−X'‖ − E‖Y−Y'‖ between two (n, 2) / (m, 2) samples.

    V-statistic: every expectation is the plain average over all pairs, self-pairs included.
    That version is always ≥ 0 (it is a squared distance between the samples' embeddings) and,
    in 1-D, equals the square of ``scipy.stats.energy_distance``.

    Bounded cost: every pair is visited, so a sample of more than ``max_samples`` points
    (default ``ENERGY_MAX_SAMPLES`` = 2,000) is replaced by a fixed subsample of that many,
    drawn without replacement from ``seed`` (the same points on every call): at most 12
    million pairs, a small fraction of a second. Self-pairs bias the V-statistic up by
    about (E‖X−X'‖ + E‖Y−Y'‖) / 2,000 at that size. ``max_samples=None`` uses every point.
    """
    x, y = _samples(x), _samples(y)
    x, y = _subsample(x, y, max_samples, np.random.default_rng(seed))
    value = (
        2 * _mean_pairwise_distance(x, y)
        - _mean_pairwise_distance(x, x)
        - _mean_pairwise_distance(y, y)
    )
    return max(value, 0.0)


def ring_modes(n_modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """Means of the ring mixture: ``n_modes`` points evenly spaced on a circle, first at (r, 0)."""
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_modes() -> np.ndarray:
    """Means of the grid mixture: the 25 points of {-4, -2, 0, 2, 4}²."""
    return np.array(list(product(range(-4, 5, 2), repeat=2)), dtype=np.float64)


@dataclass(frozen=True)
class ModeCoverage:
    modes_covered: int
    n_modes: int
    high_quality_fraction: float
    counts: tuple[int, ...]  # high-quality samples per mode, in the order of ``modes``


def mode_coverage(
    samples: Data, modes: Data, std: float = MODE_STD, min_count: int = 1
) -> ModeCoverage:
    """Mode-collapse metrics of the VEEGAN / PacGAN mixture benchmarks.

    Each sample is assigned to its nearest mode (Euclidean). It is *high quality* if it lies
    within 3·std of that mode. A mode is *covered* if at least ``min_count`` high-quality
    samples are assigned to it. ``high_quality_fraction`` is high-quality samples / all samples.
    """
    x, modes = _samples(samples), _samples(modes)
    dist = np.hypot(x[:, 0, None] - modes[None, :, 0], x[:, 1, None] - modes[None, :, 1])
    nearest = dist.argmin(axis=1)
    good = dist[np.arange(len(x)), nearest] <= 3 * std
    counts = np.bincount(nearest[good], minlength=len(modes))
    return ModeCoverage(
        modes_covered=int((counts >= min_count).sum()),
        n_modes=len(modes),
        high_quality_fraction=float(good.mean()),
        counts=tuple(int(c) for c in counts),
    )
