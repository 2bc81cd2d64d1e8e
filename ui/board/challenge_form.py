"""The teacher's form: set the class's challenge, or clear it.

Drawn only for a session signed in with the teacher key, and the key is checked again when
the form is sent, so no other session can change the challenge. Bad input is refused with
the field, the value and what is allowed; nothing is stored until every field is valid.
"""

from __future__ import annotations

import streamlit as st

from gan_core.classroom.challenge import MAX_STEP_LIMIT, MAX_TITLE_CHARS, MIN_STEP_LIMIT, Challenge
from gan_core.config import LOSSES, MAX_ABS_COORD, MAX_VARIANCE, ConfigError, Target
from gan_core.i18n import N_, _
from gan_core.store.run_store import RunStore
from ui.controls.layers_text import format_layers, parse_layers
from ui.plain_text import plain
from ui.session import teacher

ANY = "any"
# The losses as the form and the rules say them (the stored challenge keeps the code names).
LOSS_NAMES = {
    "cross_entropy": N_("cross-entropy"),
    "minimax": N_("minimax"),
    "least_squares": N_("least squares"),
    "wasserstein_gp": N_("WGAN-GP"),
    "hinge": N_("hinge"),
}


def loss_name(loss: str) -> str:
    return _(LOSS_NAMES[loss]) if loss in LOSS_NAMES else loss


# The starting title, in the teacher's language when the form is first drawn (once stored,
# a title is the teacher's own text and never translated).
DEFAULT_TITLE = N_("Closest to the target in 2,500 steps")
DEFAULT = Challenge(title=DEFAULT_TITLE, target=Target(), step_limit=2_500)


def render(store: RunStore, current: Challenge | None) -> None:
    """The form, filled with the current challenge (or a starting one), and Clear."""
    shown = current or DEFAULT
    title_shown = shown.title if current is not None else _(DEFAULT_TITLE)
    with st.form("challenge_form", border=False):
        title = st.text_input(
            _("Title"), title_shown, max_chars=MAX_TITLE_CHARS, key="challenge_title"
        )
        left, right = st.columns(2)
        mean_x = left.number_input(
            _("Mean x"),
            -MAX_ABS_COORD,
            MAX_ABS_COORD,
            shown.target.mean[0],
            format="%g",
            key="challenge_mean_x",
        )
        mean_y = right.number_input(
            _("Mean y"),
            -MAX_ABS_COORD,
            MAX_ABS_COORD,
            shown.target.mean[1],
            format="%g",
            key="challenge_mean_y",
        )
        (var_x, cov_xy), (_cov_yx, var_y) = shown.target.cov
        var_x = left.number_input(
            _("Var x"), 0.0, MAX_VARIANCE, var_x, format="%g", key="challenge_var_x"
        )
        var_y = right.number_input(
            _("Var y"), 0.0, MAX_VARIANCE, var_y, format="%g", key="challenge_var_y"
        )
        cov_xy = st.number_input(
            _("Cov xy"), -MAX_VARIANCE, MAX_VARIANCE, cov_xy, format="%g", key="challenge_cov_xy"
        )
        limit = st.number_input(
            _("Step limit"), MIN_STEP_LIMIT, MAX_STEP_LIMIT, shown.step_limit, key="challenge_steps"
        )
        losses = [ANY, *LOSSES]
        loss = st.selectbox(
            _("Loss"),
            losses,
            index=losses.index(shown.loss or ANY),
            key="challenge_loss",
            # Translated now: a format_func may be called outside this run.
            format_func={
                name: _("any") if name == ANY else loss_name(name) for name in losses
            }.__getitem__,
        )
        layers = st.text_input(
            _("D's hidden layers (empty: any)"),
            "" if shown.d_hidden is None else format_layers(shown.d_hidden),
            help=_('Widths like "5, 3"; "{none}" for no hidden layer.').format(none=_("none")),
            key="challenge_d_hidden",
        )
        set_it = st.form_submit_button(_("Set challenge"), type="primary", key="challenge_set")
    if set_it:
        _set(
            store, title, (mean_x, mean_y), ((var_x, cov_xy), (cov_xy, var_y)), limit, loss, layers
        )
    if current is not None and st.button(_("Clear challenge"), key="challenge_clear"):
        if teacher.is_teacher():
            store.set_challenge(None)
            st.rerun()


def _set(
    store: RunStore,
    title: str,
    mean: tuple[float, float],
    cov: tuple[tuple[float, float], tuple[float, float]],
    limit: float,
    loss: str,
    layers: str,
) -> None:
    if not teacher.is_teacher():  # signed out in another tab, or the key was changed
        st.error(_("Only the teacher can set the challenge: sign in with the teacher key."))
        return
    try:
        d_hidden: tuple[int, ...] | None = None
        if layers.strip().lower() in ("none", _("none")):  # the word in either language
            d_hidden = ()
        elif layers.strip():
            d_hidden = parse_layers(_("D's layers"), layers)
        challenge = Challenge(
            title=title,
            target=Target(mean=mean, cov=cov),
            step_limit=int(limit),
            loss=None if loss == ANY else loss,
            d_hidden=d_hidden,
        )
    except ConfigError as error:
        st.error(plain(error))
        return
    store.set_challenge(challenge.to_json())
    st.rerun()
