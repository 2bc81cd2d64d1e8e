"""Where the plane looks: bounds that hold the target and the generator, and the arrows' scale.

The bounds are computed where the points are (with the snapshot, in the training worker),
so D's heatmap grid and the page's axes are the same bounds. They hold the target's box,
G's 2σ ellipse and nearly all of G's points, with a margin, and stay calm as frames arrive:

- they grow at once when the content leaves them, to a size on a fixed ladder
  (steps of ×2^¼) and a centre snapped to an eighth of that size, so small moves of the
  points never change them (each change re-lays the plot and resets the viewer's zoom);
- they shrink only when far larger than needed (SHRINK_BEYOND), and then one rung a frame;
- with no earlier bounds (a new run, an edited target) they are fitted afresh.

Bounds have the plot's shape (equal scale on both axes, see ASPECT) and D's grid covers
a little more than them (FIELD_OVERSCAN): the page pads the shorter axis's range to fill a
plot not quite of that shape, and the heatmap must still reach its edges.

The arrows' scale is set from the target alone, so it is fixed for the run: an arrow's
length is G's push times that scale in every frame, and a frame with twice the push draws
twice the arrow.
"""

from __future__ import annotations

import math

import numpy as np

Bounds = tuple[float, float, float, float]  # x0, x1, y0, y1

# Width / height of the bounds, in data units: about that of the plane's plot area on the
# page (304 × 213 px at 1280×720 with the sidebar open, 451 × 391 in Present mode, 662 × 500
# at 1920×1080: 1.15 to 1.6), so that plotly, holding one unit as long on both axes, pads
# either range by at most FIELD_OVERSCAN. Change it with the page's layout.
ASPECT = 1.4
MARGIN = 0.1  # room around the content, as a fraction of its half-size
RUNG = 2.0**0.25  # half-sizes take values on the ladder RUNG^k
CENTRE_STEPS = 8  # centres snap to half-size / CENTRE_STEPS
SHRINK_BEYOND = 1.7  # bounds this much larger than needed shrink, one rung a frame
OUTLIER_SHARE = 0.01  # of G's points on each side that may fall outside (a few strays)
MAX_ZOOM_OUT = 30.0  # the bounds reach at most this many target half-sizes from its centre
FIELD_OVERSCAN = 1.4  # D's grid spans this multiple of the bounds, about their centre
ARROW_SPREADS = 1.0  # a push of 1 / s is drawn s long, s the target's spread


def target_box(target_bounds: Bounds) -> tuple[np.ndarray, np.ndarray]:
    x0, x1, y0, y1 = target_bounds
    return np.array([x0, y0]), np.array([x1, y1])


