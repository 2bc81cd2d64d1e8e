"""Curves over training steps: the losses, D's accuracy, and the distance to the target.

Each takes the run's history (`History.to_frame()`: step, epoch, loss_d, loss_g, acc_real,
acc_fake, frechet, lr_d, lr_g) and thins it to at most `max_points` rows before sending, so
a frame's size does not grow with the run. Curves are SVG traces: at 1,500 points that is
fast, and it leaves the browser's few WebGL contexts to the plane.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from gan_core.figures import style

MAX_POINTS = 1500
DISTANCE_FLOOR = 1e-6  # a log axis cannot show 0; distances this small read as "on target"


def downsample(frame: pd.DataFrame, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """At most max_points evenly spaced rows, always keeping the first and the last."""
    if len(frame) <= max_points:
        return frame
    keep = np.unique(np.linspace(0, len(frame) - 1, max(max_points, 2)).round().astype(int))
    return frame.iloc[keep]


def loss_figure(
    history: pd.DataFrame,
    equilibrium: float | None = None,
    uirevision: str = "loss",
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """D's and G's loss. `equilibrium`: D's loss when it can no longer tell real from fake
    (2 ln 2 for the cross-entropy losses), drawn as a dashed reference line."""
    frame = downsample(history, max_points)
    data, layout = _curves(
        frame,
        [("loss_d", "D loss", style.D_COLOUR), ("loss_g", "G loss", style.G_COLOUR)],
        "Losses",
        uirevision,
    )
    if equilibrium is not None:
        layout["shapes"] = [_horizontal_line(equilibrium)]
        layout["annotations"] = [
            dict(
                text=f"D at equilibrium ({equilibrium:.3f})",
                font=dict(size=13),
                bgcolor="rgba(255, 255, 255, 0.8)",  # readable over the curves it crosses
                xref="x domain",
                x=1,
                xanchor="right",
                yref="y",
                y=equilibrium,
                yanchor="bottom",
                showarrow=False,
            )
        ]
    layout["yaxis"] = dict(title=dict(text="loss"))
    return style.figure(data, layout)


def accuracy_figure(
    history: pd.DataFrame, uirevision: str = "accuracy", max_points: int = MAX_POINTS
) -> go.Figure:
    """How often D calls real points real and fake points fake; 0.5 on both is a coin toss."""
    frame = downsample(history, max_points)
    data, layout = _curves(
        frame,
        [
            ("acc_real", "on real", style.REAL),
            ("acc_fake", "on fake", style.FAKE),
        ],
        "D's accuracy",
        uirevision,
    )
    layout["shapes"] = [_horizontal_line(0.5)]
    # A little room past 0 and 1: accuracy often sits exactly there, and a line on the
    # plot's edge would be half clipped.
    layout["yaxis"] = dict(
        title=dict(text="accuracy"),
        range=[-0.03, 1.03],
        autorange=False,
        tickvals=[0, 0.25, 0.5, 0.75, 1],
    )
    return style.figure(data, layout)


def distance_figure(
    history: pd.DataFrame,
    exact: bool,
    uirevision: str = "distance",
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """Squared Fréchet distance from G's law to the target, on a log axis (it falls by decades).

    `exact`: the closed form (affine G, Gaussian target) rather than one between Gaussians
    fitted to the moments. Steps where it is undefined (NaN, inf) are left out.
    """
    frame = history[np.isfinite(history["frechet"].to_numpy(dtype=float))]
    frame = downsample(
        frame.assign(frechet=frame["frechet"].clip(lower=DISTANCE_FLOOR)), max_points
    )
    kind = "exact" if exact else "fitted-Gaussian (sample-based)"
    data, layout = _curves(
        frame,
        [("frechet", "Fréchet²", style.INK)],
        f"Squared Fréchet distance to the target, {kind}",
        uirevision,
    )
    layout["yaxis"] = dict(type="log", title=dict(text="Fréchet² (log)"), exponentformat="power")
    layout["showlegend"] = False
    return style.figure(data, layout)


def _horizontal_line(y: float) -> dict:
    """A dashed reference line across the whole width of the plot at height y."""
    return dict(
        type="line",
        xref="x domain",
        x0=0,
        x1=1,
        yref="y",
        y0=y,
        y1=y,
        line=dict(color=style.INK, width=1.5, dash="dash"),
    )


def _curves(frame: pd.DataFrame, columns, title: str, uirevision: str) -> tuple[list, dict]:
    """Traces and layout: one line per (column, name, colour) against step; an empty frame
    gives empty axes."""
    steps = frame["step"].to_numpy(dtype=np.int64)
    data = [
        dict(
            type="scatter",
            x=steps,
            y=style.compact(frame[column]),
            mode="lines",
            name=name,
            line=dict(color=colour, width=2.5),
            hovertemplate="%{y:.4g}",
        )
        for column, name, colour in columns
    ]
    layout = style.base_layout(title, uirevision)
    layout.update(
        hovermode="x unified",
        xaxis=dict(title=dict(text="step"), rangemode="nonnegative"),
    )
    return data, layout
