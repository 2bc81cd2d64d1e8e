"""A sweep result as a heatmap: the median final distance of each cell over its seeds.

Built on `figures.sweep.sweep_heatmap` (categorical axes, log colour, lower = brighter),
with a hover that tells the whole cell: median, min and max over seeds and how many runs
diverged (a cell whose median is infinite, most of its runs diverged, takes the worst
colour and says "diverged"). A one-axis sweep is drawn as a single row.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from gan_core.figures.sweep import sweep_heatmap
from gan_core.sweep.result import SweepResult

ROW = "setup"  # the constant second axis of a one-axis sweep
SHORT_NAMES = {"frechet": "Fréchet²", "sliced_wasserstein": "sliced W₂²"}


def value_column(result: SweepResult) -> str:
    """The colour's name, which the figure's title and colour bar show."""
    return f"median {SHORT_NAMES[result.metric]}"


def sweep_figure(result: SweepResult) -> go.Figure:
    cells = result.cells.copy()
    keys = result.keys
    if len(keys) < 2:
        cells[ROW] = "base"
    x_key, y_key = (keys + [ROW, "seeds"])[:2]
    value = value_column(result)
    cells[value] = cells["median"]
    figure = sweep_heatmap(cells, x_key, y_key, value=value)

    # The same grid as the heatmap's (pivot sorts both axes), one text per statistic.
    def grid(column: str) -> np.ndarray:
        table = cells.pivot_table(index=y_key, columns=x_key, values=column, aggfunc="first")
        return table.sort_index().sort_index(axis=1).to_numpy(dtype=float)

    median, low, high = grid("median"), grid("min"), grid("max")
    diverged, seeds = grid("diverged"), grid("seeds")
    details = np.empty(median.shape + (4,), dtype=object)
    for index in np.ndindex(median.shape):
        details[index] = (
            _distance(median[index]),
            _distance(low[index]),
            _distance(high[index]),
            f"{int(diverged[index])} of {int(seeds[index])}",
        )
    figure.update_traces(
        customdata=details,
        hoverongaps=True,
        hovertemplate=(
            f"{x_key} = %{{x}}<br>{y_key} = %{{y}}<br>"
            f"median {SHORT_NAMES[result.metric]} %{{customdata[0]}}<br>"
            "min %{customdata[1]} · max %{customdata[2]}<br>"
            "diverged: %{customdata[3]}<extra></extra>"
        ),
    )
    return figure


def _distance(value: float) -> str:
    if math.isnan(value):
        return "–"
    return "diverged" if math.isinf(value) else f"{value:.4g}"
