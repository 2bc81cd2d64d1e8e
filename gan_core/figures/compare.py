"""Saved runs overlaid: losses on one chart, the distance to the target on another.

The dashboard's curve builders (`figures.curves`) draw them, in the runs' colours: each run
keeps one colour on both charts, and a click on its name in a legend hides all its lines.
Runs of different lengths can share a scale: `step_axis` "fraction" draws each against the
share of its planned steps done, "log" spreads out the early steps (`curves.STEP_AXES`).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from gan_core.figures.curves import (
    check_step_axis,
    runs_distance_figure,
    runs_loss_figure,
    with_run_fraction,
)
from gan_core.store.record import RunRecord
from gan_core.training.losses import EQUILIBRIUM_D_LOSS, get_loss

HEIGHT = 420  # pixels: two charts side by side on the page


def loss_figure(records: list[RunRecord], step_axis: str = "steps") -> go.Figure:
    """D's loss (solid) and G's loss (dotted) of each run against the step, with D's loss at
    equilibrium marked when any run has one (the losses whose D gives a probability)."""
    equilibrium = (
        EQUILIBRIUM_D_LOSS if any(get_loss(r.config.loss).probability for r in records) else None
    )
    figure = runs_loss_figure(
        _runs(records, step_axis), equilibrium, uirevision="compare-loss", step_axis=step_axis
    )
    figure.layout.height = HEIGHT
    return figure


def distance_figure(records: list[RunRecord], step_axis: str = "steps") -> go.Figure:
    """The squared Fréchet distance to the target of each run, on a log scale."""
    kinds = {r.config.has_exact_metrics for r in records}
    exact = kinds.pop() if len(kinds) == 1 else None  # mixed: the title names neither kind
    figure = runs_distance_figure(
        _runs(records, step_axis), exact, uirevision="compare-distance", step_axis=step_axis
    )
    figure.layout.height = HEIGHT
    return figure


def _runs(records: list[RunRecord], step_axis: str) -> list[tuple[str | None, pd.DataFrame]]:
    if check_step_axis(step_axis) == "fraction":  # of the steps each run's config planned
        return [(r.label, with_run_fraction(r.history, r.config.total_steps)) for r in records]
    return [(record.label, record.history) for record in records]
