"""A sweep as a heatmap: one cell per (x, y) setting, coloured by its final distance.

Axes are categorical: a sweep's values are evenly spaced in the space they were chosen in
(learning rates by decades, widths by steps), and categories give every cell the same size
and label each with its exact value, which a numeric axis would do only for linear spacing.
The colour is log-scaled because distances span decades; lower is better and brighter.

`sweep_figure` draws a `SweepResult`: the median over each cell's seeds, with a hover that
tells the whole cell (median, min and max over seeds, how many runs diverged); a one-axis
sweep is a single row. `sweep_heatmap` is the grid itself, for any table of cells.
Every word is translated when the figure is built (in the page's thread, for its reader);
the axes are named by `titles` (the page's names for the settings), else by their keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from gan_core.figures import style
from gan_core.formatting import format_distance
from gan_core.i18n import _

if TYPE_CHECKING:  # only its fields are read: importing the sweep package would pull in torch
    from gan_core.sweep.result import SweepResult

VALUE_FLOOR = 1e-6  # log colour needs positive values; smaller reads as "on target"
ROW = "setup"  # the constant second axis of a one-axis sweep
SHORT_NAMES = {"frechet": "Fréchet²", "sliced_wasserstein": "sliced W₂²"}


def sweep_heatmap(
    cells: pd.DataFrame,
    x_key: str,
    y_key: str,
    value: str = "median_frechet",
    uirevision: str = "sweep",
    label: str | None = None,
) -> go.Figure:
    """Heatmap of `value` over the grid of `x_key` × `y_key` (one row of `cells` per cell;
    repeated cells, e.g. several seeds, are summarised by their median). Lower is better:
    the best cells are the brightest. `label` names the value on the colour bar and hover.

    A cell whose value is +inf (the runs diverged) takes the worst colour and reads "∞";
    a missing or NaN cell is left blank.
    """
    trace, layout = _heatmap(cells, x_key, y_key, value, uirevision, label or value, None)
    return style.figure([trace], layout)


def sweep_figure(result: SweepResult, titles: dict[str, str] | None = None) -> go.Figure:
    """The median final distance of each cell over its seeds; a cell whose median is
    infinite (most of its runs diverged) takes the worst colour and says "diverged".
    `titles`: what to call each axis key (default: the key itself)."""
    cells = result.cells.copy()
    keys = result.keys
    if len(keys) < 2:
        cells[ROW] = _("base")
    x_key, y_key = (keys + [ROW, "seeds"])[:2]
    names = {ROW: _("setup"), "seeds": _("seeds"), **(titles or {})}
    x_name, y_name = names.get(x_key, x_key), names.get(y_key, y_key)
    value = value_column(result)
    cells[value] = cells["median"]
    trace, layout = _heatmap(cells, x_key, y_key, value, "sweep", value, (x_name, y_name))
    diverged_word = _("diverged")

    def grid(column: str) -> np.ndarray:  # the heatmap's grid (pivot sorts both axes)
        table = cells.pivot_table(index=y_key, columns=x_key, values=column, aggfunc="first")
        return table.sort_index().sort_index(axis=1).to_numpy(dtype=float)

    median, low, high = grid("median"), grid("min"), grid("max")
    diverged, seeds = grid("diverged"), grid("seeds")
    trace["customdata"] = [
        [
            [
                format_distance(median[row, column], infinity=diverged_word),
                format_distance(low[row, column], infinity=diverged_word),
                format_distance(high[row, column], infinity=diverged_word),
                _("{diverged} of {seeds}").format(
                    diverged=int(diverged[row, column]), seeds=int(seeds[row, column])
                ),
            ]
            for column in range(median.shape[1])
        ]
        for row in range(median.shape[0])
    ]
    trace["hoverongaps"] = True
    # Plotly's %{...} fields are left for the browser; only the words around them change.
    trace["hovertemplate"] = _(
        "{x_name} = %{{x}}<br>{y_name} = %{{y}}<br>{value} %{{customdata[0]}}<br>"
        "min %{{customdata[1]}} · max %{{customdata[2]}}<br>"
        "diverged: %{{customdata[3]}}<extra></extra>"
    ).format(x_name=x_name, y_name=y_name, value=value)
    return style.figure([trace], layout)


def value_column(result: SweepResult) -> str:
    """The colour's name, which the figure's title and colour bar show."""
    return _("median {metric}").format(metric=SHORT_NAMES[result.metric])


def _heatmap(
    cells: pd.DataFrame,
    x_key: str,
    y_key: str,
    value: str,
    uirevision: str,
    label: str,
    names: tuple[str, str] | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The heatmap trace and its layout, as plotly JSON (see `style.figure`); `names`: the
    axes' titles (default: their keys)."""
    x_name, y_name = names or (x_key, y_key)
    grid = cells.pivot_table(
        index=y_key, columns=x_key, values=value, aggfunc="median", dropna=False
    )
    grid = grid.sort_index().sort_index(axis=1)
    raw = grid.to_numpy(dtype=float)
    log_value = np.log10(np.clip(raw, VALUE_FLOOR, None))  # NaN stays NaN, +inf stays +inf
    finite = np.isfinite(log_value)
    ticks = _log_ticks(log_value)
    worst = log_value[finite].max(initial=0.0)
    log_value = np.where(np.isposinf(log_value), worst, log_value)
    trace = dict(
        type="heatmap",
        x=[_label(v) for v in grid.columns],
        y=[_label(v) for v in grid.index],
        z=log_value,
        text=[["" if np.isnan(v) else format_distance(v) for v in row] for row in raw],
        texttemplate="%{text}",
        colorscale="Viridis",
        reversescale=True,  # low distance = bright yellow: the good cells catch the eye
        colorbar=dict(
            title=dict(text=_("{value} (log)").format(value=label), side="right"),
            tickvals=ticks,
            ticktext=[format_distance(10**t) for t in ticks],
            thickness=14,
        ),
        hovertemplate=(
            f"{x_name} = %{{x}}<br>{y_name} = %{{y}}<br>{label} = %{{text}}<extra></extra>"
        ),
        hoverongaps=False,
    )
    title = _("{value} by {x} and {y}").format(value=label, x=x_name, y=y_name)
    layout = style.base_layout(title, uirevision)
    layout.update(
        xaxis=dict(type="category", title=dict(text=x_name)),
        yaxis=dict(type="category", title=dict(text=y_name)),
    )
    return trace, layout


def _label(value: object) -> str:
    # Short and exact: 0.001 -> "0.001", 1e-05 -> "1e-05", 1024.0 -> "1024".
    return f"{value:g}" if isinstance(value, (int, float, np.number)) else str(value)


def _log_ticks(log_value: np.ndarray) -> list[float]:
    """Round values (1, 2, 5 × 10ᵏ) inside the colour range, as their log10 positions."""
    finite = log_value[np.isfinite(log_value)]
    if finite.size == 0:
        return []
    low, high = finite.min(), finite.max()
    decades = range(int(np.floor(low)), int(np.ceil(high)) + 1)
    steps = (1, 2, 5) if high - low <= 4 else (1,)  # past four decades, 1-2-5 would crowd
    ticks = [float(np.log10(m * 10.0**k)) for k in decades for m in steps]
    ticks = [t for t in ticks if low - 1e-9 <= t <= high + 1e-9]
    # Within a narrow range no round value may fall inside: label the two ends instead.
    return ticks if len(ticks) >= 2 else [float(low), float(high)]
