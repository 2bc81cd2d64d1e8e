"""Colours, fonts and the layout every chart shares, so the charts read as one set.

Colours are from the Okabe-Ito palette, which stays distinguishable under the common
forms of colour blindness and on washed-out projectors.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from numpy.typing import ArrayLike

REAL = "#0072B2"  # blue
FAKE = "#D55E00"  # vermillion
D_COLOUR = "#009E73"  # bluish green: the discriminator's curves
G_COLOUR = "#CC79A7"  # reddish purple: the generator's curves
INK = "#222222"  # arrows, mode crosses, reference lines: neutral and dark on any background
# Contours take their side's colour (target: REAL, generator: FAKE) and differ by dash as
# well, for whoever cannot tell the hues apart; a white halo under them keeps a blue line
# readable over the blue cloud.
TARGET_DASH = "solid"
GENERATOR_DASH = "dash"
HALO = "rgba(255, 255, 255, 0.85)"
# Runs overlaid on one chart (the Compare page) each take one of these, in order; yellow
# last, as it is faint on white.
RUN_COLOURS = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)

FONT_SIZE = 15  # readable from the back of a classroom
MARGIN = dict(l=56, r=16, t=48, b=48)


def run_colour(index: int) -> str:
    """The colour of the index-th run on an overlay; past eight, the colours repeat."""
    return RUN_COLOURS[index % len(RUN_COLOURS)]


def base_layout(title: str, uirevision: str) -> dict[str, Any]:
    """Layout keys every figure starts from.

    `uirevision` stays the same from frame to frame, so plotly keeps the viewer's zoom, pan
    and legend clicks when a new figure replaces the old one.
    """
    return dict(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=FONT_SIZE + 2)),
        template=_template(),  # shared: `figure` copies it for a figure that may be edited
        font=dict(size=FONT_SIZE),
        margin=MARGIN,
        uirevision=uirevision,
        # Legend along the figure's bottom edge: out of the way of the title and the data,
        # and plotly grows the bottom margin to fit it however many entries wrap.
        legend=dict(orientation="h", x=0, xanchor="left", yref="container", y=0, yanchor="bottom"),
    )


def compact(values: ArrayLike) -> np.ndarray:
    """float32 copy of an array: half the bytes per frame, far more precision than pixels."""
    return np.asarray(values, dtype=np.float32)


def polylines_trace(lines: ArrayLike, name: str, line: dict[str, Any]) -> dict[str, Any]:
    """Polylines (n, points, 2) as one WebGL line trace, split by gaps: one trace, however
    many lines (arrows, warp lines, contour pieces), so one legend entry and one draw."""
    path = gap_path(lines)
    return dict(
        type="scattergl",
        x=path[:, 0],
        y=path[:, 1],
        mode="lines",
        name=name,
        line=line,
        hoverinfo="skip",
    )


def gap_path(lines: ArrayLike, dtype: type[np.floating] = np.float32) -> np.ndarray:
    """Polylines (n, points, 2) as one path (n·(points + 1), 2), each line followed by a
    NaN row. Sent as a typed array, a NaN is a gap where plotly.js breaks the line, on SVG
    and WebGL traces alike, as it does at a null in a list. float32 by default: far more
    precision than pixels, 4 bytes a coordinate instead of a float's decimal text."""
    lines = np.asarray(lines, dtype=dtype)
    count, points = lines.shape[:2]
    path = np.full((count, points + 1, 2), np.nan, dtype=dtype)
    path[:, :points] = lines
    return path.reshape(-1, 2)


def spec(data: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    """A figure as plain dicts, for `plotly_json.figure_json` (the live view) or `figure`."""
    return dict(data=data, layout=layout)


def figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A figure from plain trace and layout dicts, without plotly's validation.

    Validating builds an object per property and costs tens of milliseconds a figure,
    several times the figure's drawing; the live view builds four figures a few times a
    second, so the builders write plotly's JSON schema directly (the tests check it).
    Measured on the live view: a frame's four figures took 190 ms validated, 12 ms written
    this way (README, "Live view"). The live view itself skips the Figure altogether
    (`plotly_json`).
    """
    if "template" in layout:  # a copy: a figure may be edited later
        layout = {**layout, "template": copy.deepcopy(layout["template"])}
    return go.Figure(dict(data=data, layout=layout), _validate=False)


def as_figure(plain: dict[str, Any]) -> go.Figure:
    return figure(plain["data"], plain["layout"])


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    # Expanded once: an unvalidated figure would otherwise send the template's bare name,
    # which only the Python side knows.
    return pio.templates["plotly_white"].to_plotly_json()
