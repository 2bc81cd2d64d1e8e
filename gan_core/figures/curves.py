"""Curves over training steps: the losses and the distance to the target (D's signals are
in `signals`, drawn by the same `series_chart`).

Each takes a run's history (`History.to_frame()`: step, epoch, loss_d, loss_g, acc_real,
acc_fake, frechet, lr_d, lr_g) and thins it to at most `max_points` rows before sending, so
a frame's size does not grow with the run. Curves are SVG traces: at 1,500 points that is
fast, and it leaves the browser's few WebGL contexts to the plane.

The live view rebuilds them during a run, so past reading the columns they draw out of the
history, the work is numpy on those columns (`Columns`): a pandas filter, `assign` or
`iloc` costs a tenth of a millisecond or more each, which added up to most of a curve's
build.

One run (the dashboard) gives each series its own colour. Several runs overlaid (the Compare
page, the `runs_*` builders) give each run its own colour, shared by all its traces under one
legend group, and tell the series apart by dash. Both go through the same traces and layout.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from gan_core.figures import style
from gan_core.formatting import HOVER_FORMAT, format_distance
from gan_core.i18n import N_, _

MAX_POINTS = 1500
JSD_MAX = math.log(2)  # the Jensen–Shannon divergence of laws that do not overlap
LABELLED_DECADES = 2.0  # a log axis spanning more labels powers of ten only
DISTANCE_FLOOR = 1e-6  # a log axis cannot show 0; distances this small read as "on target"

# (label, history) of each run on an overlay; a label of None is the dashboard's one run.
Runs = Sequence[tuple[str | None, pd.DataFrame]]
# Some of a history's columns as numpy arrays of one length, by name.
Columns = dict[str, np.ndarray]

# What the curves are drawn against: the step, the share of its planned steps a run had done
# (runs of different lengths end together) or the step on a log scale (early steps spread
# out). Value -> how a page names it (translated where shown: `_(STEP_AXES[value])`).
STEP_AXES = {"steps": N_("steps"), "fraction": N_("fraction of the run"), "log": N_("log steps")}
FRACTION_COLUMN = "run_fraction"  # what `with_run_fraction` adds for the "fraction" axis


@dataclass(frozen=True)
class Series:
    """One column of the history drawn as a line."""

    column: str
    name: str  # its legend entry when one run is drawn (marked N_, translated when drawn)
    short: str  # after the run's label on an overlay ("#3 tutorial · D"); "" for the label alone
    colour: str  # when one run is drawn; on an overlay the colour tells the run
    dash: str  # on an overlay, where the dash tells the series
    faint: bool = False  # drawn thin and pale behind a smoothed line, out of the legend


LOSSES = (
    Series("loss_d", N_("D loss"), "D", style.D_COLOUR, "solid"),
    Series("loss_g", N_("G loss"), "G", style.G_COLOUR, "dot"),
)
DISTANCE = (Series("frechet", "Fréchet²", "", style.INK, "solid"),)


def downsample(frame: pd.DataFrame, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """At most max_points evenly spaced rows, always keeping the first and the last."""
    if len(frame) <= max_points:
        return frame
    return frame.iloc[_kept_rows(len(frame), max_points)]


def thinned(columns: Columns, max_points: int = MAX_POINTS) -> Columns:
    """`downsample` for columns: the same rows kept."""
    length = _length(columns)
    if length <= max_points:
        return columns
    keep = _kept_rows(length, max_points)
    return {name: values[keep] for name, values in columns.items()}


def _kept_rows(length: int, max_points: int) -> np.ndarray:
    """Evenly spaced rows of `length` > `max_points`: more than one row apart, so no two
    round to the same row and they come out sorted and distinct, with no np.unique."""
    return np.linspace(0, length - 1, max(max_points, 2)).round().astype(int)


def _length(columns: Columns) -> int:
    return len(next(iter(columns.values()))) if columns else 0


def _rows(columns: Columns, keep: np.ndarray) -> Columns:
    """The rows where `keep` (a boolean mask) holds, in every column."""
    return {name: values[keep] for name, values in columns.items()}


def check_step_axis(step_axis: object) -> str:
    if step_axis not in STEP_AXES:
        allowed = ", ".join(STEP_AXES)
        raise ValueError(f"step axis {step_axis!r} is not one of {allowed}")
    return str(step_axis)


def with_run_fraction(history: pd.DataFrame, total_steps: int) -> pd.DataFrame:
    """`history` with the share of the run's `total_steps` done at each row, for the
    "fraction" axis."""
    return history.assign(**{FRACTION_COLUMN: history["step"] / max(int(total_steps), 1)})


def loss_figure(
    history: pd.DataFrame,
    equilibrium: float | None = None,
    uirevision: str = "loss",
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """D's and G's loss. `equilibrium`: D's loss when it can no longer tell real from fake
    (2 ln 2 for the cross-entropy losses), drawn as a dashed reference line."""
    return style.as_figure(loss_spec(history, equilibrium, uirevision, max_points))


def loss_spec(
    history: pd.DataFrame,
    equilibrium: float | None = None,
    uirevision: str = "loss",
    max_points: int = MAX_POINTS,
) -> dict[str, Any]:
    """`loss_figure` as plain dicts (`style.spec`)."""
    return runs_loss_spec([(None, history)], equilibrium, uirevision, max_points)


def runs_loss_figure(
    runs: Runs,
    equilibrium: float | None = None,
    uirevision: str = "loss",
    max_points: int = MAX_POINTS,
    step_axis: str = "steps",
) -> go.Figure:
    """`loss_figure` for several runs overlaid: D's loss solid, G's dotted. `step_axis`: one
    of `STEP_AXES` ("fraction" needs each history `with_run_fraction`)."""
    return style.as_figure(runs_loss_spec(runs, equilibrium, uirevision, max_points, step_axis))


def runs_loss_spec(
    runs: Runs,
    equilibrium: float | None = None,
    uirevision: str = "loss",
    max_points: int = MAX_POINTS,
    step_axis: str = "steps",
) -> dict[str, Any]:
    """`runs_loss_figure` as plain dicts (`style.spec`)."""
    title = _("Losses") if _single(runs) else _("Losses (D solid, G dotted)")
    frames = [
        (label, thinned(_on_axis(drawn(history, LOSSES), step_axis), max_points))
        for label, history in runs
    ]
    data, layout = series_chart(frames, LOSSES, title, uirevision, step_axis)
    if equilibrium is not None:
        layout["shapes"] = [horizontal_line(equilibrium)]
        layout["annotations"] = [
            dict(
                text=_("D at equilibrium ({value})").format(value=format_distance(equilibrium)),
                font=dict(size=13),
                bgcolor="rgba(255, 255, 255, 0.8)",  # readable over the curves it crosses
                xref="x domain",
                x=1,
                xanchor="right",
                yref="y",
                y=equilibrium,
                yanchor="bottom",
                showarrow=False,
            )
        ]
    layout["yaxis"] = dict(title=dict(text=_("loss")))
    return style.spec(data, layout)


def distance_figure(
    history: pd.DataFrame,
    exact: bool,
    uirevision: str = "distance",
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """Squared Fréchet distance from G's law to the target, on a log axis (it falls by decades).

    `exact`: the closed form (affine G, Gaussian target) rather than one between Gaussians
    fitted to the moments. Steps where it is undefined (NaN, inf) are left out.
    """
    return style.as_figure(distance_spec(history, exact, uirevision, max_points))


def distance_spec(
    history: pd.DataFrame,
    exact: bool,
    uirevision: str = "distance",
    max_points: int = MAX_POINTS,
) -> dict[str, Any]:
    """`distance_figure` as plain dicts (`style.spec`)."""
    plain = runs_distance_spec([(None, history)], exact, uirevision, max_points)
    if "js_divergence" in history:
        jsd = drawn(history, ("js_divergence",))
        if not np.isnan(jsd["js_divergence"]).all():
            add_jsd_trace(plain, thinned(jsd, max_points))
    return plain


def add_jsd_trace(plain: dict[str, Any], history: Columns) -> None:
    """JSD(target, G) on a second, linear axis on the right, from 0 to ln 2 (no overlap).

    Logged only where it is exact (two Gaussians); steps without it are left out. The
    original GAN's value at the best D is V(D*, G) = −2 ln 2 + 2·JSD: the curve falls to 0
    as D's best loss settles at 2 ln 2.
    """
    frame = _rows(history, np.isfinite(history["js_divergence"]))
    plain["data"].append(
        dict(
            type="scatter",
            x=frame["step"].astype(np.int64),
            y=style.compact(frame["js_divergence"]),
            mode="lines",
            name=_("JSD (right axis)"),
            yaxis="y2",
            line=dict(color=style.D_COLOUR, width=2.5, dash="dash"),
            hovertemplate=_("JSD {value} nats").format(value=f"%{{y:{HOVER_FORMAT}}}")
            + "<extra></extra>",
        )
    )
    layout = plain["layout"]
    layout.update(
        showlegend=True,
        # Over the base layout's legend: along the plot's top edge instead.
        legend={
            **layout.get("legend", {}),
            **dict(orientation="h", x=0, y=1, yanchor="bottom", bgcolor="rgba(0,0,0,0)"),
        },
        yaxis2=dict(
            title=dict(text=_("JSD (nats)")),
            overlaying="y",
            side="right",
            range=[0, JSD_MAX * 1.02],
            # Its own ticks at 0, 0.2, ..., 0.6, not ones matched to the log axis' gridlines.
            tickmode="linear",
            tick0=0,
            dtick=0.2,
            showgrid=False,
            zeroline=False,
        ),
    )
    plain["data"][0]["name"] = _("Fréchet² (left axis)")


def runs_distance_figure(
    runs: Runs,
    exact: bool | None,
    uirevision: str = "distance",
    max_points: int = MAX_POINTS,
    step_axis: str = "steps",
) -> go.Figure:
    """`distance_figure` for several runs overlaid, one line each; `exact` None when some
    runs' distances are exact and others' fitted (the title then names neither).
    `step_axis` as for `runs_loss_figure`."""
    return style.as_figure(runs_distance_spec(runs, exact, uirevision, max_points, step_axis))


def runs_distance_spec(
    runs: Runs,
    exact: bool | None,
    uirevision: str = "distance",
    max_points: int = MAX_POINTS,
    step_axis: str = "steps",
) -> dict[str, Any]:
    """`runs_distance_figure` as plain dicts (`style.spec`)."""
    frames = []
    for label, history in runs:
        frame = _on_axis(drawn(history, DISTANCE), step_axis)
        frame = _rows(frame, np.isfinite(frame["frechet"]))
        frame["frechet"] = np.maximum(frame["frechet"], DISTANCE_FLOOR)
        frames.append((label, thinned(frame, max_points)))
    # Short enough for the curve column at 1280 px; the axis names the measure in full.
    if exact is None:
        title = _("Fréchet² to the target")
    elif exact:
        title = _("Fréchet² to the target (exact)")
    else:
        title = _("Fréchet² to the target (fitted Gaussians)")
    data, layout = series_chart(frames, DISTANCE, title, uirevision, step_axis)
    layout["yaxis"] = dict(
        type="log",
        title=dict(text=_("Fréchet² (log)")),
        exponentformat="power",
        # Between decades plotly labels 0.5 as a bare "5"; "complete" writes 5×10⁻¹.
        minorloglabels="complete",
        dtick=_log_ticks(frames),
    )
    layout["showlegend"] = not _single(runs)  # one unlabelled line needs no legend
    return style.spec(data, layout)


def _log_ticks(frames: Sequence[tuple[str | None, Columns]]) -> str | int:
    """Within a decade or two, label 2 and 5 as well ("D2"); over more (or with nothing
    drawn yet, when plotly spans several decades of its own) label powers of ten only
    (1 = every decade): three labels a decade would pile up on a short chart."""
    values = [frame["frechet"] for _, frame in frames if _length(frame)]
    if not values:
        return 1
    joined = np.concatenate(values)
    decades = math.log10(joined.max() / joined.min())
    return "D2" if decades <= LABELLED_DECADES else 1


def drawn(history: pd.DataFrame, series: Sequence[Series | str]) -> Columns:
    """The history's columns a chart of `series` reads (its steps and their values), as
    numpy arrays: every row taken or filtered afterwards costs only those, not the run's
    whole log. Values are floats; the step keeps its own type."""
    names = [s.column if isinstance(s, Series) else s for s in series]
    wanted = ("step", FRACTION_COLUMN, *names)
    columns = {c: history[c].to_numpy() for c in dict.fromkeys(wanted) if c in history}
    for name in names:
        if name in columns:
            columns[name] = columns[name].astype(float, copy=False)
    return columns


def _on_axis(history: Columns, step_axis: str) -> Columns:
    """The rows that can be drawn on the axis: a log axis has no step 0."""
    if check_step_axis(step_axis) == "fraction" and FRACTION_COLUMN not in history:
        raise ValueError(f"the fraction axis needs histories with a {FRACTION_COLUMN} column")
    return _rows(history, history["step"] > 0) if step_axis == "log" else history


def _x_axis(step_axis: str) -> dict[str, Any]:
    if step_axis == "fraction":
        # Past 100 %: a run resumed or extended beyond its plan still shows whole.
        return dict(title=dict(text=_("fraction of the run")), tickformat=".0%", rangemode="tozero")
    if step_axis == "log":
        return dict(title=dict(text=_("step (log)")), type="log", exponentformat="power")
    return dict(title=dict(text=_("step")), rangemode="nonnegative")


def _single(runs: Runs) -> bool:
    return len(runs) == 1 and runs[0][0] is None


def horizontal_line(y: float) -> dict[str, Any]:
    """A dashed reference line across the whole width of the plot at height y."""
    return dict(
        type="line",
        xref="x domain",
        x0=0,
        x1=1,
        yref="y",
        y0=y,
        y1=y,
        line=dict(color=style.INK, width=1.5, dash="dash"),
    )


def series_chart(
    runs: Sequence[tuple[str | None, Columns]],
    series: Sequence[Series],
    title: str,
    uirevision: str,
    step_axis: str = "steps",
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Traces and layout: one line per run and series against step (or the share of the
    run done, for `step_axis` "fraction"); an empty history gives empty axes."""
    data = []
    for index, (label, frame) in enumerate(runs):
        if check_step_axis(step_axis) == "fraction":
            x = frame[FRACTION_COLUMN].astype(float)
        else:
            x = frame["step"].astype(np.int64)
        for line in series:
            trace: dict[str, Any] = dict(
                type="scatter",
                x=x,
                y=style.compact(frame[line.column]),
                mode="lines",
                name=_(line.name),
                line=dict(color=line.colour, width=2.5),
                # The same text as the tables and metrics show (see gan_core.formatting).
                hovertemplate=f"%{{y:{HOVER_FORMAT}}}",
            )
            if line.faint:
                trace.update(
                    line=dict(color=line.colour, width=1.2),
                    opacity=0.3,
                    showlegend=False,
                    hoverinfo="skip",
                )
                trace.pop("hovertemplate")
            if label is not None:
                trace.update(
                    name=f"{label} · {line.short}" if line.short else label,
                    legendgroup=label,  # a click on a run's entry hides all its lines
                    line=dict(color=style.run_colour(index), width=2.5, dash=line.dash),
                )
            data.append(trace)
    layout = style.base_layout(title, uirevision)
    layout.update(
        hovermode="x unified",
        xaxis=_x_axis(step_axis),
    )
    return data, layout
