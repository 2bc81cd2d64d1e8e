"""The plane's theory layers: G's warp of its noise grid, and the best discriminator D*'s
0.5 line.

Both come precomputed in the snapshot (the worker maps the grid through G and evaluates
D* on D's own field grid); here they only become traces. Like every overlay on the plane
they are WebGL lines, each drawn as one trace with gaps, so they stay above the heatmap.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from gan_core.figures import style
from gan_core.i18n import _
from gan_core.training.snapshot import Snapshot

THEORY_LAYERS = frozenset({"warp", "optimal"})
WARP_COLOURS = (style.G_COLOUR, "#7A3F66")  # lines along z₁, then along z₂: a lighter and a darker
OPTIMAL_COLOUR = style.D_COLOUR
CONTOUR_LEVEL = 0.5


def under_points(snapshot: Snapshot, layers: Iterable[str]) -> list[dict[str, Any]]:
    """Layers drawn beneath the points: G's warp of the noise grid."""
    if "warp" not in layers or snapshot.warp_lines is None:
        return []
    return warp_traces(snapshot.warp_lines)


def over_points(snapshot: Snapshot, layers: Iterable[str]) -> list[dict[str, Any]]:
    """Layers drawn above the points: D*'s 0.5 line, the boundary D would draw at its best."""
    if "optimal" not in layers or snapshot.optimal_values is None:
        return []
    xs = snapshot.optimal_x if snapshot.optimal_x is not None else snapshot.field_x
    ys = snapshot.optimal_y if snapshot.optimal_y is not None else snapshot.field_y
    assert xs is not None and ys is not None  # D*'s grid is D's, unless it has its own
    # Traced on D*'s log-odds, log p_data − log p_G: a quadratic in x (two Gaussians), so a
    # straight line between grid points follows it closely, where D* itself, a steep
    # sigmoid of it, would put the line a grid cell off. D* = 1/2 is log-odds 0.
    share = np.clip(np.asarray(snapshot.optimal_values, dtype=float), 1e-12, 1 - 1e-12)
    log_odds = np.log(share) - np.log1p(-share)
    level = float(np.log(CONTOUR_LEVEL) - np.log1p(-CONTOUR_LEVEL))
    segments = contour_segments(xs, ys, log_odds, level)
    if not len(segments):
        return []  # D* has no 0.5 line in view
    return [
        style.polylines_trace(
            segments, _("best D* = 0.5"), dict(color=OPTIMAL_COLOUR, width=3.5, dash="dash")
        )
    ]


def warp_traces(lines: np.ndarray) -> list[dict[str, Any]]:
    """The mapped grid lines: one trace along z₁ and one along z₂, one legend entry."""
    lines = np.asarray(lines, dtype=float)
    half = len(lines) // 2 if len(lines) > 1 else len(lines)
    traces = []
    for part, (group, colour) in enumerate(zip((lines[:half], lines[half:]), WARP_COLOURS)):
        if not len(group):
            continue
        trace = style.polylines_trace(
            group, _("G's warp of the noise grid"), dict(color=colour, width=1.5)
        )
        trace.update(opacity=0.8, legendgroup="warp", showlegend=part == 0)
        traces.append(trace)
    return traces


def contour_segments(
    xs: np.ndarray, ys: np.ndarray, values: np.ndarray, level: float
) -> np.ndarray:
    """Marching squares: the line values = level as (n, 2, 2) segments, values[i, j] at
    (xs[j], ys[i]).

    Each grid cell whose corners lie on both sides of the level holds one segment (two
    where a saddle puts all four edges across it), between the points where the level
    crosses its edges, found by linear interpolation along each edge.
    """
    values = np.asarray(values, dtype=float) - level
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if values.ndim != 2 or min(values.shape) < 2:
        return np.empty((0, 2, 2))
    # Crossings on the horizontal edges (i, j)-(i, j+1) and the vertical ones (i, j)-(i+1, j).
    across_h, point_h = _edge_crossings(values[:, :-1], values[:, 1:], xs[:-1], xs[1:])
    across_v, point_v = _edge_crossings(values[:-1, :], values[1:, :], ys[:-1, None], ys[1:, None])
    grid_x, grid_y = np.meshgrid(xs, ys)
    h_points = np.stack([point_h, np.broadcast_to(grid_y[:, :-1], point_h.shape)], axis=-1)
    v_points = np.stack([np.broadcast_to(grid_x[:-1, :], point_v.shape), point_v], axis=-1)
    # Each cell's four edges in order around it: bottom, right, top, left.
    crossed = np.stack([across_h[:-1], across_v[:, 1:], across_h[1:], across_v[:, :-1]], axis=-1)
    points = np.stack([h_points[:-1], v_points[:, 1:], h_points[1:], v_points[:, :-1]], axis=-2)
    count = crossed.sum(axis=-1)
    segments = []
    two = count == 2
    if two.any():
        # Stable sort puts each cell's two crossed edges first, in their order around it.
        order = np.argsort(~crossed[two], axis=-1, kind="stable")[:, :2]
        segments.append(np.take_along_axis(points[two], order[..., None], axis=1))
    four = count == 4
    if four.any():
        # A saddle: pair neighbouring edges (bottom with right, top with left).
        segments.extend([points[four][:, 0:2], points[four][:, 2:4]])
    return np.concatenate(segments) if segments else np.empty((0, 2, 2))


def _edge_crossings(
    a: np.ndarray, b: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Whether the level (0) lies between the ends a and b of each edge, and where."""
    across = (a < 0) != (b < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(across, a / (a - b), 0.0)
    position = start + fraction * (end - start)
    return across & np.isfinite(a) & np.isfinite(b), np.broadcast_to(position, a.shape)
