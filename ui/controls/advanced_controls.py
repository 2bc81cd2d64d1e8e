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
from gan_core.i18n import N_, _
from gan_core.training.losses import get_loss
from ui.controls.control_section import Section
from ui.controls.layers_text import format_layers, parse_layers
from ui.language import settle_choice
from ui.session.config_state import seed

# Option values stay the config's names; these are what the lists show (translated there).
LOSS_LABELS = {
    "cross_entropy": N_("Cross-entropy (non-saturating G)"),
    "minimax": N_("Minimax (saturating G)"),
    "least_squares": N_("Least squares"),
    "wasserstein_gp": N_("Wasserstein + gradient penalty"),
    "hinge": N_("Hinge"),
}
OPTIMIZER_LABELS = {"adam": "Adam", "sgd": N_("SGD (momentum = β1)")}
NOISE_LABELS = {"normal": N_("Normal N(0, I)"), "uniform": N_("Uniform U(-1, 1)")}
# Activation names are code names (ReLU, tanh, ...): shown as they are.
ADVANCED_KEY = "advanced_settings"  # the expander's identity, whatever its label's language
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


def _shown(labels: dict[str, str]):
    """A `format_func` that shows an option's label in the page's language."""
    return lambda value: _(labels[value])


def settled(name: str, value: str, labels: dict[str, str]) -> str:
    """`seed`'s key, its state put back on an option if it holds a label (`settle_choice`)."""
    key = seed(name, value)
    settle_choice(key, list(labels), _shown(labels))
    return key


def render(config: GanConfig) -> Section:
    section = Section(fields=frozenset(FIELDS))
    changes = section.changes
    with st.expander(_("Advanced"), key=ADVANCED_KEY):
        st.markdown("**" + _("Objective and optimiser") + "**")
        changes["loss"] = st.selectbox(
            _("Loss"),
            LOSSES,
            key=settled("loss", config.loss, LOSS_LABELS),
            format_func=_shown(LOSS_LABELS),
        )
        left, right = st.columns(2)
        changes["optimizer"] = left.selectbox(
            _("Optimiser"),
            OPTIMIZERS,
            key=settled("optimizer", config.optimizer, OPTIMIZER_LABELS),
            format_func=_shown(OPTIMIZER_LABELS),
        )
        changes["d_steps"] = right.number_input(
            _("D steps per G step"),
            min_value=1,
            max_value=MAX_D_STEPS,
            step=1,
            key=seed("d_steps", config.d_steps),
        )
        beta = dict(min_value=0.0, max_value=0.99999, step=0.01, format="%g")
        changes["beta1"] = left.number_input(
            "β1", key=seed("beta1", config.beta1), help=_("Adam's β1; SGD's momentum."), **beta
        )
        changes["beta2"] = right.number_input(
            "β2", key=seed("beta2", config.beta2), help=_("Adam only."), **beta
        )
        changes["ema"] = left.number_input(
            _("Generator EMA"),
            min_value=0.0,
            max_value=0.9999,
            step=0.01,
            format="%g",
            key=seed("ema", config.ema),
            help=_("Decay of a moving average of G's weights, shown instead of G. 0 = off."),
        )
        changes["gp_weight"] = right.number_input(
            _("Gradient penalty"),
            min_value=0.0,
            max_value=MAX_GP_WEIGHT,
            step=1.0,
            format="%g",
            key=seed("gp_weight", config.gp_weight),
            disabled=not get_loss(config.loss).gradient_penalty,
            help=_("Weight of the gradient penalty (Wasserstein loss only)."),
        )

        st.markdown("**" + _("Networks") + "**")
        for net in ("g", "d"):
            left, right = st.columns(2)
            _layers(section, left, net, getattr(config, f"{net}_hidden"))
            activation = _("Generator activation") if net == "g" else _("Discriminator activation")
            changes[f"{net}_activation"] = right.selectbox(
                activation,
                ACTIVATIONS,
                key=seed(f"{net}_activation", getattr(config, f"{net}_activation")),
            )
        changes["init_std"] = st.number_input(
            _("Initial weight std"),
            min_value=0.0,
            max_value=1.0,
            step=0.01,
            format="%g",
            key=seed("init_std", config.init_std),
            help=_("Weights start as N(0, std²); biases keep PyTorch's default."),
        )

        st.markdown("**" + _("Noise") + "**")
        left, right = st.columns(2)
        changes["noise_dim"] = left.number_input(
            _("Noise dimension"),
            min_value=1,
            max_value=MAX_NOISE_DIM,
            step=1,
            key=seed("noise_dim", config.noise_dim),
        )
        changes["noise"] = right.selectbox(
            _("Distribution"),
            NOISE_KINDS,
            key=settled("noise", config.noise, NOISE_LABELS),
            format_func=_shown(NOISE_LABELS),
        )
        section.open_slot()
    return section


def _layers(section: Section, column, net: str, widths: tuple[int, ...]) -> None:
    field = f"{net}_hidden"
    generator = net == "g"
    text = column.text_input(
        _("Generator hidden layers") if generator else _("Discriminator hidden layers"),
        key=seed(field, format_layers(widths)),
        placeholder=_("none (affine)") if generator else _("none"),
        help=_(
            'Widths of the hidden layers, e.g. "5, 3". Empty: no hidden layer '
            "(G is then an affine map, so its output law is known exactly)."
        )
        if generator
        else _('Widths of the hidden layers, e.g. "5, 3". Empty: no hidden layer.'),
    )
    try:
        section.changes[field] = parse_layers(field, text)
    except ConfigError as error:
        kept = format_layers(widths) or _("none")
        section.problems.append(
            _("{error}. The previous layers ({kept}) are kept.").format(error=error, kept=kept)
        )
