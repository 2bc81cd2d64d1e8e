"""The settings most people leave alone: objective, optimiser, networks, noise."""

from __future__ import annotations

import streamlit as st

from gan_core.config import (
    ACTIVATIONS,
    LOSSES,
    MAX_D_STEPS,
    MAX_GP_WEIGHT,
    MAX_NOISE_DIM,
    NOISE_KINDS,
    OPTIMIZERS,
    ConfigError,
    GanConfig,
)
from gan_core.training.losses import get_loss
from ui.controls.control_section import Section
from ui.controls.layers_text import format_layers, parse_layers
from ui.session.config_state import seed

LOSS_LABELS = {
    "cross_entropy": "Cross-entropy (non-saturating G)",
    "minimax": "Minimax (saturating G)",
    "least_squares": "Least squares",
    "wasserstein_gp": "Wasserstein + gradient penalty",
    "hinge": "Hinge",
}
OPTIMIZER_LABELS = {"adam": "Adam", "sgd": "SGD (momentum = β1)"}
NOISE_LABELS = {"normal": "Normal N(0, I)", "uniform": "Uniform U(-1, 1)"}
FIELDS = (
    "loss",
    "optimizer",
    "beta1",
    "beta2",
    "d_steps",
    "ema",
    "g_hidden",
    "g_activation",
    "d_hidden",
    "d_activation",
    "noise_dim",
    "noise",
    "init_std",
    "gp_weight",
)


def render(config: GanConfig) -> Section:
    section = Section(fields=frozenset(FIELDS))
    changes = section.changes
    with st.expander("Advanced"):
        st.markdown("**Objective and optimiser**")
        changes["loss"] = st.selectbox(
            "Loss", LOSSES, key=seed("loss", config.loss), format_func=LOSS_LABELS.get
        )
        left, right = st.columns(2)
        changes["optimizer"] = left.selectbox(
            "Optimiser",
            OPTIMIZERS,
            key=seed("optimizer", config.optimizer),
            format_func=OPTIMIZER_LABELS.get,
        )
        changes["d_steps"] = right.number_input(
            "D steps per G step",
            min_value=1,
            max_value=MAX_D_STEPS,
            step=1,
            key=seed("d_steps", config.d_steps),
        )
        beta = dict(min_value=0.0, max_value=0.99999, step=0.01, format="%g")
        changes["beta1"] = left.number_input(
            "β1", key=seed("beta1", config.beta1), help="Adam's β1; SGD's momentum.", **beta
        )
        changes["beta2"] = right.number_input(
            "β2", key=seed("beta2", config.beta2), help="Adam only.", **beta
        )
        changes["ema"] = left.number_input(
            "Generator EMA",
            min_value=0.0,
            max_value=0.9999,
            step=0.01,
            format="%g",
            key=seed("ema", config.ema),
            help="Decay of a moving average of G's weights, shown instead of G. 0 = off.",
        )
        changes["gp_weight"] = right.number_input(
            "Gradient penalty",
            min_value=0.0,
            max_value=MAX_GP_WEIGHT,
            step=1.0,
            format="%g",
            key=seed("gp_weight", config.gp_weight),
            disabled=not get_loss(config.loss).gradient_penalty,
            help="Weight of the gradient penalty (Wasserstein loss only).",
        )

        st.markdown("**Networks**")
        for net, name in (("g", "Generator"), ("d", "Discriminator")):
            left, right = st.columns(2)
            _layers(section, left, net, name, getattr(config, f"{net}_hidden"))
            changes[f"{net}_activation"] = right.selectbox(
                f"{name} activation",
                ACTIVATIONS,
                key=seed(f"{net}_activation", getattr(config, f"{net}_activation")),
            )
        changes["init_std"] = st.number_input(
            "Initial weight std",
            min_value=0.0,
            max_value=1.0,
            step=0.01,
            format="%g",
            key=seed("init_std", config.init_std),
            help="Weights start as N(0, std²); biases keep PyTorch's default.",
        )

        st.markdown("**Noise**")
        left, right = st.columns(2)
        changes["noise_dim"] = left.number_input(
            "Noise dimension",
            min_value=1,
            max_value=MAX_NOISE_DIM,
            step=1,
            key=seed("noise_dim", config.noise_dim),
        )
        changes["noise"] = right.selectbox(
            "Distribution",
            NOISE_KINDS,
            key=seed("noise", config.noise),
            format_func=NOISE_LABELS.get,
        )
        section.open_slot()
    return section


def _layers(section: Section, column, net: str, name: str, widths: tuple[int, ...]) -> None:
    field = f"{net}_hidden"
    affine = " (G is then an affine map, so its output law is known exactly)."
    text = column.text_input(
        f"{name} hidden layers",
        key=seed(field, format_layers(widths)),
        placeholder="none (affine)" if net == "g" else "none",
        help='Widths of the hidden layers, e.g. "5, 3". Empty: no hidden layer'
        + (affine if net == "g" else "."),
    )
    try:
        section.changes[field] = parse_layers(field, text)
    except ConfigError as error:
        kept = format_layers(widths) or "none"
        section.problems.append(f"{error}. The previous layers ({kept}) are kept.")
