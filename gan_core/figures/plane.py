"""The plane: real points against fake points, with what D and G are doing underneath.

Layers, each optional: D's view of the plane as a heatmap, the target's and the generator's
1σ / 2σ ellipses, and arrows for the direction G's next update pushes each fake point.
Every overlay is a WebGL trace like the points: plotly draws WebGL above SVG whatever the
trace order, so an SVG ellipse would vanish under the point cloud.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from gan_core.figures import style
from gan_core.figures.ellipse import covariance_ellipse
from gan_core.figures.layers import THEORY_LAYERS, over_points, under_points
from gan_core.training.snapshot import Snapshot

DEFAULT_LAYERS = frozenset({"field", "ellipses", "arrows"})
LAYERS = DEFAULT_LAYERS | THEORY_LAYERS  # see figures/layers.py
ARROW_FRACTION = 0.08  # the longest arrow spans this fraction of the plot width
HEAD_FRACTION = 0.3  # arrow head barbs, as a fraction of the arrow's own length
HEAD_ANGLE = np.deg2rad(25)
# D(x) = 0 (sure it is fake) in the fakes' colour, 1/2 (undecided) white, 1 (sure it is real)
# in the reals' colour: the plane is coloured by which side D would put a point on.
FIELD_COLOURS = [[0.0, style.FAKE], [0.5, "#FFFFFF"], [1.0, style.REAL]]
FIELD_OPACITY = 0.45  # pale enough that points of both colours stay visible on top


def plane_figure(
    snapshot: Snapshot,
    bounds: Sequence[float],
    layers: Iterable[str] = DEFAULT_LAYERS,
    modes: ArrayLike | None = None,
    uirevision: str = "plane",
    max_points: int = 1000,
) -> go.Figure:
    """The plane at one snapshot, axes fixed to `bounds` = (x0, x1, y0, y1).

    The bounds are part of the figure's `uirevision`: plotly keeps a plot's axis ranges
    across updates of the same uirevision (so zoom survives new frames), and new bounds
    (an edited target) must reach the axes at once, not only the heatmap.
    """
    unknown = set(layers) - LAYERS
    if unknown:
        raise ValueError(f"unknown layers {sorted(unknown)}: allowed {sorted(LAYERS)}")
    x0, x1, y0, y1 = (float(b) for b in bounds)
    traces = []
    if "field" in layers and snapshot.field_values is not None:
        traces.append(_field_trace(snapshot))
    if modes is not None and np.size(modes):
        # Under the points: a mode G covers is hidden by its fakes, a missed one stays bare.
        traces.append(_modes_trace(modes))
    traces += under_points(snapshot, layers)
    traces.append(_points_trace(snapshot.real, "real", style.REAL, max_points))
    traces.append(_points_trace(snapshot.fake, "fake", style.FAKE, max_points))
    if "ellipses" in layers:
        traces.append(
            _ellipse_trace(
                snapshot.target_mean, snapshot.target_cov, "target", style.TARGET_LINE, "solid"
            )
        )
        how = "exact" if snapshot.gen_moments_exact else "fitted"
        traces.append(
            _ellipse_trace(
                snapshot.gen_mean,
                snapshot.gen_cov,
                f"generator ({how})",
                style.GENERATOR_LINE,
                "dash",
            )
        )
    arrow_points, arrow_directions = snapshot.arrow_points, snapshot.arrow_directions
    if "arrows" in layers and arrow_points is not None and arrow_directions is not None:
        arrows = _arrow_trace(arrow_points[:max_points], arrow_directions[:max_points], x1 - x0)
        traces.append(arrows)
    traces += over_points(snapshot, layers)

    step = step_text(snapshot.step, snapshot.lone_updates)
    title = f"Step {step} of {snapshot.total_steps:,}"
    layout = style.base_layout(title, f"{uirevision} {x0:g} {x1:g} {y0:g} {y1:g}")
    # Fixed ranges: points must not jump as frames arrive. Equal aspect so circles look
    # round and arrow angles are true; "domain" shrinks the plot area, not the ranges.
    axis = dict(autorange=False, constrain="domain", zeroline=False, showgrid=False)
    layout.update(
        hovermode="closest",
        xaxis=dict(range=[x0, x1], title=dict(text="x₁"), **axis),
        yaxis=dict(range=[y0, y1], title=dict(text="x₂"), scaleanchor="x", scaleratio=1, **axis),
    )
    return style.figure(traces, layout)


def step_text(step: int, lone_updates: str = "") -> str:
    """The step counter: whole iterations, then any D or G updates made alone as a half
    step ("12", "12 + D", "12 + 2 D")."""
    text = f"{step:,}"
    for part in ("D", "G"):
        count = lone_updates.count(part)
        if count:
            text += f" + {part}" if count == 1 else f" + {count} {part}"
    return text


def _points_trace(points: np.ndarray, name: str, colour: str, max_points: int) -> dict:
    # Snapshots hold independent draws in random order, so the first k are a fair sample.
    points = style.compact(points[:max_points]).reshape(-1, 2)
    return dict(
        type="scattergl",
        x=points[:, 0],
        y=points[:, 1],
        mode="markers",
        name=name,
        marker=dict(color=colour, size=7, opacity=0.75, line=dict(color="white", width=0.5)),
        hovertemplate=f"{name}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
    )


def _field_trace(snapshot: Snapshot) -> dict:
    # Only called for a snapshot that carries D's view of the plane.
    assert snapshot.field_x is not None and snapshot.field_y is not None
    assert snapshot.field_values is not None
    if snapshot.field_is_probability:
        # A fixed 0..1 scale: the same colour means the same D(x) in every frame.
        scale = dict(zmin=0.0, zmax=1.0, zmid=0.5)
        label = "D(x)"
    else:
        # A critic's score has no fixed range or natural middle (only differences matter),
        # so the scale follows this frame's values; high still means "looks real".
        scale = dict(zauto=True)
        label = "critic score"
    return dict(
        type="heatmap",
        x=style.compact(snapshot.field_x),
        y=style.compact(snapshot.field_y),
        z=style.compact(snapshot.field_values),
        colorscale=FIELD_COLOURS,
        opacity=FIELD_OPACITY,
        zsmooth="fast",
        colorbar=dict(title=dict(text=label, side="right"), thickness=14, len=0.6),
        hovertemplate=f"(%{{x:.2f}}, %{{y:.2f}})<br>{label} = %{{z:.3f}}<extra></extra>",
        name=label,
        **scale,
    )


def _ellipse_trace(mean: ArrayLike, cov: ArrayLike, name: str, colour: str, dash: str) -> dict:
    """The 1σ and 2σ ellipses in one trace, joined by a gap: one legend entry per Gaussian."""
    xs, ys = [], []
    for n_sigma in (1, 2):
        ex, ey = covariance_ellipse(mean, cov, n_sigma)
        xs += [*ex.tolist(), None]
        ys += [*ey.tolist(), None]
    return dict(
        type="scattergl",
        x=xs,
        y=ys,
        mode="lines",
        name=f"{name} 1σ, 2σ",
        line=dict(color=colour, width=2.5, dash=dash),
        hoverinfo="skip",
    )


def _arrow_trace(points: np.ndarray, directions: np.ndarray, plot_width: float) -> dict:
    """Every arrow in one trace: shaft and two head barbs as one polyline, arrows split by gaps.

    Lengths are scaled together so the longest spans ARROW_FRACTION of the width: relative
    sizes show where G is pushed hardest; absolute gradient sizes would vary wildly by loss.
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    directions = np.nan_to_num(np.asarray(directions, dtype=float).reshape(-1, 2))
    longest = np.linalg.norm(directions, axis=1).max(initial=0.0)
    scale = ARROW_FRACTION * plot_width / longest if longest > 0 else 0.0
    tips = points + scale * directions
    back = HEAD_FRACTION * (points - tips)  # from the tip towards the base
    cos, sin = np.cos(HEAD_ANGLE), np.sin(HEAD_ANGLE)
    left = tips + back @ np.array([[cos, sin], [-sin, cos]])
    right = tips + back @ np.array([[cos, -sin], [sin, cos]])
    gap = np.full_like(points, np.nan)
    # Per arrow: base -> tip -> left barb -> tip -> right barb, then a gap.
    path = np.stack((points, tips, left, tips, right, gap), axis=1).reshape(-1, 2)
    return dict(
        type="scattergl",
        x=_with_gaps(path[:, 0]),
        y=_with_gaps(path[:, 1]),
        mode="lines",
        name="G's push",
        line=dict(color=style.INK, width=2),
        hoverinfo="skip",
    )


def _with_gaps(values: np.ndarray) -> list:
    # Plain lists with None: plotly.js breaks a line at null on every trace type.
    return [None if np.isnan(v) else round(float(v), 4) for v in values]


def _modes_trace(modes: ArrayLike) -> dict:
    modes = np.asarray(modes, dtype=float).reshape(-1, 2)
    return dict(
        type="scattergl",
        x=modes[:, 0],
        y=modes[:, 1],
        mode="markers",
        name="mode centres",
        legendrank=1001,  # listed after the points though drawn beneath them
        marker=dict(symbol="x", size=13, color=style.INK, line=dict(color="white", width=1)),
        hovertemplate="mode centre<br>(%{x:.2f}, %{y:.2f})<extra></extra>",
    )
