"""Polylines with gaps in plotly.js: the figures send them as typed arrays with NaN between
the lines (`style.gap_path`, packed by `plotly_json.figure_json`); plotly.js must draw
them exactly as it draws the same lines given as lists with nulls, breaking the line at
every gap, on WebGL (the plane's overlays) and SVG traces alike.

No app: plotly.js itself (the copy the plotly package ships) in a blank page, the same
figure drawn both ways and compared pixel for pixel.
"""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path

import numpy as np
import plotly
import pytest
from playwright.sync_api import Page

from gan_core.figures import style
from gan_core.figures.plotly_json import figure_json

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
SIZE = 320  # pixels, each side of each plot


def lines() -> np.ndarray:
    """Three short horizontal strokes with wide empty spaces between them."""
    starts = np.array([0.0, 4.0, 8.0])
    xs = np.stack([starts, starts + 2.0], axis=1)
    ys = np.full_like(xs, 5.0)
    return np.stack([xs, ys], axis=2)  # (3 lines, 2 points, xy)


def figure(kind: str, x: object, y: object) -> dict:
    trace = dict(type=kind, x=x, y=y, mode="lines", line=dict(color="#000000", width=4))
    axis = dict(range=[-1, 11], autorange=False, visible=False)
    layout = dict(
        width=SIZE, height=SIZE, margin=dict(l=0, r=0, t=0, b=0), showlegend=False,
        xaxis=axis, yaxis=axis,
    )  # fmt: skip
    return dict(data=[trace], layout=layout)


def draw(page: Page, figures: dict[str, str]) -> dict[str, bytes]:
    """Each figure (its JSON) drawn in a div of its own; each div's screenshot."""
    page.set_content("<html><body style='margin:0;background:white'></body></html>")
    page.add_script_tag(path=str(PLOTLY_JS))
    shots = {}
    for name, text in figures.items():
        page.evaluate(
            """async ([name, text, size]) => {
                const div = document.createElement("div");
                div.id = name;
                div.style.width = div.style.height = `${size}px`;
                document.body.appendChild(div);
                const fig = JSON.parse(text);
                await Plotly.newPlot(div, fig.data, fig.layout, {staticPlot: true});
            }""",
            [name, text, SIZE],
        )
        shots[name] = page.locator(f"#{name}").screenshot()
    return shots


def dark_columns(page: Page, png: bytes) -> list[bool]:
    """For each pixel column along the row most drawn on (the strokes'), whether it is
    drawn dark."""
    return page.evaluate(
        """async (data) => {
            const image = new Image();
            image.src = "data:image/png;base64," + data;
            await image.decode();
            const canvas = document.createElement("canvas");
            canvas.width = image.width; canvas.height = image.height;
            const context = canvas.getContext("2d");
            context.drawImage(image, 0, 0);
            let best = [];
            for (let row = 0; row < image.height; row++) {
                const pixels = context.getImageData(0, row, image.width, 1).data;
                const dark = [];
                for (let i = 0; i < pixels.length; i += 4) dark.push(pixels[i] < 128);
                if (dark.filter(Boolean).length > best.filter(Boolean).length) best = dark;
            }
            return best;
        }""",
        base64.b64encode(png).decode("ascii"),
    )


@pytest.mark.parametrize("kind", ["scattergl", "scatter"])
def test_nan_gaps_in_typed_arrays_draw_as_nulls_in_lists_do(page: Page, kind: str) -> None:
    path = style.gap_path(lines())
    assert path.dtype == np.float32 and np.isnan(path).any()
    # The same numbers both ways: a gap as NaN in a typed array, or as null in a list.
    listed = [[None if math.isnan(v) else float(v) for v in path[:, k]] for k in (0, 1)]
    typed = figure_json(figure(kind, path[:, 0], path[:, 1]))
    assert '"bdata"' in typed and "null" not in typed
    joined = path[~np.isnan(path[:, 0])]  # no gaps: one line through every point
    shots = draw(
        page,
        {
            "typed": typed,
            "listed": json.dumps(figure(kind, *listed)),
            "joined": figure_json(figure(kind, joined[:, 0], joined[:, 1])),
        },
    )
    assert shots["typed"] == shots["listed"]  # pixel for pixel
    assert shots["typed"] != shots["joined"]
    dark = dark_columns(page, shots["typed"])
    # Three strokes, so three dark runs along the row: broken twice, at the gaps.
    runs = sum(1 for i, d in enumerate(dark) if d and (i == 0 or not dark[i - 1]))
    assert runs == 3, dark
