"""The maths, live: G(z) = zW + c with the current W and c, G's mean and covariance beside
the target's, and the Jensen–Shannon divergence, as formulas redrawn with every frame.

The notation is the tutorial's: noise z is a row vector, G(z) = zW + c, and the target is
x = zA + b. The engine stores G's layer as nn.Linear does (x = W'z + c with W' = Wᵀ), so W
here is that weight transposed. A is the symmetric square root of the target's Σ, the
factor the sampler uses; any A with AᵀA = Σ gives the same law.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import streamlit as st

from gan_core.i18n import _
from gan_core.targets import covariance_factor
from gan_core.training.models import noise_variance
from gan_core.training.snapshot import FIT_SAMPLES, Snapshot
from ui.live.view_state import ViewState

DECIMALS = 3


def render(view: ViewState, layers: Iterable[str]) -> None:
    """The maths below the charts when "maths" is on; D*'s note when "optimal" is on."""
    snapshot = view.snapshot
    if snapshot is None:
        return
    layers = set(layers)
    if "optimal" in layers and snapshot.optimal_note:
        # The note was written by the worker, in English: translated here (analysis marks it).
        st.caption(_("Best D*: {note}.").format(note=_(snapshot.optimal_note)))
    if "maths" not in layers:
        return
    with st.container(key="live_maths"):
        generator, target = st.columns(2)
        with generator:
            _generator(view, snapshot)
        with target:
            _target(view, snapshot)
        _divergence(snapshot)


def number(value: float) -> str:
    text = f"{value:.{DECIMALS}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.000"


def matrix(values: np.ndarray) -> str:
    """A vector or matrix as a LaTeX pmatrix, rounded to DECIMALS places."""
    rows = np.atleast_2d(np.asarray(values, dtype=float))
    body = r" \\ ".join(" & ".join(number(v) for v in row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def formulas(*lines: str) -> None:
    """Formulas one under another, as one element: redrawn twice a second while a run goes
    on, each element costs the server a message; one short formula a line, as a half-width
    column at 1280 px holds no more."""
    st.latex(r"\begin{gathered} " + r" \\[6pt] ".join(lines) + r" \end{gathered}")


def _generator(view: ViewState, snapshot: Snapshot) -> None:
    st.markdown("**{}**".format(_("Generator")))
    weight = snapshot.generator_parameters.get("weight")
    bias = snapshot.generator_parameters.get("bias")
    mean, cov = matrix(snapshot.gen_mean), matrix(snapshot.gen_cov)
    if weight is None or bias is None:
        st.caption(
            _(
                "G is not affine (it has hidden layers), so its law has no closed form: "
                "the mean and covariance below are fitted to {count} of its samples."
            ).format(count=f"{FIT_SAMPLES:,}")
        )
        formulas(rf"\hat\mu_G = {mean}", rf"\hat\Sigma_G = {cov}")
        return
    affine = (r"G(z) = zW + c", rf"W = {matrix(np.asarray(weight).T)}", rf"c = {matrix(bias)}")
    if snapshot.gen_moments_exact:
        formulas(*affine, rf"\mu_G = c = {mean}", rf"\Sigma_G = W^\top W = {cov}")
        return
    formulas(*affine)
    variance = number(noise_variance(view.config))
    st.caption(
        _(
            "The noise is uniform, so G's law is not Gaussian; its mean and covariance are "
            "still exact, with Var(z) = {variance}·I."
        ).format(variance=variance)
    )
    formulas(rf"\mu_G = c = {mean}", rf"\Sigma_G = {variance}\, W^\top W = {cov}")


def _target(view: ViewState, snapshot: Snapshot) -> None:
    st.markdown("**{}**".format(_("Target")))
    mean, cov = matrix(snapshot.target_mean), matrix(snapshot.target_cov)
    if view.config.target.kind != "gaussian":
        st.caption(_("Not of the form x = zA + b: the mean and covariance of the whole target."))
        formulas(rf"\mu = {mean}", rf"\Sigma = {cov}")
        return
    root = covariance_factor(snapshot.target_cov)
    formulas(
        r"x = zA + b",
        rf"A = \Sigma^{{1/2}} = {matrix(root)}",
        rf"\mu = b = {mean}",
        rf"\Sigma = A^\top A = {cov}",
    )


def _divergence(snapshot: Snapshot) -> None:
    jsd = snapshot.metrics.get("js_divergence")
    if jsd is None:
        st.caption(
            _(
                "The Jensen–Shannon divergence is exact only for a Gaussian target and an "
                "affine G of Gaussian noise, so it is left out here."
            )
        )
        return
    value = -2 * np.log(2) + 2 * jsd
    unit = _("nats")
    st.latex(
        rf"\mathrm{{JSD}} = {number(jsd)}\ \text{{{unit}}}, \quad "
        rf"V(D^*, G) = -2\ln 2 + 2\,\mathrm{{JSD}} = {number(value)}"
    )
    st.caption(
        _(
            "D's loss at its best is −V(D*, G) = 2 ln 2 − 2·JSD: as G reaches the target, "
            "JSD falls to 0 and D's loss settles at 2 ln 2 = 1.386."
        )
    )
