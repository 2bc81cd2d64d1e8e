"""One published run drawn small: its final plane and its distance curve, built once per state.

A finished run never changes, so a tile is cached by run id, the moment the run was last
written (a run still training gets a new tile as its log grows) and the language its charts'
words are in. The plane is drawn in SVG,
not WebGL: a browser allows only a dozen or so WebGL canvases at once, and a board shows
two dozen planes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from gan_core.figures import style
from gan_core.figures.curves import distance_figure
from gan_core.figures.plane import plane_figure
from gan_core.i18n import current_language
from gan_core.jobs.protocol import ViewOptions
from gan_core.store.run_store import RunStore
from gan_core.store.stored_run import NoSavedState, StoredRun

TILE_VIEW = ViewOptions(n_points=150, field_resolution=24, n_arrows=0)
PLANE_HEIGHT = 250
CURVE_HEIGHT = 130
CURVE_POINTS = 200
SMALL_FONT = 11
TILES_KEPT = 256  # a class's worth of boards


@dataclass(frozen=True)
class Tile:
    run_id: int
    label: str
    status: str
    plane: go.Figure | None  # None: no saved weights yet (the run is still training)
    curve: go.Figure
    distance: float  # the last logged one; NaN if none


def tile(store: RunStore, run_id: int, updated: pd.Timestamp) -> Tile:
    """The run's tile; DamagedRun (a ConfigError) or RunNotFound if it cannot be drawn."""
    return _cached_tile(store.identity, run_id, updated.value, current_language(), store)


@st.cache_resource(show_spinner=False, max_entries=TILES_KEPT)
def _cached_tile(
    store_identity: str, run_id: int, updated_ns: int, language: str, _store: RunStore
) -> Tile:
    # Keyed by the store (its file, or its database's URL without the password), the run,
    # when it was last written and the language of the charts' words (built here, in this
    # session's thread); not by the store object.
    try:
        stored = StoredRun.open(_store, run_id, TILE_VIEW)
    except NoSavedState:
        record = _store.get_run(run_id)
        plane = None
    else:
        record = stored.record
        snapshot = stored.frame().snapshot
        plane = (
            None
            if snapshot is None
            else small_plane(
                plane_figure(
                    snapshot,
                    stored.bounds,
                    layers={"field", "ellipses"},
                    max_points=TILE_VIEW.n_points,
                )
            )
        )
    history = record.history
    finite = history["frechet"][history["frechet"].map(math.isfinite)]
    return Tile(
        run_id=run_id,
        label=record.label,
        status=record.state,
        plane=plane,
        curve=sparkline(
            distance_figure(history, record.config.has_exact_metrics, max_points=CURVE_POINTS)
        ),
        distance=float(finite.iloc[-1]) if len(finite) else math.nan,
    )


def small_plane(figure: go.Figure) -> go.Figure:
    """The plane at tile size: SVG points, no title, legend or colour bar."""
    data = []
    for trace in figure.to_plotly_json()["data"]:
        trace = dict(trace)
        if trace.get("type") == "scattergl":
            trace["type"] = "scatter"
        if "marker" in trace:
            trace["marker"] = {**trace["marker"], "size": 4}
        if trace.get("type") == "heatmap":
            trace["showscale"] = False
        data.append(trace)
    layout = _small_layout(figure, PLANE_HEIGHT)
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {**layout.get(axis, {}), "title": None, "showticklabels": False}
    return style.figure(data, layout)


def sparkline(figure: go.Figure) -> go.Figure:
    """The distance curve at tile size: the line and its log axis, nothing else."""
    layout = _small_layout(figure, CURVE_HEIGHT)
    layout["xaxis"] = {**layout.get("xaxis", {}), "title": None}
    layout["yaxis"] = {**layout.get("yaxis", {}), "title": None}
    return style.figure(list(figure.to_plotly_json()["data"]), layout)


def _small_layout(figure: go.Figure, height: int) -> dict[str, Any]:
    layout = dict(figure.to_plotly_json()["layout"])
    layout.update(
        title=None,
        height=height,
        showlegend=False,
        font=dict(size=SMALL_FONT),
        margin=dict(l=36, r=6, t=6, b=24),
        hovermode=False,
    )
    return layout
