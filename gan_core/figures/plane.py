"""The plane: real points against fake points, with what D and G are doing underneath.

Layers, each optional: D's view of the plane as a heatmap, the target's and the generator's
1σ / 2σ ellipses (a mixture target: each mode's own), and arrows for G's push on the fakes
(arrows.py). Every overlay is a WebGL trace like the points: plotly draws WebGL above SVG
whatever the trace order, so an SVG ellipse would vanish under the point cloud.

The axes are the snapshot's bounds (training/plane_view.py), with one unit the same length
on both; where the plot is not square, plotly widens the shorter range to fill it rather
than leaving blank bands, and D's grid was computed wide enough to cover that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from gan_core.figures import style
from gan_core.figures.arrows import arrow_trace
from gan_core.figures.ellipse import covariance_ellipse
from gan_core.figures.layers import THEORY_LAYERS, over_points, under_points
from gan_core.i18n import _
from gan_core.metrics import MODE_STD
from gan_core.training.snapshot import Snapshot

DEFAULT_LAYERS = frozenset({"field", "ellipses", "arrows"})
LAYERS = DEFAULT_LAYERS | THEORY_LAYERS  # see figures/layers.py
# D(x) = 0 (sure it is fake) in the fakes' colour, 1/2 (undecided) white, 1 (sure it is real)
# in the reals' colour: the plane is coloured by which side D would put a point on.
FIELD_COLOURS = [[0.0, style.FAKE], [0.5, "#FFFFFF"], [1.0, style.REAL]]
FIELD_OPACITY = 0.45  # pale enough that points of both colours stay visible on top
ELLIPSE_VERTICES = 120
MODE_VERTICES = 32  # a mode's circles are a few pixels across


def plane_figure(
    snapshot: Snapshot,
    bounds: Sequence[float],
    layers: Iterable[str] = DEFAULT_LAYERS,
    modes: ArrayLike | None = None,
    uirevision: str = "plane",
    max_points: int = 1000,
) -> go.Figure:
    """The plane at one snapshot, axes fixed to `bounds` = (x0, x1, y0, y1): `plane_spec`
    as a plotly Figure."""
    return style.as_figure(plane_spec(snapshot, bounds, layers, modes, uirevision, max_points))


def plane_spec(
    snapshot: Snapshot,
    bounds: Sequence[float],
    layers: Iterable[str] = DEFAULT_LAYERS,
    modes: ArrayLike | None = None,
    uirevision: str = "plane",
    max_points: int = 1000,
) -> dict[str, Any]:
    """The plane at one snapshot as plain dicts (`style.spec`); see `plane_figure`.

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
    traces.append(_points_trace(snapshot.real, _("real"), style.REAL, max_points))
    traces.append(_points_trace(snapshot.fake, _("fake"), style.FAKE, max_points))
    if "ellipses" in layers:
        traces += _contour_traces(snapshot, modes)
    arrow_points, arrow_directions = snapshot.arrow_points, snapshot.arrow_directions
    notes = []
    if "arrows" in layers and arrow_points is not None and arrow_directions is not None:
        points, push = arrow_points[:max_points], arrow_directions[:max_points]
        arrows, any_seen = arrow_trace(points, push, snapshot.arrow_scale, x1 - x0)
        traces.append(arrows)
        if not any_seen:
            notes.append(_note(_("G's push: every arrow is too short to see")))
    traces += over_points(snapshot, layers)

    step = step_text(snapshot.step, snapshot.lone_updates)
    title = _("Step {step} of {total}").format(step=step, total=f"{snapshot.total_steps:,}")
    layout = style.base_layout(title, f"{uirevision} {x0:g} {x1:g} {y0:g} {y1:g}")
    # Ranges set by the bounds, which move only in steps (plane_view.py): points must not
    # jump as frames arrive. Equal aspect so circles look round and arrow angles are true;
    # "range" pads the shorter axis to fill the plot rather than shrinking the plot.
    axis = dict(autorange=False, constrain="range", zeroline=False, showgrid=False)
    layout.update(
        # What a viewer's zoom belongs to (the frame keeps it across new bounds): the target.
        meta=dict(zoom_key=_target_key(snapshot)),
        hovermode="closest",
        annotations=notes,
        # Two entries a row, each half the plot's width, whatever their names: the rows
        # never change as entries draw something or nothing, so the plot (and a viewer's
        # zoom, held at equal scale) never shrinks or grows by a row from frame to frame.
        legend={**layout["legend"], "entrywidth": 0.5, "entrywidthmode": "fraction"},
        xaxis=dict(range=[x0, x1], title=dict(text="x₁"), **axis),
        yaxis=dict(range=[y0, y1], title=dict(text="x₂"), scaleanchor="x", scaleratio=1, **axis),
    )
    return style.spec(traces, layout)


