"""The n-σ ellipse of a 2-D Gaussian: the points where (x−μ)ᵀ Σ⁻¹ (x−μ) = n².

Built from the eigen-decomposition rather than from Σ⁻¹, so a singular covariance (a
generator collapsed onto a line or a point) gives the segment or point it really is,
instead of an error or a blow-up.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike


def covariance_ellipse(
    mean: ArrayLike, cov: ArrayLike, n_sigma: float, n: int = 120
) -> tuple[np.ndarray, np.ndarray]:
    """x and y coordinates of a closed curve of n points (first point repeated last).

    Axis k of the ellipse runs along eigenvector k with half-length n_sigma·√λₖ. A zero
    eigenvalue flattens the ellipse onto a segment traced there and back. Non-finite input
    (a diverged run) gives empty arrays, which plot as nothing.
    """
    mean = np.asarray(mean, dtype=float).reshape(2)
    cov = np.asarray(cov, dtype=float).reshape(2, 2)
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(cov))):
        return np.empty(0), np.empty(0)
    # Symmetrise: a fitted covariance can carry round-off asymmetry that eigh would ignore.
    eigenvalues, vectors = np.linalg.eigh(0.5 * (cov + cov.T))
    radii = n_sigma * np.sqrt(np.clip(eigenvalues, 0.0, None))  # tiny negatives are round-off
    points = mean + (_unit_circle(n) * radii) @ vectors.T
    return points[:, 0], points[:, 1]


@lru_cache(maxsize=8)
def _unit_circle(n: int) -> np.ndarray:
    """n points (n, 2) round the unit circle, the first repeated last: the same few counts
    every frame, so computed once each (read-only: shared by every caller)."""
    angle = np.linspace(0.0, 2.0 * np.pi, n)
    unit = np.stack((np.cos(angle), np.sin(angle)), axis=1)
    unit.flags.writeable = False
    return unit
