"""The final distance of every run in a stack to the target, measured for all runs at once.

Exact when the config allows it (`has_exact_metrics`: affine G, Gaussian noise, Gaussian
target): G's output is then exactly N(b, σ²·WᵀW) and the squared Fréchet (2-Wasserstein)
distance to the target has a closed form. Otherwise the distance is the squared sliced
2-Wasserstein distance between 2,000 generator samples and 2,000 target samples — sample
based, but unlike a Fréchet distance of fitted Gaussians it sees mode collapse on the ring
and grid targets. It is `metrics.stacked_sliced_wasserstein`: `metrics.sliced_wasserstein`
for a whole stack in a few batched tensor operations (a per-run loop costs ~30 ms a run).

Both are measured on the generator shown (the moving average when EMA is on), as the
dashboard does, so a sweep cell and the dashboard agree on what "distance" means.
"""

from __future__ import annotations

import numpy as np
import torch

from gan_core import metrics
from gan_core.config import GanConfig
from gan_core.i18n import N_, _
from gan_core.targets import sample_target, target_moments
from gan_core.training.engine import StackedGAN
from gan_core.training.models import noise_variance

SAMPLE_COUNT = 2000
PROJECTIONS = 128
EVAL_SEED = 2_000_003  # fixed: every run is compared with the same target sample

_METRIC_TEMPLATES = {
    "frechet": N_("squared Fréchet distance (exact, closed form)"),
    "sliced_wasserstein": N_(
        "squared sliced Wasserstein distance ({samples} generator vs {samples} target samples, "
        "{directions} directions)"
    ),
}
_METRIC_VALUES = {"samples": f"{SAMPLE_COUNT:,}", "directions": PROJECTIONS}
# In English, for code and files that keep the label (pages show `metric_label`).
METRIC_LABELS = {k: v.format(**_METRIC_VALUES) for k, v in _METRIC_TEMPLATES.items()}


def metric_label(metric: str) -> str:
    """The distance `metric` is, in the reader's language."""
    return _(_METRIC_TEMPLATES[metric]).format(**_METRIC_VALUES)


def distance_metric(config: GanConfig) -> str:
    return "frechet" if config.has_exact_metrics else "sliced_wasserstein"


@torch.no_grad()
def final_distances(engine: StackedGAN) -> np.ndarray:
    """(R,) distance of each run's generator to the target; NaN where it cannot be computed."""
    if distance_metric(engine.config) == "frechet":
        return exact_frechet(engine)
    rng = torch.Generator().manual_seed(EVAL_SEED)
    real = sample_target(engine.config.target, SAMPLE_COUNT, rng)
    fake = engine.generator(engine.noise(SAMPLE_COUNT, rng))
    return metrics.stacked_sliced_wasserstein(fake, real, PROJECTIONS)


def exact_frechet(engine: StackedGAN) -> np.ndarray:
    weight_view, bias_view = engine.generator.layers[0]  # x = z @ W + b: W (R, k, 2), b (R, 1, 2)
    weight = weight_view.double().numpy()
    bias = bias_view[:, 0].double().numpy()
    target_mean, target_cov = target_moments(engine.config.target)
    variance = noise_variance(engine.config)
    out = np.full(engine.runs, np.nan)
    for r in range(engine.runs):
        if np.isfinite(weight[r]).all() and np.isfinite(bias[r]).all():
            mean, cov = metrics.affine_output_moments(weight[r].T, bias[r], variance)
            out[r] = metrics.frechet_gaussian(mean, cov, target_mean, target_cov)
    return out
