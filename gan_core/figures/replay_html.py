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
from gan_core.figures.plane import DEFAULT_LAYERS, plane_figure
from gan_core.formatting import format_distance
from gan_core.i18n import _, current_language
from gan_core.targets import mixture_modes, plot_bounds
from gan_core.training.timeline import Replayer, TimelineFrame

MAX_FRAMES = 100
N_POINTS = 300
FIELD_RESOLUTION = 30
N_ARROWS = 30
FRAME_MS = 120  # a frame's time on screen while playing: 100 frames in 12 s
DIV_ID = "ganscope-replay"
# The classic plane: D's view, the contours and G's push. Every frame must draw the same
# traces in the same order (an animation frame updates traces by index); the newer layers
# (D*'s line, G's warp) come and go with the run's state, so they stay on the live page.
REPLAY_LAYERS = DEFAULT_LAYERS
# The file is read wherever it is opened, often with none of the page's fonts: plotly's own
# Latin faces first, then a CJK face for Chinese text (a slide laptop may have any of these).
FONT_FAMILY = (
    '"Open Sans", verdana, arial, "Noto Sans CJK SC", "Source Han Sans SC", '
    '"PingFang SC", "Microsoft YaHei", sans-serif'
)
HTML_LANGUAGES = {"en": "en", "zh": "zh-Hans"}  # the page's `lang`, which picks CJK glyphs


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
    modes = mixture_modes(config.target)
    replayer = Replayer(
        config, chosen, N_POINTS, FIELD_RESOLUTION, plot_bounds(config.target), N_ARROWS
    )
    snapshots = [replayer.snapshot(index) for index in range(len(chosen))]
    # One set of axes for the whole run: every frame's own bounds (they follow G) in one box.
    bounds = _union(
        [s.bounds if s.bounds is not None else plot_bounds(config.target) for s in snapshots]
    )
    planes = []
    for snapshot in snapshots:
        plane = plane_figure(snapshot, bounds, REPLAY_LAYERS, modes, uirevision="replay")
        distance = format_distance(snapshot.metrics.get("frechet", float("nan")))
        heading = _("{title} · step {step} of {total} · Fréchet² {distance}").format(
            title=title,
            step=f"{snapshot.step:,}",
            total=f"{snapshot.total_steps:,}",
            distance=distance,
        )
        planes.append((str(snapshot.step), _svg(plane.data), heading))
    first = plane_figure(snapshots[0], bounds, REPLAY_LAYERS, modes, uirevision="replay")
    moving = _moving([data for _, data, _ in planes])
    layout = first.layout.to_plotly_json()
    layout.update(
        title=dict(text=planes[0][2], x=0.01, xanchor="left"),
        font=dict(layout.get("font", {}), family=FONT_FAMILY),
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
    """`replay_figure` as a whole HTML page with plotly.js inside it: no network needed.

    In the current language: the page's when downloaded from it, English from the CLI."""
    figure = replay_figure(config, frames, title)
    page = figure.to_html(
        include_plotlyjs=True,
        full_html=True,
        div_id=DIV_ID,
        auto_play=False,
        config={"displaylogo": False, "responsive": True},
    )
    return page.replace("<html>", f'<html lang="{HTML_LANGUAGES[current_language()]}">', 1)


def _union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (
        min(b[0] for b in boxes),
        max(b[1] for b in boxes),
        min(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _moving(planes: list[list[dict[str, Any]]]) -> list[int]:
    """The indices of the traces whose data differs between frames (G's, D's), not those
    that stay (the real points, the target's contours)."""
    first = planes[0]
    return [
        i
        for i in range(len(first))
        if any(i >= len(plane) or not _same(first[i], plane[i]) for plane in planes[1:])
    ]


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("name") != b.get("name"):
        return False
    for key in ("x", "y", "z"):
        x, y = a.get(key), b.get(key)
        if (x is None) != (y is None):
            return False
        if x is not None and not _equal(x, y):
            return False
    return True


def _equal(a: Any, b: Any) -> bool:
    # A polyline's gaps are NaN, which equals nothing: the same gaps at the same places count
    # as equal. Anything not all floats is compared item by item.
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a.astype(object), b.astype(object)))


def _changes(trace: dict[str, Any]) -> dict[str, Any]:
    """Only what moves from frame to frame: the file carries each frame's changes, not the
    styling or the real points again. D's grid moves with the bounds, so its axes come too."""
    if trace["type"] == "heatmap":
        return dict(type="heatmap", x=trace["x"], y=trace["y"], z=trace["z"])
    return dict(
        type=trace["type"], name=trace.get("name"), x=_rounded(trace["x"]), y=_rounded(trace["y"])
    )


def _rounded(values: Any) -> Any:
    # A thousandth of a unit is far below a pixel of any plot here; JSON text of shorter
    # numbers keeps a frame small. Binary arrays are compact in float32.
    if isinstance(values, list):
        return [None if v is None else round(float(v), 3) for v in values]
    if isinstance(values, np.ndarray) and values.dtype == np.float64:
        return values.astype(np.float32)  # G's ellipse, sent in full to the live view
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
    # The step's words round its number, as the language puts them ("step 12", "第 12 步").
    prefix, _step, suffix = _("step {step}").partition("{step}")
    return dict(
        active=0,
        currentvalue=dict(prefix=prefix, suffix=suffix, font=dict(size=15)),
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
            dict(label="▶ " + _("Play"), method="animate", args=[None, play]),
            dict(label="❚❚ " + _("Pause"), method="animate", args=[[None], pause]),
        ],
    )
