"""Live plotly charts that update in place: one small custom component, one iframe.

Streamlit 1.67's `st.plotly_chart` folds the figure into the element's identity, so a new
frame remounts the chart: the viewer's zoom is lost (uirevision cannot help) and every
frame pays for a new WebGL context, which is what a busy or GPU-less machine chokes on.
This component keeps one iframe for the whole chart area and hands each frame's figures
to `Plotly.react`, which keeps zoom and pan (uirevision) and reuses the WebGL context.

Kept hand-written for that reason: the live view's 5 frames a second and 0.3 s from Train
to the first frame (README, "Live view") were measured with it; none with `st.plotly_chart`.

plotly.js itself is the copy the `plotly` Python package ships; a second component is
declared on that package's data directory only so that Streamlit serves the file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import plotly
import streamlit.components.v1 as components

ASSETS = Path(__file__).resolve().parent / "plotly_frame_assets"
PLOTLY_DATA = Path(plotly.__file__).resolve().parent / "package_data"

_frame = components.declare_component("plotly_frame", path=str(ASSETS))
_plotly_js = components.declare_component("plotly_js", path=str(PLOTLY_DATA))
# The frame is served at /component/<frame name>/index.html; plotly.js next to it.
PLOTLY_SRC = f"../{_plotly_js.name}/plotly.min.js"
FEED_INTERVAL_MS = 200  # five frames a second, at most, from a feed


@dataclass(frozen=True)
class Chart:
    id: str  # stable across frames: the chart's div keeps its plot (and its zoom)
    figure: str  # the figure as plotly JSON ("" when the frame fetches it from a feed)
    height: int  # pixels: all it takes (a chart that fits the window takes at most this)
    column: int  # which column of the frame it stacks in
    # None: always `height`. Else the chart fits the browser window: the charts of its
    # column that fit share the window's height less the page's `reserve`, each getting
    # at least this many pixels and at most `height`.
    least: int | None = None


@dataclass(frozen=True)
class Sizing:
    reserve: int = 0  # pixels of the window's height kept for the rest of the page
    font_scale: float = 1.0  # every chart's text, larger for a projector


def show(
    charts: list[Chart],
    columns: list[float],
    key: str,
    sizing: Sizing = Sizing(),
    feed: str | None = None,
    status: str = "",
    numbers: object = None,
    maths: dict | None = None,
) -> None:
    """Draw `charts` in columns of the given relative widths; later calls update them.

    With a `feed` (an address on this server, `chart_feed`), the frame asks it for each
    new frame's figures, FEED_INTERVAL_MS apart at most, and draws those: the page itself
    then sends only the charts' places, and need not run at the charts' frame rate. The
    feed brings the numbers above the charts too, which the frame writes into the page's
    elements, and the run's status: when that is no longer `status`, the one the page
    drew, the frame asks the page to run again (its component value changes). The page's
    own `numbers` (a dataclass), if given, are written back over the feed's. `maths`, if
    given, are formulas drawn below the charts (a tree of MathML tags, `live_maths`); a
    feed sends them with each frame.

    The frame sizes the charts that fit the window from the browser's own window height,
    which only the browser knows, and again whenever the window is resized. It also
    shrinks a title that would not fit its chart's width, so no title is ever cut off."""
    _frame(
        plotly_src=PLOTLY_SRC,
        columns=list(columns),
        charts=[asdict(chart) for chart in charts],
        sizing=asdict(sizing),
        feed=feed,
        status=status,
        numbers=asdict(numbers) if numbers is not None else None,
        maths=maths,
        feed_interval_ms=FEED_INTERVAL_MS,
        key=key,
        default=None,
    )
