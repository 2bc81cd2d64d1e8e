"""The charts of the live view: the only place that calls the figure builders.

Each chart keeps one element key and one `uirevision` across frames, so Streamlit updates
the chart in place and plotly keeps the viewer's zoom and hidden legend entries. A figure
is rebuilt only when its data changed (a new frame), not on every poll or layer toggle.
"""

from __future__ import annotations

import streamlit as st

from gan_core.figures import (
    LAYERS,
    accuracy_figure,
    distance_figure,
    loss_figure,
    plane_figure,
)
from gan_core.losses import EQUILIBRIUM_D_LOSS
from gan_core.targets import mixture_modes
from ui.view_state import ViewState

LAYER_KEY = "plane_layers"
LAYER_LABELS = {"field": "D's view (heatmap)", "ellipses": "1σ / 2σ ellipses", "arrows": "G's push"}
CROSS_ENTROPY_FAMILY = ("cross_entropy", "minimax")
PLANE_HEIGHT = 620
CURVE_HEIGHT = 250
PLOTLY_CONFIG = {"displaylogo": False, "scrollZoom": False}
CACHE_KEY = "figure_cache"


def layer_toggles() -> frozenset[str]:
    if LAYER_KEY not in st.session_state:
        st.session_state[LAYER_KEY] = sorted(LAYERS)
    chosen = st.pills(
        "Layers",
        list(LAYER_LABELS),
        selection_mode="multi",
        key=LAYER_KEY,
        format_func=LAYER_LABELS.get,
        label_visibility="collapsed",
    )
    return frozenset(chosen or ())


def plane(view: ViewState, layers: frozenset[str]) -> None:
    if view.snapshot is None:
        st.info("The first frame is on its way…")
        return

    def build():
        modes = mixture_modes(view.config.target)
        figure = plane_figure(view.snapshot, view.bounds, layers=layers, modes=modes)
        return figure.update_layout(height=PLANE_HEIGHT)

    _show(_figure("plane", (view.snapshot,), layers, build), "plane_chart")


def curves(view: ViewState) -> None:
    config = view.config
    equilibrium = EQUILIBRIUM_D_LOSS if config.loss in CROSS_ENTROPY_FAMILY else None
    exact = config.has_exact_metrics
    builders = {
        "loss": lambda: loss_figure(view.history, equilibrium=equilibrium),
        "accuracy": lambda: accuracy_figure(view.history),
        "distance": lambda: distance_figure(view.history, exact=exact),
    }
    for name, build in builders.items():
        figure = _figure(
            name,
            (view.history,),
            (equilibrium, exact),
            lambda build=build: build().update_layout(height=CURVE_HEIGHT),
        )
        _show(figure, f"{name}_chart")


def _figure(name: str, sources: tuple, options, build):
    """The figure last built for `name` if built from these very objects with these options.

    Frames are immutable and each new one brings new objects, so identity tells whether
    the data changed; the cache holds the sources, so an identity cannot be reused.
    """
    cache = st.session_state.setdefault(CACHE_KEY, {})
    entry = cache.get(name)
    if entry is not None:
        old_sources, old_options, figure = entry
        if old_options == options and all(a is b for a, b in zip(old_sources, sources)):
            return figure
    figure = build()
    cache[name] = (sources, options, figure)
    return figure


def _show(figure, key: str) -> None:
    st.plotly_chart(figure, key=key, config=PLOTLY_CONFIG, theme=None)
