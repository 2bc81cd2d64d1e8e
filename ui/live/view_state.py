"""What the live view draws, whether from a training job's latest frame or a fresh preview.

Before any run (or after Reset) the page still shows the target and the untrained G at
step 0, so a person sees what their settings mean before pressing Train.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from gan_core.config import GanConfig
from gan_core.jobs.protocol import Job
from gan_core.jobs.status import RunStatus
from gan_core.serialize import to_json
from gan_core.targets import plot_bounds
from gan_core.training.history import LOGGED_COLUMNS
from gan_core.training.snapshot import Bounds, Snapshot
from gan_core.training.trainer import Trainer
from ui.session.session_job import VIEW

READY = "ready"  # the page's own state before any run: not a run's status
EMPTY_HISTORY = pd.DataFrame({c: pd.Series(dtype=float) for c in LOGGED_COLUMNS})
PREVIEW_RUN = "preview"


@dataclass(frozen=True)
class ViewState:
    status: str  # READY (no run yet) or the job's RunStatus
    message: str
    snapshot: Snapshot | None
    history: pd.DataFrame
    steps_per_second: float
    eta_seconds: float
    config: GanConfig
    bounds: Bounds
    number: int  # the job's frame number; rises with each new frame
    # Which run is shown (PREVIEW_RUN before any): the charts keep the viewer's zoom
    # within one run, and a new run (or Reset) starts them on fresh axes.
    run: str = PREVIEW_RUN

    @property
    def ended(self) -> bool:
        return self.status != READY and RunStatus(self.status).ended


def from_job(job: Job) -> ViewState:
    frame = job.frame()
    history = frame.history if len(frame.history.columns) else EMPTY_HISTORY
    # Until the worker's first frame, show step 0 of the same config (already computed
    # for the preview, as a rule) rather than swapping the chart for a placeholder.
    snapshot = frame.snapshot or _step_zero(to_json(frame.config), frame.config)
    return ViewState(
        frame.status,
        frame.message,
        snapshot,
        history,
        frame.steps_per_second,
        frame.eta_seconds,
        frame.config,
        shown_bounds(snapshot, job.bounds),
        frame.number,
        f"run-{id(job)}",
    )


def preview(config: GanConfig) -> ViewState:
    snapshot = _step_zero(to_json(config), config)
    bounds = shown_bounds(snapshot, plot_bounds(config.target))
    return ViewState(READY, "", snapshot, EMPTY_HISTORY, 0.0, math.nan, config, bounds, 0)


def shown_bounds(snapshot: Snapshot, fallback: Bounds) -> Bounds:
    """The plane's axes: the bounds the snapshot's D grid was computed for (they follow the
    target and G's points), so the heatmap always fills the axes."""
    return snapshot.bounds if snapshot.bounds is not None else fallback


@st.cache_resource(max_entries=32, show_spinner=False)
def _step_zero(key: str, _config: GanConfig) -> Snapshot:
    """Step 0 of a run with this config (keyed by its JSON; snapshots are never mutated).

    Its bounds are fitted afresh: an edited target moves the axes at once."""
    trainer = Trainer(_config)
    return trainer.snapshot(VIEW.n_points, VIEW.field_resolution, None, VIEW.n_arrows)
