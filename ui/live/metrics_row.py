"""The numbers under the status: progress with ETA, then big metrics for a projector."""

from __future__ import annotations

import math

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


def render(view: ViewState) -> None:
    snapshot, config = view.snapshot, view.config
    step = snapshot.step if snapshot else 0
    total = config.total_steps
    progress = min(1.0, step / total) if total else 0.0
    eta = format_duration(view.eta_seconds) if view.status == RunStatus.RUNNING else "—"
    st.progress(
        progress,
        text=_("{share} of {total} steps · ETA {eta}").format(
            share=f"{progress:.0%}", total=f"{total:,}", eta=eta
        ),
    )

    # The accuracy pair ("100% / 98%") is the widest value: give it the room.
    columns = st.columns([0.9, 1.0, 0.9, 1.0, 1.4])
    lone = snapshot.lone_updates if snapshot else ""
    columns[0].container(key="metric_step").metric(
        _("Step"),
        step_text(step, lone),
        help=_(
            "Whole iterations (D, then G). A D step or G step alone is half a step, shown "
            "as “+ D” or “+ G” until the other network's update completes the iteration."
        ),
    )
    epoch = min(step // config.steps_per_epoch + 1, config.epochs)
    columns[1].metric(_("Epoch"), f"{epoch:,} / {config.epochs:,}")
    running = view.status == RunStatus.RUNNING and view.steps_per_second > 0
    speed = f"{view.steps_per_second:,.0f}" if running else "—"
    columns[2].metric(_("Steps / s"), speed)
    frechet = snapshot.metrics.get("frechet", math.nan) if snapshot else math.nan
    exact = bool(snapshot and snapshot.metrics.get("frechet_exact"))
    columns[3].metric(
        _("Fréchet² (exact)") if exact else _("Fréchet² (fitted)"),
        format_distance(frechet),
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
        columns[4].metric(
            _("D accuracy (real / fake)"),
            _accuracy(view),
            help=_(
                "Share of 100 real and 100 fake points D classifies correctly; "
                "{even} is a coin toss."
            ).format(even="50% / 50%"),  # no % in the catalog: gettext reads it as a format
        )
    else:
        columns[4].metric(
            _("Critic's score gap"),
            _score_gap(view),
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
