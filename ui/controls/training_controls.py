"""The everyday training settings: learning rates, epochs, batch size, data size, seed."""

from __future__ import annotations

import random

import streamlit as st

from gan_core.config import (
    MAX_BATCH,
    MAX_EPOCHS,
    MAX_LR,
    MAX_SAMPLES,
    MAX_SEED,
    MIN_SAMPLES,
    GanConfig,
)
from gan_core.i18n import _, format_decimal
from ui.controls.control_section import Section
from ui.session.config_state import seed, widget_key

FIELDS = ("lr_d", "lr_g", "epochs", "batch_size", "n_samples", "seed")


def render(config: GanConfig) -> Section:
    section = Section(fields=frozenset(FIELDS), after=_summary)
    st.subheader(_("Training"))
    left, right = st.columns(2)
    rate = dict(min_value=0.0, max_value=MAX_LR, step=0.001, format="%g")
    live = _("Can be changed during a run: it takes effect at once, without a restart.")
    changes = section.changes
    changes["lr_d"] = left.number_input(
        _("D learning rate"), key=seed("lr_d", config.lr_d), help=live, **rate
    )
    changes["lr_g"] = right.number_input(
        _("G learning rate"), key=seed("lr_g", config.lr_g), help=live, **rate
    )
    changes["epochs"] = left.number_input(
        _("Epochs"), min_value=1, max_value=MAX_EPOCHS, step=1, key=seed("epochs", config.epochs)
    )
    changes["batch_size"] = right.number_input(
        _("Batch size"),
        min_value=1,
        max_value=MAX_BATCH,
        step=1,
        key=seed("batch_size", config.batch_size),
    )
    own_points = config.target.kind == "points"
    changes["n_samples"] = left.number_input(
        _("Real samples"),
        min_value=MIN_SAMPLES,
        max_value=MAX_SAMPLES,
        step=100,
        key=seed("n_samples", config.n_samples),
        disabled=own_points,
        help=_(
            "Drawn once from the target at the start of a run "
            "(your own points are used as they are)."
        )
        if own_points
        else _("Drawn once from the target at the start of a run."),
    )
    changes["seed"] = right.number_input(
        _("Seed"),
        min_value=0,
        max_value=MAX_SEED,
        step=1,
        key=seed("seed", config.seed),
        help=_("Same settings and seed, same run, step for step."),
    )
    st.button(_("New seed"), icon=":material/casino:", on_click=_new_seed, key="new_seed")
    section.open_slot()
    return section


def _new_seed() -> None:
    st.session_state[widget_key("seed")] = random.randint(0, 99_999)


def _summary(config: GanConfig) -> None:
    st.caption(
        _(
            "{steps} steps: {epochs} epochs of {batches} batches of {batch} "
            "from {points} real points."
        ).format(
            steps=format_decimal(config.total_steps),
            epochs=format_decimal(config.epochs),
            batches=format_decimal(config.steps_per_epoch),
            batch=format_decimal(config.batch_size),
            points=format_decimal(config.data_size),
        )
    )
