"""A 2-D Gaussian by its eigendecomposition: log density, whitening, and whether it is singular.

The eigendecomposition rather than a Cholesky factor: it exists for every covariance a GAN
can reach (also a rank-1 one, when the noise is one-dimensional), and the log density of
a thin but non-singular ellipse stays accurate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

SINGULAR_RTOL = 1e-12  # smallest eigenvalue at most this × the largest: a line, not an ellipse


@dataclass(frozen=True)
class Gaussian:
    mean: np.ndarray  # (2,)
    eigenvalues: np.ndarray  # (2,) ascending, clipped at 0
    eigenvectors: np.ndarray  # (2, 2), one per column

    @classmethod
    def of(cls, mean: ArrayLike, cov: ArrayLike) -> Gaussian:
        mean = np.asarray(mean, dtype=np.float64).reshape(2)
        cov = np.asarray(cov, dtype=np.float64).reshape(2, 2)
        if not (np.isfinite(mean).all() and np.isfinite(cov).all()):
            raise ValueError("a Gaussian's mean and covariance must be finite")
        values, vectors = np.linalg.eigh((cov + cov.T) / 2)  # symmetric up to round-off
        return cls(mean, np.clip(values, 0.0, None), vectors)

    @property
    def singular(self) -> bool:
        """All its mass on a line (or a point): it has no density in the plane."""
        return bool(self.eigenvalues[0] <= SINGULAR_RTOL * self.eigenvalues[1])

    @property
    def factor(self) -> np.ndarray:
        """F (2, 2) with x = mean + u @ F for u ~ N(0, I): the inverse of whitening."""
        return (self.eigenvectors * np.sqrt(self.eigenvalues)).T

    def log_density(self, points: np.ndarray) -> np.ndarray:
        """ln N(x; mean, cov) at (..., 2) points; only for a non-singular Gaussian."""
        rotated = (points - self.mean) @ self.eigenvectors  # coordinates along the axes
        mahalanobis = (rotated**2 / self.eigenvalues).sum(axis=-1)
        return -0.5 * mahalanobis - self.log_normaliser

    @property
    def log_normaliser(self) -> float:
        """ln(2π √det Σ): the log density is −½·(Mahalanobis²) minus this."""
        return math.log(2 * math.pi) + 0.5 * float(np.log(self.eigenvalues).sum())

    def same_as(self, other: Gaussian) -> bool:
        cov = (self.eigenvectors * self.eigenvalues) @ self.eigenvectors.T
        other_cov = (other.eigenvectors * other.eigenvalues) @ other.eigenvectors.T
        return bool(np.allclose(self.mean, other.mean) and np.allclose(cov, other_cov))
