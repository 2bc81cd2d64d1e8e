"""D's signals over training: how well D tells real from fake, read the way its loss allows.

D's accuracy is measured on 100 real and 100 fake points per logged row, so from one row
to the next it jumps (often between 0 and 1 when D is near its line): drawn raw it is a
barcode. Each signal is therefore drawn smoothed by an exponential moving average, with
the raw values faint behind it.

A loss whose D gives a verdict at a meaningful threshold (`Loss.accuracy_meaningful`: the
cross-entropy family, least squares) is read by its accuracy. A critic's score (WGAN-GP,
hinge) has an arbitrary offset, so an accuracy at 0 means nothing; it is read by its score
gap E[D(real)] − E[D(fake)], which is what the critic widens and G narrows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from gan_core.figures import style
from gan_core.figures.curves import (
    MAX_POINTS,
    Series,
    drawn,
    horizontal_line,
    series_chart,
    thinned,
)
from gan_core.i18n import N_, _
from gan_core.training.losses import get_loss

# The moving average's span, in history rows: a run logs about 500, so this evens out the
# sampling noise of a few neighbouring rows and keeps every trend that lasts longer.
SMOOTHING_ROWS = 12

ACCURACY = (
    Series("acc_real_raw", N_("on real (raw)"), N_("real"), style.REAL, "solid", faint=True),
    Series("acc_fake_raw", N_("on fake (raw)"), N_("fake"), style.FAKE, "dot", faint=True),
    Series("acc_real", N_("on real"), N_("real"), style.REAL, "solid"),
    Series("acc_fake", N_("on fake"), N_("fake"), style.FAKE, "dot"),
)
SCORE_GAP = (
    Series("score_gap_raw", N_("score gap (raw)"), "", style.D_COLOUR, "solid", faint=True),
    Series("score_gap", N_("score gap"), "", style.D_COLOUR, "solid"),
)


# The moving average is computed in blocks of this many rows (see `moving_average`).
BLOCK_ROWS = 256


def smoothed(values: pd.Series, span: int = SMOOTHING_ROWS) -> pd.Series:
    """Exponential moving average over rows; a missing value neither counts nor breaks it."""
    return pd.Series(moving_average(values.to_numpy(dtype=float), span), index=values.index)


def moving_average(values: np.ndarray, span: int = SMOOTHING_ROWS) -> np.ndarray:
    """`smoothed` on an array, as pandas' `ewm(span, ignore_na=True).mean()` computes it.

    The average at a row weighs the k-th latest value seen by decay^k, decay = 1 − 2/(span
    + 1), and divides by the sum of those weights; a missing value repeats the average
    before it (NaN before the first value). The weighted sum runs as a cumulative sum in
    blocks of BLOCK_ROWS rows, each block's sum carried into the next: a whole-run
    cumulative sum would need weights of decay^−n, far past a float's range.
    """
    values = np.asarray(values, dtype=float)
    seen = ~np.isnan(values)
    present = values[seen]
    decay = 1.0 - 2.0 / (span + 1.0)
    blocks = -(-len(present) // BLOCK_ROWS)
    padded = np.zeros(blocks * BLOCK_ROWS)
    padded[: len(present)] = present
    within = np.arange(BLOCK_ROWS)
    # Each block's own weighted sums: sum over i <= j of decay^(j - i) · value_i.
    sums = np.cumsum(padded.reshape(blocks, BLOCK_ROWS) * decay**-within, axis=1) * decay**within
    carry = 0.0
    for block in range(blocks):  # a loop over blocks, not rows
        sums[block] += carry * decay ** (within + 1)
        carry = sums[block, -1]
    count = np.arange(1, len(present) + 1)
    average = sums.reshape(-1)[: len(present)] / ((1.0 - decay**count) / (1.0 - decay))
    # Each row's latest value so far: a missing row repeats the one before it.
    latest = np.cumsum(seen) - 1
    out = np.full(len(values), np.nan)
    out[latest >= 0] = average[latest[latest >= 0]]
    return out


def d_signals_figure(
    history: pd.DataFrame,
    loss: str,
    uirevision: str = "accuracy",
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """D's accuracy, or a critic's score gap, as its `loss` (a config's loss name) allows.

    A critic's history saved without a score gap (the run store keeps the older columns
    only) falls back to its accuracy, so the chart is never empty for want of a column.
    """
    return style.as_figure(d_signals_spec(history, loss, uirevision, max_points))


def d_signals_spec(
    history: pd.DataFrame,
    loss: str,
    uirevision: str = "accuracy",
    max_points: int = MAX_POINTS,
) -> dict[str, Any]:
    """`d_signals_figure` as plain dicts (`style.spec`)."""
    if not get_loss(loss).accuracy_meaningful and _has_score_gap(history):
        return score_gap_spec(history, uirevision, max_points)
    return accuracy_spec(history, uirevision, max_points)


def accuracy_figure(
    history: pd.DataFrame, uirevision: str = "accuracy", max_points: int = MAX_POINTS
) -> go.Figure:
    """How often D calls real points real and fake points fake, smoothed, with the raw
    values faint behind; 0.5 on both is a coin toss."""
    return style.as_figure(accuracy_spec(history, uirevision, max_points))


def accuracy_spec(
    history: pd.DataFrame, uirevision: str = "accuracy", max_points: int = MAX_POINTS
) -> dict[str, Any]:
    """`accuracy_figure` as plain dicts (`style.spec`)."""
    columns = drawn(history, ("acc_real", "acc_fake"))
    frame = dict(
        columns,
        acc_real_raw=columns["acc_real"],
        acc_fake_raw=columns["acc_fake"],
        acc_real=moving_average(columns["acc_real"]),
        acc_fake=moving_average(columns["acc_fake"]),
    )
    data, layout = series_chart(
        [(None, thinned(frame, max_points))],
        ACCURACY,
        _("D's accuracy (smoothed)"),
        uirevision,
    )
    layout["shapes"] = [horizontal_line(0.5)]
    # A little room past 0 and 1: accuracy often sits exactly there, and a line on the
    # plot's edge would be half clipped.
    layout["yaxis"] = dict(
        title=dict(text=_("accuracy")),
        range=[-0.03, 1.03],
        autorange=False,
        tickvals=[0, 0.25, 0.5, 0.75, 1],
    )
    return style.spec(data, layout)


def score_gap_figure(
    history: pd.DataFrame, uirevision: str = "accuracy", max_points: int = MAX_POINTS
) -> go.Figure:
    """The critic's mean score on real minus on fake, smoothed, with the raw values faint
    behind; at 0 the critic rates G's points as high as the real ones."""
    return style.as_figure(score_gap_spec(history, uirevision, max_points))


def score_gap_spec(
    history: pd.DataFrame, uirevision: str = "accuracy", max_points: int = MAX_POINTS
) -> dict[str, Any]:
    """`score_gap_figure` as plain dicts (`style.spec`)."""
    frame = drawn(history, ("score_gap",))
    gap = frame.get("score_gap", np.full(len(history), np.nan))
    frame.update(score_gap_raw=gap, score_gap=moving_average(gap))
    data, layout = series_chart(
        [(None, thinned(frame, max_points))],
        SCORE_GAP,
        _("Critic's score gap (real − fake)"),
        uirevision,
    )
    layout["shapes"] = [horizontal_line(0.0)]
    layout["yaxis"] = dict(title=dict(text=_("score gap")))
    layout["showlegend"] = False  # one line, named by the title
    return style.spec(data, layout)


def _has_score_gap(history: pd.DataFrame) -> bool:
    # An empty history (a critic's run not started yet) still gets the critic's chart.
    if "score_gap" not in history:
        return False
    return bool(history.empty or not np.isnan(history["score_gap"].to_numpy(dtype=float)).all())
