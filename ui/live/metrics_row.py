"""The numbers under the status: progress with ETA, then big metrics for a projector.

`live_numbers` is what they read, in the reader's language: the page draws it, and while a
run trains the chart feed sends it with each frame, so the charts' frame can write the new
values into these same elements between the page's (slow) reruns. Each value therefore
sits in a container of its own key, which the frame finds it by.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

from gan_core.figures.plane import step_text
from gan_core.formatting import format_distance
from gan_core.i18n import _
from gan_core.jobs.status import RunStatus
from gan_core.training.losses import get_loss
from ui.live.view_state import ViewState


def format_duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "—"
    seconds = max(0, round(seconds))
    if seconds < 60:
        return _("{seconds} s").format(seconds=seconds)
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=f"{seconds:02d}")
    hours, minutes = divmod(minutes, 60)
    return _("{hours} h {minutes} min").format(hours=hours, minutes=f"{minutes:02d}")


PROGRESS_KEY = "live_progress"
STEP_KEY, EPOCH_KEY, SPEED_KEY, DISTANCE_KEY, SIGNAL_KEY = (
    "metric_step",
    "metric_epoch",
    "metric_speed",
    "metric_distance",
    "metric_signal",
)


@dataclass(frozen=True)
class Numbers:
    percent: int  # of the run's steps done, as the progress bar shows it (0-100)
    progress: str  # the bar's text: the share, the total and the ETA
    metrics: dict[str, str]  # each metric's value as shown, by its container's key


def live_numbers(view: ViewState) -> Numbers:
    snapshot, config = view.snapshot, view.config
    step = snapshot.step if snapshot else 0
    total = config.total_steps
    progress = min(1.0, step / total) if total else 0.0
    eta = format_duration(view.eta_seconds) if view.status == RunStatus.RUNNING else "—"
    text = _("{share} of {total} steps · ETA {eta}").format(
        share=f"{progress:.0%}", total=f"{total:,}", eta=eta
    )
    epoch = min(step // config.steps_per_epoch + 1, config.epochs)
    running = view.status == RunStatus.RUNNING and view.steps_per_second > 0
    frechet = snapshot.metrics.get("frechet", math.nan) if snapshot else math.nan
    signal = _accuracy(view) if get_loss(config.loss).accuracy_meaningful else _score_gap(view)
    metrics = {
        STEP_KEY: step_text(step, snapshot.lone_updates if snapshot else ""),
        EPOCH_KEY: f"{epoch:,} / {config.epochs:,}",
        SPEED_KEY: f"{view.steps_per_second:,.0f}" if running else "—",
        DISTANCE_KEY: format_distance(frechet),
        SIGNAL_KEY: signal,
    }
    return Numbers(int(progress * 100), text, metrics)  # st.progress's own rounding


def render(view: ViewState, numbers: Numbers) -> None:
    """The numbers of `view`, as `live_numbers` gave them."""
    snapshot, config = view.snapshot, view.config
    value = numbers.metrics
    st.container(key=PROGRESS_KEY).progress(numbers.percent, text=numbers.progress)

    # The accuracy pair ("100% / 98%") is the widest value: give it the room.
    columns = st.columns([0.9, 1.0, 0.9, 1.0, 1.4])
    columns[0].container(key=STEP_KEY).metric(
        _("Step"),
        value[STEP_KEY],
        help=_(
            "Whole iterations (D, then G). A D step or G step alone is half a step, shown "
            "as “+ D” or “+ G” until the other network's update completes the iteration."
        ),
    )
    columns[1].container(key=EPOCH_KEY).metric(_("Epoch"), value[EPOCH_KEY])
    columns[2].container(key=SPEED_KEY).metric(_("Steps / s"), value[SPEED_KEY])
    exact = bool(snapshot and snapshot.metrics.get("frechet_exact"))
    columns[3].container(key=DISTANCE_KEY).metric(
        _("Fréchet² (exact)") if exact else _("Fréchet² (fitted)"),
        value[DISTANCE_KEY],
        help=_(
            "Squared Fréchet (2-Wasserstein) distance from G's output to the target. "
            "Exact: G is affine and the target Gaussian, so G's law is known in closed form."
        )
        if exact
        else _(
            "Squared Fréchet (2-Wasserstein) distance from G's output to the target. "
            "Between Gaussians fitted to the two distributions' means and covariances."
        ),
    )
    if get_loss(config.loss).accuracy_meaningful:
        columns[4].container(key=SIGNAL_KEY).metric(
            _("D accuracy (real / fake)"),
            value[SIGNAL_KEY],
            help=_(
                "Share of 100 real and 100 fake points D classifies correctly; "
                "{even} is a coin toss."
            ).format(even="50% / 50%"),  # no % in the catalog: gettext reads it as a format
        )
    else:
        columns[4].container(key=SIGNAL_KEY).metric(
            _("Critic's score gap"),
            value[SIGNAL_KEY],
            help=_(
                "The critic's mean score on 100 real points minus on 100 fake ones. Its "
                "score has no fixed zero, so no accuracy means anything; the gap is what the "
                "critic widens and G narrows."
            ),
        )
    if snapshot is not None and "sliced_wasserstein" in snapshot.metrics:
        _final(snapshot.metrics)


def _accuracy(view: ViewState) -> str:
    reading = view.snapshot.d_reading if view.snapshot is not None else None
    if reading is not None and view.status != "ready":  # D now, even between logged rows
        return f"{reading.acc_real:.0%} / {reading.acc_fake:.0%}"
    if view.history.empty:
        return "—"
    last = view.history.iloc[-1]
    return f"{last['acc_real']:.0%} / {last['acc_fake']:.0%}"


def _score_gap(view: ViewState) -> str:
    reading = view.snapshot.d_reading if view.snapshot is not None else None
    if reading is not None and view.status != "ready":
        return f"{reading.score_gap:.3g}"
    gap = view.history["score_gap"] if "score_gap" in view.history else None
    if gap is None or not gap.notna().any():
        return "—"
    return f"{gap.dropna().iloc[-1]:.3g}"


def _final(metrics: dict) -> None:
    """Sample-based distances measured once at the end of a run."""
    items = [
        (_("Sliced Wasserstein"), format_distance(metrics["sliced_wasserstein"])),
        (_("Energy distance"), format_distance(float(metrics["energy"]))),
    ]
    if "modes_covered" in metrics:
        items.append((_("Modes covered"), f"{metrics['modes_covered']} / {metrics['n_modes']}"))
        items.append((_("High-quality samples"), f"{metrics['high_quality']:.0%}"))
    for column, (label, value) in zip(st.columns(len(items)), items):
        column.metric(label, value)
