"""G's push drawn as arrows whose length is the push's true size on a scale fixed for the run.

An arrow from a fake point x is `scale`·(−∇ₓ of G's loss at x) long, `scale` being the
snapshot's `arrow_scale` (set by the target alone, see training/plane_view.py), and the
legend says so. So a frame where G pushes twice as hard draws arrows twice as long, and a
G whose push has faded (a saturated loss, an equilibrium) shows short arrows or none.

Thin, pale and on a subset of the fakes (the snapshot's `n_arrows`), so the points stay
visible; an arrow too short to see is not drawn at all.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gan_core.figures import style
from gan_core.i18n import _

HEAD_FRACTION = 0.3  # head barbs, as a fraction of the arrow's own length...
HEAD_MAX_FRACTION = 0.025  # ...but at most this fraction of the plot's width
HEAD_ANGLE = np.deg2rad(25)
SHORTEST_FRACTION = 0.003  # arrows shorter than this fraction of the width are not drawn


def arrow_trace(
    points: np.ndarray, push: np.ndarray, scale: float, plot_width: float
) -> tuple[dict[str, Any], bool]:
    """Every arrow in one trace: shaft and two head barbs as one polyline, arrows split by
    gaps. Its legend entry tells what a length means. Also whether any arrow was long
    enough to draw: if none was, the plane says so in a note, not in the legend entry,
    whose longer text would wrap the legend differently and squeeze the plot (and a
    viewer's equal-scale zoom) for as long as it showed."""
    points = points_all = np.asarray(points, dtype=float).reshape(-1, 2)
    shafts = scale * np.nan_to_num(np.asarray(push, dtype=float).reshape(-1, 2))
    lengths = np.linalg.norm(shafts, axis=1)
    seen = (lengths > 0) & (lengths >= SHORTEST_FRACTION * plot_width)
    points, shafts, lengths = points[seen], shafts[seen], lengths[seen]
    tips = points + shafts
    head = np.minimum(HEAD_FRACTION * lengths, HEAD_MAX_FRACTION * plot_width)
    back = -shafts * (head / lengths)[:, None]  # from the tip towards the base
    cos, sin = np.cos(HEAD_ANGLE), np.sin(HEAD_ANGLE)
    left = tips + back @ np.array([[cos, sin], [-sin, cos]])
    right = tips + back @ np.array([[cos, -sin], [sin, cos]])
    name = _("G's push: arrow = push × {scale}").format(scale=f"{scale:g}")
    # Per arrow: base -> tip -> left barb -> tip -> right barb.
    path = np.stack((points, tips, left, tips, right), axis=1)
    if not len(path) and len(points_all):
        # plotly.js lists no legend entry for a trace with no point to draw, and a legend a
        # row shorter grows the plot (so an equal-scale zoom shifts). One arrow of length 0
        # at a point already drawn keeps the entry and draws nothing.
        path = np.repeat(points_all[:1, None, :], 5, axis=1)
    trace = style.polylines_trace(path, name, dict(color=style.INK, width=1.2))
    trace.update(opacity=0.6)
    return trace, bool(seen.any())
