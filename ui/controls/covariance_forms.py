"""A 2x2 covariance written two ways: (σx, σy, ρ), always valid, or the full matrix.

σ and ρ are what a person thinks in ("spread along x, along y, and how tied they are"),
and any σx, σy ≥ 0 with -1 ≤ ρ ≤ 1 is a valid covariance; the matrix is what the
engine stores. Conversions round to 12 significant digits so that a round trip does
not leave float noise in the URL.
"""

from __future__ import annotations

import math

Matrix = tuple[tuple[float, float], tuple[float, float]]


def _clean(value: float) -> float:
    return float(f"{value:.12g}")


def from_sigmas(sigma_x: float, sigma_y: float, rho: float) -> Matrix:
    """[[σx², ρσxσy], [ρσxσy, σy²]]."""
    off = _clean(rho * sigma_x * sigma_y)
    return ((_clean(sigma_x**2), off), (off, _clean(sigma_y**2)))


def to_sigmas(cov: Matrix) -> tuple[float, float, float]:
    """(σx, σy, ρ) of a valid covariance; ρ is 0 when either axis has no spread."""
    (a, b), (_, d) = cov
    sigma_x, sigma_y = math.sqrt(max(a, 0.0)), math.sqrt(max(d, 0.0))
    if sigma_x * sigma_y <= 0:
        return _clean(sigma_x), _clean(sigma_y), 0.0
    rho = min(1.0, max(-1.0, b / (sigma_x * sigma_y)))
    return _clean(sigma_x), _clean(sigma_y), _clean(rho)
