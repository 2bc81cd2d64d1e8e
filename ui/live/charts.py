"""The charts of the live view: the only place that calls the figure builders.

The plane sits on the left, the three curves stack on the right, all drawn by one
`plotly_frame` that updates them in place (so zoom and pan survive new frames).

A figure is rebuilt only when its data changed (a new frame), not on every poll or layer
toggle. While a run is going, the three curves are also held to a time budget: they are
rebuilt at most every CURVE_REFRESH_S, and on a busy machine only as often as lets them
use at most CURVE_SHARE of the time, while the plane and the numbers keep their full rate.

The figures are built here, in the page's script thread, so their titles, axes and legends
come out in the reader's language; the language is part of what a kept figure was built
with, so a switch of language rebuilds them at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from gan_core.figures import LAYERS
from gan_core.figures.curves import distance_spec, loss_spec
from gan_core.figures.plane import DEFAULT_LAYERS, plane_spec
from gan_core.figures.plotly_json import figure_json
from gan_core.figures.signals import d_signals_spec
from gan_core.i18n import N_, _, current_language
from gan_core.jobs.status import RunStatus
from gan_core.targets import mixture_modes
from gan_core.training.history import LogRows, log_rows
from gan_core.training.losses import EQUILIBRIUM_D_LOSS, get_loss
from ui import present_mode
from ui.live.metrics_row import Numbers
from ui.live.plotly_frame import Chart, Sizing, show
from ui.live.view_state import ViewState

LAYER_KEY = "plane_layers"
LAYER_LABELS = {  # translated where shown
    "field": N_("D's view (heatmap)"),
    "ellipses": N_("1σ / 2σ ellipses"),
    "arrows": N_("G's push"),
    "optimal": N_("Best D*"),
    "warp": N_("G's warp"),
    "maths": N_("The maths"),
}
# The newer views, each with a line of help (the pills' tooltip lists them).
LAYER_HELP = {
    "optimal": N_(
        "the best discriminator for the current G, D*(x) = p_data / (p_data + p_G), "
        "drawn as its 0.5 line over D's heatmap: how far D's white band is from it is how "
        "far D is from the best it could be. Exact for a Gaussian target and an affine G of "
        "Gaussian noise; left out otherwise."
    ),
    "warp": N_(
        "a 9 × 9 grid of lines over ±2σ of the noise (±1 for uniform noise), pushed "
        "through G: how G stretches, turns and folds its noise plane. With more than two "
        "noise dimensions the grid spans the first two and holds the others at 0."
    ),
    "maths": N_(
        "G(z) = zW + c with the current W and c, and G's mean and covariance beside "
        "the target's, below the charts. The distance chart's JSD curve (right axis) is the "
        "Jensen–Shannon divergence: at the best D, V(D*, G) = −2 ln 2 + 2·JSD, which is why "
        "D's loss settles at 2 ln 2 = 1.386 as JSD falls to 0."
    ),
}
COLUMNS = [11, 9]  # plane : curves
# Heights follow the browser window (plotly_frame): at most these, at least the LEAST ones.
PLANE_HEIGHT = 640
PLANE_LEAST = 400
CURVE_HEIGHT = 250
CURVE_LEAST = 200  # below this a curve's title, axes and legend leave no room for the line
# Pixels of the window kept for what is above the plane on the first screen (the header,
# the run buttons, the status and the numbers), so a 720-px projector shows the plane whole.
PAGE_RESERVE = 300
# Present mode: only the run buttons above; the plane and the curves share the rest.
PRESENT_RESERVE = 100
PRESENT_CURVE_LEAST = 160
PRESENT_FONT_SCALE = 1.2
FRAME_KEY = "live_charts"
CURVES = ("loss", "accuracy", "distance")  # the right-hand column, top to bottom
CACHE_KEY = "figure_cache"
ROWS_KEY = "log rows"  # in the figure cache: (the history last read, its LogRows)
CURVE_SHARE = 0.25  # of wall time, at most, spent rebuilding curves during a run
# During a run a curve gains a point or two a frame, a change no one sees at five frames a
# second: rebuilt at most this often, the curves cost the server a fraction of the plane.
CURVE_REFRESH_S = 0.5


@dataclass
class _Built:
    sources: tuple  # the very objects the figure was built from
    options: object
    json: str  # the figure as plotly JSON
    at: float  # time.monotonic() when built
    took: float  # seconds the build took


def layer_toggles() -> frozenset[str]:
    if LAYER_KEY not in st.session_state:
        st.session_state[LAYER_KEY] = sorted(DEFAULT_LAYERS)
    chosen = st.pills(
        _("Layers"),
        list(LAYER_LABELS),
        selection_mode="multi",
        key=LAYER_KEY,
        format_func=lambda layer: _(LAYER_LABELS[layer]),
        label_visibility="collapsed",
        help="\n\n".join(
            _("**{layer}**: {text}").format(layer=_(LAYER_LABELS[k]), text=_(text))
            for k, text in LAYER_HELP.items()
        ),
    )
    return frozenset(chosen or ())


def render(
    view: ViewState,
    layers: frozenset[str],
    feed: str | None = None,
    numbers: Numbers | None = None,
    maths: dict | None = None,
) -> None:
    """Draw the charts. With a `feed` (the address of this page's chart feed, while a run
    trains) the frame fetches each new frame's figures from there itself, and the page
    sends only the charts' places and sizes; otherwise the figures go with the page.
    `numbers` are the ones the page drew above the charts: the frame writes them back
    over any it wrote from the feed, so the page's latest always stands. `maths` are the
    formulas the frame draws below the charts (`live_maths`), None for none."""
    present = present_mode.on()
    figures = {} if feed else build(view, layers, st.session_state.setdefault(CACHE_KEY, {}))
    charts = [
        Chart(chart_id, figures.get(chart_id, ""), height, column, least)
        for chart_id, (height, column, least) in _places(present).items()
    ]
    sizing = _sizing(present)
    show(
        charts,
        COLUMNS,
        FRAME_KEY,
        sizing,
        feed=feed,
        status=view.status,
        numbers=numbers,
        maths=maths,
    )


def build(view: ViewState, layers: frozenset[str], cache: dict) -> dict[str, str]:
    """Each chart's figure as plotly JSON, by chart id, in the current language. `cache`
    keeps the figures last built (per page, or per chart feed) and what they were built
    from, so a figure whose data did not change is not built again."""
    config = view.config
    # D's loss settles at 2·ln 2 only where D gives a probability (the cross-entropy family).
    equilibrium = EQUILIBRIUM_D_LOSS if get_loss(config.loss).probability else None
    exact = config.has_exact_metrics
    modes = mixture_modes(config.target)
    running = view.status == RunStatus.RUNNING
    language = current_language()  # a figure kept from another language is not reused
    figures = {
        "plane": _figure(
            cache,
            "plane",
            (view.snapshot,),
            (layers, language),
            lambda: plane_spec(view.snapshot, view.bounds, layers=layers & LAYERS, modes=modes),
            throttle=False,
        )
    }
    # Per run: a new run, or Reset, must not inherit the last run's axes.
    run = view.run
    curves = {
        "loss": lambda: loss_spec(view.history, equilibrium, uirevision=f"loss {run}"),
        "accuracy": lambda: d_signals_spec(view.history, config.loss, f"accuracy {run}"),
        "distance": lambda: distance_spec(view.history, exact, uirevision=f"distance {run}"),
    }
    options = (equilibrium, exact, config.loss, run, language)
    # A frame may bring a new history object, new rows or not (a long run logs a row only
    # every few hundred steps): the curves are keyed on the rows it holds. Reading them
    # costs pandas a third of a millisecond, so not again for the history last read.
    last = cache.get(ROWS_KEY)
    rows = last[1] if last is not None and last[0] is view.history else log_rows(view.history)
    cache[ROWS_KEY] = (view.history, rows)
    for name, build_curve in curves.items():
        figures[name] = _figure(cache, name, (rows,), options, build_curve, throttle=running)
    return figures


def _places(present: bool) -> dict[str, tuple[int, int, int | None]]:
    """(height, column, least) of each chart, by id: the plane, then the three curves."""
    places = {"plane": (PLANE_HEIGHT, 0, PLANE_LEAST)}
    for name in CURVES:
        places[name] = _curve_height(present)
    return places


def _curve_height(present: bool) -> tuple[int, int, int | None]:
    """(height, column, least) of a curve. Presenting, the curves share the plane's height;
    otherwise they keep theirs and the page scrolls to them."""
    if present:
        return PLANE_HEIGHT, 1, PRESENT_CURVE_LEAST
    return CURVE_HEIGHT, 1, None


def _sizing(present: bool) -> Sizing:
    if present:
        return Sizing(reserve=PRESENT_RESERVE, font_scale=PRESENT_FONT_SCALE)
    return Sizing(reserve=PAGE_RESERVE)


def _figure(cache: dict, name: str, sources: tuple, options, build, throttle: bool) -> str:
    """The JSON of the figure last built for `name` if still current, else of a new one.

    Frames are immutable and each new one brings new objects, so identity tells whether
    the data changed; the cache holds the sources, so an identity cannot be reused. A
    history is stood for by its `LogRows`, compared by value.
    """
    last: _Built | None = cache.get(name)
    now = time.monotonic()
    if last is not None and last.options == options:
        if all(a is b or (type(a) is LogRows and a == b) for a, b in zip(last.sources, sources)):
            return last.json
        if throttle and now - last.at < max(CURVE_REFRESH_S, last.took / CURVE_SHARE):
            return last.json
    # Plain dicts straight to JSON: no plotly Figure, whose to_json cost more than the build.
    built = figure_json(build())
    cache[name] = _Built(sources, options, built, now, time.monotonic() - now)
    return built
