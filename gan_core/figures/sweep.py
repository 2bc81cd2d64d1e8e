"""A two-axis sweep as a heatmap: one cell per (x, y) setting, coloured by a result.

Axes are categorical: a sweep's values are evenly spaced in the space they were chosen in
(learning rates by decades, widths by steps), and categories give every cell the same size
and label each with its exact value, which a numeric axis would do only for linear spacing.
The colour is log-scaled because distances span decades; cell text and hover give the value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from gan_core.figures import style

VALUE_FLOOR = 1e-6  # log colour needs positive values; smaller reads as "on target"


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
    label = label or value
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
    text = [[_cell_text(v) for v in row] for row in raw]
    figure = go.Figure(
        go.Heatmap(
            x=[_label(v) for v in grid.columns],
            y=[_label(v) for v in grid.index],
            z=log_value,
            text=text,
            texttemplate="%{text}",
            colorscale="Viridis",
            reversescale=True,  # low distance = bright yellow: the good cells catch the eye
            colorbar=dict(
                title=dict(text=f"{label} (log)", side="right"),
                tickvals=ticks,
                ticktext=[f"{10**t:.3g}" for t in ticks],
                thickness=14,
            ),
            hovertemplate=(
                f"{x_key} = %{{x}}<br>{y_key} = %{{y}}<br>{label} = %{{text}}<extra></extra>"
            ),
            hoverongaps=False,
        )
    )
    figure.update_layout(**style.base_layout(f"{label} by {x_key} and {y_key}", uirevision))
    figure.update_xaxes(type="category", title_text=x_key)
    figure.update_yaxes(type="category", title_text=y_key)
    return figure


def _cell_text(value: float) -> str:
    if np.isnan(value):
        return ""
    return "∞" if np.isinf(value) else f"{value:.3g}"


def _label(value) -> str:
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
    ticks = [np.log10(m * 10.0**k) for k in decades for m in steps]
    ticks = [t for t in ticks if low - 1e-9 <= t <= high + 1e-9]
    # Within a narrow range no round value may fall inside: label the two ends instead.
    return ticks if len(ticks) >= 2 else [float(low), float(high)]
