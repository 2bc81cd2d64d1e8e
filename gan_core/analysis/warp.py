"""G's warp of the noise: a square grid of lines in noise space, to be pushed through G.

GAN Lab's manifold view: G maps the noise plane onto the data plane, and the images of
straight grid lines show how it stretches, turns and (for a multilayer G) folds that
plane. An affine G maps the grid to a parallelogram grid; a fold shows as lines crossing.

The grid spans ±2σ of the noise on the first two noise coordinates (the uniform noise's
whole support, ±1, for U(−1, 1)); any further noise coordinates are held at 0, so for a
noise of more than two dimensions this is one flat slice of what G sees. With a single
noise coordinate the "grid" is one line.
"""

from __future__ import annotations

import numpy as np

LINES = 9  # lines in each direction
POINTS_PER_LINE = 41  # enough for a bent line to look smooth
SPAN_SIGMAS = 2.0


def noise_span(noise: str) -> float:
    """Half the width of the grid: 2σ of N(0, 1), or the support of U(−1, 1)."""
    return SPAN_SIGMAS if noise == "normal" else 1.0


def noise_grid(
    noise_dim: int, span: float, lines: int = LINES, points: int = POINTS_PER_LINE
) -> np.ndarray:
    """Grid lines in noise space, (n_lines, points, noise_dim).

    With two or more noise coordinates: `lines` lines along z₁ (z₂ fixed at each of
    `lines` levels), then `lines` along z₂; with one, the single line along z₁. Every
    coordinate after the second is 0.
    """
    if noise_dim < 1:
        raise ValueError(f"noise_dim {noise_dim} is not allowed: at least 1")
    along = np.linspace(-span, span, points)
    if noise_dim == 1:
        return along.reshape(1, points, 1)
    levels = np.linspace(-span, span, lines)
    grid = np.zeros((2 * lines, points, noise_dim))
    grid[:lines, :, 0] = along  # lines along z₁, one per level of z₂
    grid[:lines, :, 1] = levels[:, None]
    grid[lines:, :, 0] = levels[:, None]  # lines along z₂, one per level of z₁
    grid[lines:, :, 1] = along
    return grid
