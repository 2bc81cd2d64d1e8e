"""A run as one self-contained HTML file that plays it: for slides, or a laptop offline.

The plane at the run's timeline frames becomes one plotly figure with animation frames, a
step slider and Play / Pause buttons. plotly.js is written into the file, so it needs no
network, and its size stays bounded: at most `MAX_FRAMES` frames, each of at most
`N_POINTS` points a side and a `FIELD_RESOLUTION`² grid of D's view, sent as binary arrays
(about 5 MB of plotly.js and under 2 MB of run, whatever the run's length).

The points are drawn as SVG rather than WebGL here: a slide deck or an old projector
laptop may have no WebGL, and SVG traces animate from frame to frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from gan_core.config import GanConfig
from gan_core.figures.plane import LAYERS, plane_figure
from gan_core.formatting import format_distance
from gan_core.targets import mixture_modes, plot_bounds
from gan_core.training.timeline import Replayer, TimelineFrame

MAX_FRAMES = 100
N_POINTS = 300
FIELD_RESOLUTION = 30
N_ARROWS = 30
FRAME_MS = 120  # a frame's time on screen while playing: 100 frames in 12 s
DIV_ID = "ganscope-replay"
# The traces that change from frame to frame, by the names `plane_figure` gives them.
MOVING = frozenset({"D(x)", "critic score", "fake", "G's push"}) | {
    f"generator ({how}) 1σ, 2σ" for how in ("exact", "fitted")
}


def evenly_spaced(frames: Sequence[TimelineFrame], limit: int) -> list[TimelineFrame]:
    """At most `limit` frames, evenly spaced, always keeping the first and the last."""
    if len(frames) <= limit:
        return list(frames)
    keep = np.unique(np.linspace(0, len(frames) - 1, max(limit, 2)).round().astype(int))
    return [frames[i] for i in keep]


def replay_figure(config: GanConfig, frames: Sequence[TimelineFrame], title: str) -> go.Figure:
    """The run's plane at each of (at most MAX_FRAMES of) its frames, with a slider and
    Play / Pause buttons; it opens at the first frame, so Play plays the whole run."""
    chosen = evenly_spaced(frames, MAX_FRAMES)
    bounds = plot_bounds(config.target)
    modes = mixture_modes(config.target)
    replayer = Replayer(config, chosen, N_POINTS, FIELD_RESOLUTION, bounds, N_ARROWS)
    planes = []
    for index in range(len(chosen)):
        snapshot = replayer.snapshot(index)
        plane = plane_figure(snapshot, bounds, LAYERS, modes, uirevision="replay")
        distance = format_distance(snapshot.metrics.get("frechet", float("nan")))
        heading = f"{title} · step {snapshot.step:,} of {snapshot.total_steps:,}"
        planes.append((str(snapshot.step), _svg(plane.data), f"{heading} · Fréchet² {distance}"))
    first = plane_figure(replayer.snapshot(0), bounds, LAYERS, modes, uirevision="replay")
    moving = [i for i, trace in enumerate(planes[0][1]) if trace.get("name") in MOVING]
    layout = first.layout.to_plotly_json()
    layout.update(
        title=dict(text=planes[0][2], x=0.01, xanchor="left"),
        height=720,
        margin=dict(l=56, r=16, t=56, b=150),
        sliders=[_slider([name for name, _, _ in planes])],
        updatemenus=[_buttons()],
    )
    animation = [
        dict(
            name=name,
            data=[_changes(data[i]) for i in moving],
            traces=moving,
            layout=dict(title=dict(text=text)),
        )
        for name, data, text in planes
    ]
    return go.Figure(dict(data=planes[0][1], layout=layout, frames=animation), _validate=False)


def replay_html(config: GanConfig, frames: Sequence[TimelineFrame], title: str) -> str:
    """`replay_figure` as a whole HTML page with plotly.js inside it: no network needed."""
    figure = replay_figure(config, frames, title)
    return figure.to_html(
        include_plotlyjs=True,
        full_html=True,
        div_id=DIV_ID,
        auto_play=False,
        config={"displaylogo": False, "responsive": True},
    )


def _changes(trace: dict[str, Any]) -> dict[str, Any]:
    """Only what moves from frame to frame: the file carries each frame's changes, not the
    grid, the styling or the real points again."""
    if trace["type"] == "heatmap":
        return dict(type="heatmap", z=trace["z"])
    return dict(type=trace["type"], x=_rounded(trace["x"]), y=_rounded(trace["y"]))


def _rounded(values: Any) -> Any:
    # A thousandth of a unit is far below a pixel of any plot here; JSON text of shorter
    # numbers keeps a frame small. Binary arrays are already compact.
    if isinstance(values, list):
        return [None if v is None else round(float(v), 3) for v in values]
    return values


def _svg(data: Sequence[Any]) -> list[dict[str, Any]]:
    traces = []
    for trace in data:
        plain = trace.to_plotly_json()
        if plain.get("type") == "scattergl":
            plain["type"] = "scatter"
        traces.append(plain)
    return traces


def _slider(names: list[str]) -> dict[str, Any]:
    return dict(
        active=0,
        currentvalue=dict(prefix="step ", font=dict(size=15)),
        pad=dict(t=60, b=10),
        len=0.9,
        x=0.1,
        y=0,
        yanchor="top",
        steps=[
            dict(
                label=name,
                method="animate",
                args=[[name], dict(mode="immediate", frame=dict(duration=0, redraw=True))],
            )
            for name in names
        ],
    )


def _buttons() -> dict[str, Any]:
    play = dict(
        frame=dict(duration=FRAME_MS, redraw=True),
        transition=dict(duration=0),
        fromcurrent=True,
        mode="immediate",
    )
    pause = dict(frame=dict(duration=0, redraw=False), mode="immediate")
    return dict(
        type="buttons",
        direction="left",
        showactive=False,
        x=0.1,
        xanchor="right",
        y=0,
        yanchor="top",
        pad=dict(t=68, r=10),
        buttons=[
            dict(label="▶ Play", method="animate", args=[None, play]),
            dict(label="❚❚ Pause", method="animate", args=[[None], pause]),
        ],
    )