def _note(text: str) -> dict[str, Any]:
    """A line of text in the plane's top-left corner, over the points: unlike a legend
    entry it takes no room from the plot, so the axes stay as they are when it comes."""
    return dict(
        text=text,
        xref="paper",
        yref="paper",
        x=0.01,
        y=0.99,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font=dict(size=13, color=style.INK),
        bgcolor="rgba(255, 255, 255, 0.75)",
    )


def _target_key(snapshot: Snapshot) -> str:
    mean = np.round(np.asarray(snapshot.target_mean, dtype=float), 6).tolist()
    cov = np.round(np.asarray(snapshot.target_cov, dtype=float), 6).tolist()
    return f"{mean} {cov}"


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
        label = _("critic score")
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


def _contour_traces(snapshot: Snapshot, modes: ArrayLike | None) -> list[dict]:
    """The target's contours (one Gaussian, or each mode of a mixture) in the reals' colour,
    solid; the generator's in the fakes' colour, dashed; a white halo under the large ones
    so a line stays readable over a cloud of its own colour."""
    if snapshot.gen_moments_exact:
        gen_name = _("generator (exact Gaussian)")
    else:
        gen_name = _("generator (fitted Gaussian)")
    gen_x, gen_y = _contours([(snapshot.gen_mean, snapshot.gen_cov)])
    generator = _line_trace(gen_x, gen_y, gen_name, style.FAKE, style.GENERATOR_DASH)
    if modes is not None and np.size(modes):
        # Each mode's own circles: one ellipse fitted round them all would mean little.
        # They are small (a mode's σ is MODE_STD), so fewer vertices and no halo.
        centres = np.asarray(modes, dtype=float).reshape(-1, 2)
        spread = MODE_STD**2 * np.eye(2)
        target_x, target_y = _contours([(c, spread) for c in centres], MODE_VERTICES)
        name = _("target modes (σ = {sigma})").format(sigma=f"{MODE_STD:g}")
        halo_x, halo_y = gen_x, gen_y
    else:
        target_x, target_y = _contours([(snapshot.target_mean, snapshot.target_cov)])
        name = _("target 1σ, 2σ")
        halo_x = np.concatenate([target_x, gen_x])
        halo_y = np.concatenate([target_y, gen_y])
    halo = dict(
        type="scattergl",
        x=halo_x,
        y=halo_y,
        mode="lines",
        line=dict(color=style.HALO, width=5),
        showlegend=False,
        hoverinfo="skip",
    )
    target = _line_trace(target_x, target_y, name, style.REAL, style.TARGET_DASH)
    return [halo, target, generator]


def _contours(
    gaussians: list[tuple[ArrayLike, ArrayLike]], vertices: int = ELLIPSE_VERTICES
) -> tuple[np.ndarray, np.ndarray]:
    """The 1σ and 2σ ellipses of each Gaussian as one polyline, curves split by gaps; a
    Gaussian with non-finite moments (a diverged run) draws nothing."""
    curves = []
    for mean, cov in gaussians:
        ex, ey = covariance_ellipse(mean, cov, 1.0, vertices)
        if len(ex):
            one_sigma = np.stack((ex, ey), axis=1)
            centre = np.asarray(mean, dtype=float).reshape(1, 2)
            # The 2σ ellipse is the 1σ one stretched twice as far from the mean.
            curves += [one_sigma, centre + 2.0 * (one_sigma - centre)]
    if not curves:
        return np.empty(0), np.empty(0)
    # In full precision: a narrow ellipse's points are checked against its equation.
    path = style.gap_path(np.stack(curves), np.float64)
    return path[:, 0], path[:, 1]


def _line_trace(xs: np.ndarray, ys: np.ndarray, name: str, colour: str, dash: str) -> dict:
    return dict(
        type="scattergl",
        x=xs,
        y=ys,
        mode="lines",
        name=name,
        line=dict(color=colour, width=2.5, dash=dash),
        hoverinfo="skip",
    )


def _modes_trace(modes: ArrayLike) -> dict:
    modes = np.asarray(modes, dtype=float).reshape(-1, 2)
    return dict(
        type="scattergl",
        x=modes[:, 0],
        y=modes[:, 1],
        mode="markers",
        name=_("mode centres"),
        legendrank=1001,  # listed after the points though drawn beneath them
        marker=dict(symbol="x", size=13, color=style.INK, line=dict(color="white", width=1)),
        hovertemplate=_("mode centre") + "<br>(%{x:.2f}, %{y:.2f})<extra></extra>",
    )
