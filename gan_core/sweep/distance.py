"""The final distance of every run in a stack to the target, measured for all runs at once.

Exact when the config allows it (`has_exact_metrics`: affine G, Gaussian noise, Gaussian
target): G's output is then exactly N(b, σ²·WᵀW) and the squared Fréchet (2-Wasserstein)
distance to the target has a closed form. Otherwise the distance is the squared sliced
2-Wasserstein distance between 2,000 generator samples and 2,000 target samples — sample
based, but unlike a Fréchet distance of fitted Gaussians it sees mode collapse on the ring
and grid targets. Its definition is `metrics.sliced_wasserstein`'s, computed here for a
whole stack in a few batched tensor operations (a per-run loop costs ~30 ms a run).

Both are measured on the generator shown (the moving average when EMA is on), as the
dashboard does, so a sweep cell and the dashboard agree on what "distance" means.
"""

from __future__ import annotations

import numpy as np
import torch

from gan_core import metrics
from gan_core.targets import sample_target, target_moments
from gan_core.training.engine import StackedGAN
from gan_core.training.models import noise_variance

SAMPLE_COUNT = 2000
PROJECTIONS = 128
EVAL_SEED = 2_000_003  # fixed: every run is compared with the same target sample
_CHUNK_BYTES = 64 * 2**20

METRIC_LABELS = {
    "frechet": "squared Fréchet distance (exact, closed form)",
    "sliced_wasserstein": (
        f"squared sliced Wasserstein distance ({SAMPLE_COUNT:,} generator vs "
        f"{SAMPLE_COUNT:,} target samples, {PROJECTIONS} directions)"
    ),
}


def distance_metric(config) -> str:
    return "frechet" if config.has_exact_metrics else "sliced_wasserstein"


@torch.no_grad()
def final_distances(engine: StackedGAN) -> np.ndarray:
    """(R,) distance of each run's generator to the target; NaN where it cannot be computed."""
    if distance_metric(engine.config) == "frechet":
        return exact_frechet(engine)
    rng = torch.Generator().manual_seed(EVAL_SEED)
    real = sample_target(engine.config.target, SAMPLE_COUNT, rng)
    fake = engine.generator(engine.noise(SAMPLE_COUNT, rng))
    return stacked_sliced_wasserstein(fake, real, PROJECTIONS)


def exact_frechet(engine: StackedGAN) -> np.ndarray:
    weight, bias = engine.generator.layers[0]  # x = z @ W + b: W (R, k, 2), b (R, 1, 2)
    weight = weight.double().numpy()
    bias = bias[:, 0].double().numpy()
    target_mean, target_cov = target_moments(engine.config.target)
    variance = noise_variance(engine.config)
    out = np.full(engine.runs, np.nan)
    for r in range(engine.runs):
        if np.isfinite(weight[r]).all() and np.isfinite(bias[r]).all():
            mean, cov = metrics.affine_output_moments(weight[r].T, bias[r], variance)
            out[r] = metrics.frechet_gaussian(mean, cov, target_mean, target_cov)
    return out


def stacked_sliced_wasserstein(
    fake: torch.Tensor, real: torch.Tensor, n_projections: int = PROJECTIONS, seed: int = 0
) -> np.ndarray:
    """`metrics.sliced_wasserstein(fake[r], real, n_projections, seed)` for every run r.

    fake (R, n, 2), real (m, 2). Same fan of directions, same exact integral of the squared
    quantile difference over the union of the two step grids, in float64.
    """
    fake, real = fake.double(), real.double()
    runs, n, _ = fake.shape
    m = real.shape[0]
    offset = np.random.default_rng(seed).uniform(0.0, 1.0)
    angles = (offset + np.arange(n_projections)) * (np.pi / n_projections)
    dirs = torch.as_tensor(np.stack([np.cos(angles), np.sin(angles)]))  # (2, P)

    steps = np.unique(np.concatenate([np.arange(1, n + 1) / n, np.arange(1, m + 1) / m]))
    widths = np.diff(steps, prepend=0.0)
    mid = steps - widths / 2  # strictly inside each step, so floor() picks the right sample
    ix = torch.as_tensor(np.minimum((mid * n).astype(np.int64), n - 1))
    iy = torch.as_tensor(np.minimum((mid * m).astype(np.int64), m - 1))
    widths = torch.as_tensor(widths)

    real_q = (real @ dirs).sort(dim=0).values[iy]  # (L, P): the target's quantiles
    block = max(1, _CHUNK_BYTES // (8 * 3 * (n + len(steps)) * n_projections))
    out = torch.empty(runs, dtype=torch.float64)
    for start in range(0, runs, block):
        fake_q = (fake[start : start + block] @ dirs).sort(dim=1).values[:, ix]  # (B, L, P)
        squared = (fake_q - real_q).pow(2)
        out[start : start + block] = torch.einsum("l,blp->b", widths, squared) / n_projections
    return out.numpy()
