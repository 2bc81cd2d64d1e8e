"""Runs overlaid as curves: losses on one chart, the distance to the target on another.

Pure functions: records in, Plotly figures out. Each run keeps one colour on every chart,
and its traces share a legend group, so a click on its name hides all of them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from gan_core.store.record import RunRecord
from gan_core.training.losses import get_loss

# Okabe-Ito, the app's palette: told apart under common colour blindness and on a
# washed-out projector. Yellow last: it is faint on white.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
FONT_SIZE = 15  # readable from the back of a classroom
MAX_POINTS_PER_TRACE = 1500  # a run logs about 1,000 rows; keep the page light regardless
EQUILIBRIUM_D_LOSS = 2 * math.log(2)


def colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def thinned(history: pd.DataFrame, limit: int = MAX_POINTS_PER_TRACE) -> pd.DataFrame:
    """At most `limit` evenly spaced rows, the first and last always kept."""
    if len(history) <= limit:
        return history
    index = np.unique(np.linspace(0, len(history) - 1, limit).round().astype(int))
    return history.iloc[index]


def _layout(figure: go.Figure, title: str, y_title: str, log_y: bool = False) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        template="plotly_white",
        font={"size": FONT_SIZE},
        xaxis_title="step",
        yaxis_title=y_title,
        yaxis_type="log" if log_y else "linear",
        # Below the plot, where plotly makes room for however many runs wrap.
        legend={"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom"},
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        height=420,
        uirevision="compare",  # keep zoom when the page reruns
        hovermode="x unified",
    )
    return figure


def loss_figure(records: list[RunRecord]) -> go.Figure:
    """D's loss (solid) and G's loss (dotted) of each run against the step."""
    figure = go.Figure()
    for i, record in enumerate(records):
        history = thinned(record.history)
        for column, player, dash in (("loss_d", "D", "solid"), ("loss_g", "G", "dot")):
            figure.add_trace(
                go.Scatter(
                    x=history.step,
                    y=history[column],
                    name=f"{record.label} · {player}",
                    legendgroup=record.label,
                    mode="lines",
                    line={"color": colour(i), "dash": dash, "width": 2},
                )
            )
    if any(get_loss(r.config.loss).probability for r in records):
        # A legend entry rather than a text label: a label would sit on top of the curves.
        last = max((int(r.history.step.max()) for r in records if len(r.history)), default=1)
        figure.add_trace(
            go.Scatter(
                x=[0, last],
                y=[EQUILIBRIUM_D_LOSS] * 2,
                name="2·ln 2: D's loss at equilibrium",
                mode="lines",
                line={"color": "#555555", "dash": "dash", "width": 1},
                hoverinfo="skip",
            )
        )
    return _layout(figure, "Losses (D solid, G dotted)", "loss")


def distance_figure(records: list[RunRecord]) -> go.Figure:
    """The squared Fréchet distance to the target, on a log scale (it falls by decades)."""
    figure = go.Figure()
    for i, record in enumerate(records):
        history = thinned(record.history)
        # A log axis cannot show 0: an exact hit would otherwise vanish silently.
        distance = history.frechet.where(history.frechet > 0)
        figure.add_trace(
            go.Scatter(
                x=history.step,
                y=distance,
                name=record.label,
                legendgroup=record.label,
                mode="lines",
                line={"color": colour(i), "width": 2},
            )
        )
    return _layout(figure, "Squared Fréchet distance to the target", "distance (log)", log_y=True)