def content_box(
    target_bounds: Bounds,
    fake: np.ndarray,
    gen_mean: np.ndarray,
    gen_cov: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The corners (low, high) of what must be seen: target, G's 2σ ellipse, G's points."""
    low, high = target_box(target_bounds)
    # The n-σ ellipse's bounding box is mean ± n·√Σᵢᵢ: exact, and no curve to trace.
    half = 2.0 * np.sqrt(np.clip(np.diag(np.asarray(gen_cov, dtype=float)), 0.0, None))
    mean = np.asarray(gen_mean, dtype=float)
    if np.all(np.isfinite(mean)) and np.all(np.isfinite(half)):
        low, high = np.minimum(low, mean - half), np.maximum(high, mean + half)
    points = np.asarray(fake, dtype=float).reshape(-1, 2)
    points = points[np.all(np.isfinite(points), axis=1)]
    if len(points):
        share = OUTLIER_SHARE if len(points) >= 100 else 0.0
        low = np.minimum(low, np.quantile(points, share, axis=0))
        high = np.maximum(high, np.quantile(points, 1.0 - share, axis=0))
    # A diverging G (points at 1e6 and beyond) would shrink the target to a dot and
    # overflow D's float32 grid: past MAX_ZOOM_OUT, the points leave the plot instead.
    target_low, target_high = target_box(target_bounds)
    centre, reach = (target_low + target_high) / 2, MAX_ZOOM_OUT * (target_high - target_low) / 2
    return np.maximum(low, centre - reach), np.minimum(high, centre + reach)


def follow(previous: Bounds | None, low: np.ndarray, high: np.ndarray) -> Bounds:
    """Bounds holding the box [low, high]: `previous` if it still does and is not far too
    large, else the next ones (see the module's docstring)."""
    needed = _ladder_half_height(low, high)
    if previous is not None and _has_aspect(previous) and _holds(previous, low, high):
        held = _half_height(previous)
        if held <= SHRINK_BEYOND * needed:
            return previous
        # Far too large: one rung down a frame, so a zoom-in is gradual, never a jump.
        return _snapped(low, high, max(needed, held / RUNG))
    return _snapped(low, high, needed)


def field_bounds(bounds: Bounds) -> Bounds:
    """Where D's grid goes: the bounds grown by FIELD_OVERSCAN about their centre."""
    x0, x1, y0, y1 = bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = FIELD_OVERSCAN * (x1 - x0) / 2, FIELD_OVERSCAN * (y1 - y0) / 2
    return cx - hx, cx + hx, cy - hy, cy + hy


def arrow_scale(target_bounds: Bounds) -> float:
    """How long an arrow is per unit of G's push (−∇ₓ of G's loss): a round number
    (1, 2 or 5 × 10ᵏ) set by the target's size alone, so fixed for the run.

    A push has units of loss per length; a D that tells apart points about s apart has
    slopes near 1 / s, so a scale near s²·ARROW_SPREADS draws such a push s long.
    """
    x0, x1, y0, y1 = target_bounds
    spread = max(x1 - x0, y1 - y0) / 7.0  # the target box spans about ±3.5 σ
    return nice_number(ARROW_SPREADS * spread**2)


def nice_number(value: float) -> float:
    """The nearest (in ratio) of 1, 2, 5 × 10ᵏ: a scale a person can read off a legend."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    exponent = math.floor(math.log10(value))
    candidates = [m * 10.0**e for e in (exponent, exponent + 1) for m in (1, 2, 5)]
    return min(candidates, key=lambda c: abs(math.log(c / value)))


def _half_height(bounds: Bounds) -> float:
    x0, x1, y0, y1 = bounds
    return max((y1 - y0) / 2, (x1 - x0) / (2 * ASPECT))


def _ladder_half_height(low: np.ndarray, high: np.ndarray) -> float:
    """The smallest rung of the ladder whose bounds hold the box with its margin."""
    half_x, half_y = (1.0 + MARGIN) * np.maximum(high - low, 1e-9) / 2
    wanted = max(float(half_y), float(half_x) / ASPECT)
    return float(RUNG ** math.ceil(math.log(wanted, RUNG) - 1e-9))


def _snapped(low: np.ndarray, high: np.ndarray, half_height: float) -> Bounds:
    """Bounds of this half-height, centred on the box's centre snapped to a coarse grid;
    a rung larger if the snapping pushed the box out."""
    for _ in range(4):
        half_width = half_height * ASPECT
        step = np.array([half_width, half_height]) / CENTRE_STEPS
        centre = np.round((low + high) / 2 / step) * step
        bounds = (
            float(centre[0] - half_width),
            float(centre[0] + half_width),
            float(centre[1] - half_height),
            float(centre[1] + half_height),
        )
        if _holds(bounds, low, high):
            break
        half_height *= RUNG
    return bounds


def _has_aspect(bounds: Bounds) -> bool:
    # Bounds from elsewhere (a target's own box) are refitted, not kept.
    x0, x1, y0, y1 = bounds
    return math.isclose(x1 - x0, ASPECT * (y1 - y0), rel_tol=1e-9)


def _holds(bounds: Bounds, low: np.ndarray, high: np.ndarray) -> bool:
    x0, x1, y0, y1 = bounds
    return bool(x0 <= low[0] and high[0] <= x1 and y0 <= low[1] and high[1] <= y1)
