"""The best discriminator D* for the current G: D*(x) = p_data(x) / (p_data(x) + p_G(x)).

For a fixed G, the D that maximises the GAN's value V(D, G) is this ratio at every point
(Goodfellow et al., 2014). It is known exactly when both densities are: a Gaussian target
and an affine G of Gaussian noise, whose output is N(c, WᵀW). Elsewhere (a mixture or
point-cloud target, a multilayer G) p_G has no closed form and D* is left out.

The live view draws D*'s 0.5 contour, the boundary the best possible D would draw, over
D's own heatmap: how far D is from that boundary is how far D is from the best it could be.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from gan_core.analysis.gaussian import Gaussian
from gan_core.i18n import N_

# Made in the worker, so in English; marked here and translated where shown (`_(note)`).
NOT_GAUSSIAN_NOTE = N_(
    "D* is drawn only for a Gaussian target and an affine G of Gaussian noise, "
    "where both densities are known exactly"
)
G_ON_A_LINE_NOTE = N_(
    "G's points lie on a line (its noise is one-dimensional), so p_G is 0 off that line "
    "and D* = 1 everywhere else: there is no 0.5 boundary to draw"
)
TARGET_ON_A_LINE_NOTE = N_(
    "the target lies on a line, so p_data is 0 off it and D* = 0 everywhere else: "
    "there is no 0.5 boundary to draw"
)
BOTH_ON_LINES_NOTE = N_("the target and G both lie on lines: D* is not drawn")


@dataclass(frozen=True)
class OptimalField:
    """D* on a grid (values[i, j] at (xs[j], ys[i]), like D's own field), or why not."""

    values: np.ndarray | None
    note: str = ""  # why D* is left out, or what it means when it has no 0.5 boundary
    xs: np.ndarray | None = None  # the grid's axes, when not D's own (see optimal_field)
    ys: np.ndarray | None = None


def optimal_discriminator(
    points: np.ndarray,
    data_mean: ArrayLike,
    data_cov: ArrayLike,
    gen_mean: ArrayLike,
    gen_cov: ArrayLike,
) -> np.ndarray:
    """D*(x) at (..., 2) points for a Gaussian target and a Gaussian G, in [0, 1].

    Computed from the log densities, D* = sigmoid(ln p_data − ln p_G), so it stays exact
    far in the tails where both densities underflow. A G on a line (singular covariance)
    has no density in the plane: D* = 1 off the line; a target on a line gives D* = 0.
    Both on lines: NaN.
    """
    data, gen = Gaussian.of(data_mean, data_cov), Gaussian.of(gen_mean, gen_cov)
    shape = np.shape(points)[:-1]
    if data.singular and gen.singular:
        return np.full(shape, np.nan)
    if gen.singular:
        return np.ones(shape)
    if data.singular:
        return np.zeros(shape)
    logit = data.log_density(np.asarray(points, dtype=float)) - gen.log_density(points)
    return 0.5 * (1.0 + np.tanh(0.5 * logit))  # sigmoid, without overflow in exp


def optimal_field(
    xs: np.ndarray,
    ys: np.ndarray,
    data_mean: ArrayLike,
    data_cov: ArrayLike,
    gen_mean: ArrayLike,
    gen_cov: ArrayLike,
) -> OptimalField:
    """D* on the grid xs × ys (the grid of D's own field), with a note where it has no
    0.5 boundary."""
    data, gen = Gaussian.of(data_mean, data_cov), Gaussian.of(gen_mean, gen_cov)
    if data.singular and gen.singular:
        return OptimalField(None, BOTH_ON_LINES_NOTE)
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    local = None if gen.singular else _around_a_narrow_generator(xs, ys, gen_mean, gen_cov)
    if local is not None:
        xs, ys = local
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    values = optimal_discriminator(grid, data_mean, data_cov, gen_mean, gen_cov)
    if gen.singular:
        return OptimalField(values, G_ON_A_LINE_NOTE)
    if data.singular:
        return OptimalField(values, TARGET_ON_A_LINE_NOTE)
    return OptimalField(values, xs=xs if local else None, ys=ys if local else None)


NARROW_CELLS = 2.0  # a G narrower than this many grid cells gets a grid of its own
LOCAL_SPREADS = 5.0  # that grid spans G's mean ± this many of G's largest σ


def _around_a_narrow_generator(
    xs: np.ndarray, ys: np.ndarray, gen_mean: ArrayLike, gen_cov: ArrayLike
) -> tuple[np.ndarray, np.ndarray] | None:
    """A grid of the same size centred on G, when G is so narrow (early in a run) that its
    D* = 1/2 line, a small closed curve round it, would fall between D's grid points."""
    if len(xs) < 2 or len(ys) < 2:
        return None
    cell = min(abs(xs[1] - xs[0]), abs(ys[1] - ys[0]))
    spreads = np.sqrt(np.clip(np.linalg.eigvalsh(np.asarray(gen_cov, dtype=float)), 0.0, None))
    if not np.all(np.isfinite(spreads)) or spreads.min() >= NARROW_CELLS * cell:
        return None
    half = LOCAL_SPREADS * float(spreads.max())
    mean = np.asarray(gen_mean, dtype=float)
    return (
        np.linspace(mean[0] - half, mean[0] + half, len(xs)),
        np.linspace(mean[1] - half, mean[1] + half, len(ys)),
    )
