"""Target distributions: sampling them, and their exact first two moments.

Ring and grid are the mixtures used to measure mode collapse in VEEGAN and PacGAN:
8 modes on a circle of radius 2, and 25 modes on {-4, -2, 0, 2, 4}², each an isotropic
Gaussian with standard deviation `MODE_STD`.
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike

from gan_core.config import Target
from gan_core.metrics import MODE_STD, grid_modes, ring_modes


def mixture_modes(target: Target) -> np.ndarray | None:
    """The mode centres of a mixture target, or None for other kinds."""
    if target.kind == "ring":
        return ring_modes()
    if target.kind == "grid":
        return grid_modes()
    return None


def _mixture_centres(target: Target) -> np.ndarray:
    """The mode centres of a target the caller knows to be a mixture (ring or grid)."""
    modes = mixture_modes(target)
    if modes is None:
        raise ValueError(f"target kind {target.kind!r} is not a mixture (ring or grid)")
    return modes


def covariance_factor(cov: ArrayLike) -> np.ndarray:
    """A matrix F with Fᵀ·F = cov (symmetric square root), valid for singular covariances too."""
    eigenvalues, vectors = np.linalg.eigh(np.asarray(cov, dtype=float))
    return (vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ vectors.T


def sample_target(target: Target, n: int, generator: torch.Generator) -> torch.Tensor:
    """n samples as a float32 (n, 2) tensor, drawn from `generator` only (deterministic)."""
    if target.kind == "gaussian":
        factor = torch.as_tensor(covariance_factor(target.cov), dtype=torch.float32)
        mean = torch.as_tensor(target.mean, dtype=torch.float32)
        return torch.randn(n, 2, generator=generator) @ factor + mean
    if target.kind == "points":
        return torch.as_tensor(np.array(target.points), dtype=torch.float32)
    modes = torch.as_tensor(_mixture_centres(target), dtype=torch.float32)
    which = torch.randint(len(modes), (n,), generator=generator)
    return modes[which] + MODE_STD * torch.randn(n, 2, generator=generator)


def target_moments(target: Target) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the target distribution itself (not of a finite sample).

    For a `points` target the data set is the distribution, so its (biased) sample moments
    are exact.
    """
    if target.kind == "gaussian":
        return np.array(target.mean), np.array(target.cov)
    if target.kind == "points":
        data = np.array(target.points)
        return data.mean(axis=0), np.cov(data, rowvar=False, bias=True)
    modes = _mixture_centres(target)
    # Law of total covariance: spread of the mode centres plus each mode's own variance.
    return modes.mean(axis=0), np.cov(modes, rowvar=False, bias=True) + MODE_STD**2 * np.eye(2)


def plot_bounds(target: Target, margin: float = 0.15) -> tuple[float, float, float, float]:
    """Fixed axes (x0, x1, y0, y1) that hold the target with room around it.

    Fixed per target so that points don't jump around as frames arrive.
    """
    if target.kind == "gaussian":
        mean, cov = np.array(target.mean), np.array(target.cov)
        half = 3.5 * np.sqrt(np.maximum(np.diag(cov), 1e-6))
        half = np.maximum(half, 0.5)  # a degenerate axis still gets a visible width
        low, high = mean - half, mean + half
    else:
        points = _mixture_centres(target) if target.kind != "points" else np.array(target.points)
        low, high = points.min(axis=0), points.max(axis=0)
        pad = np.maximum((high - low) * margin, 0.5)
        low, high = low - pad, high + pad
    return float(low[0]), float(high[0]), float(low[1]), float(high[1])
