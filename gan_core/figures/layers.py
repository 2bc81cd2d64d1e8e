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


# A cell's four edges in order around it, bottom, right, top, left, each as the (row, column)
# offsets of its two ends from the cell's lower-left grid point.
CELL_EDGES = np.array(
    [[(0, 0), (0, 1)], [(0, 1), (1, 1)], [(1, 0), (1, 1)], [(0, 0), (1, 0)]], dtype=np.intp
)


def contour_segments(
    xs: np.ndarray, ys: np.ndarray, values: np.ndarray, level: float
) -> np.ndarray:
    """Marching squares: the line values = level as (n, 2, 2) segments, values[i, j] at
    (xs[j], ys[i]).

    Each grid cell whose corners lie on both sides of the level holds one segment (two
    where a saddle puts all four edges across it), between the points where the level
    crosses its edges, found by linear interpolation along each edge. Which edges are
    crossed is read off the whole grid at once; the crossing points are computed for the
    crossed edges only, a line's few cells rather than every cell of the grid.
    """
    values = np.asarray(values, dtype=float) - level
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if values.ndim != 2 or min(values.shape) < 2:
        return np.empty((0, 2, 2))
    below, finite = values < 0, np.isfinite(values)
    # Crossed: the ends on both sides of the level, both finite. Horizontal edges
    # (i, j)-(i, j+1) and vertical ones (i, j)-(i+1, j).
    across_h = (below[:, :-1] != below[:, 1:]) & finite[:, :-1] & finite[:, 1:]
    across_v = (below[:-1, :] != below[1:, :]) & finite[:-1, :] & finite[1:, :]
    crossed = np.stack([across_h[:-1], across_v[:, 1:], across_h[1:], across_v[:, :-1]], axis=-1)
    count = crossed.sum(axis=-1)
    segments = []
    rows, columns = np.nonzero(count == 2)
    if len(rows):
        # Each such cell's two crossed edges, in their order around it.
        edges = np.nonzero(crossed[rows, columns])[1].reshape(-1, 2)
        segments.append(_crossings(xs, ys, values, rows[:, None], columns[:, None], edges))
    rows, columns = np.nonzero(count == 4)
    if len(rows):
        # A saddle: pair neighbouring edges (bottom with right, top with left).
        every = _crossings(xs, ys, values, rows[:, None], columns[:, None], np.arange(4))
        segments.extend([every[:, 0:2], every[:, 2:4]])
    return np.concatenate(segments) if segments else np.empty((0, 2, 2))


def _crossings(
    xs: np.ndarray,
    ys: np.ndarray,
    values: np.ndarray,
    rows: np.ndarray,
    columns: np.ndarray,
    edges: np.ndarray,
) -> np.ndarray:
    """Where the level (0) crosses the given edges of the cells at (rows, columns), by
    linear interpolation between the edge's ends: shape (cells, edges, 2)."""
    ends = CELL_EDGES[edges]  # (..., 2 ends, 2 offsets)
    i0, j0 = rows + ends[..., 0, 0], columns + ends[..., 0, 1]
    i1, j1 = rows + ends[..., 1, 0], columns + ends[..., 1, 1]
    a, b = values[i0, j0], values[i1, j1]
    fraction = a / (a - b)
    x = xs[j0] + fraction * (xs[j1] - xs[j0])
    y = ys[i0] + fraction * (ys[i1] - ys[i0])
    return np.stack([x, y], axis=-1)
