"""The maths, live: G(z) = zW + c with the current W and c, G's mean and covariance beside
the target's, and the Jensen–Shannon divergence, as formulas redrawn with every frame.

The notation is the tutorial's: noise z is a row vector, G(z) = zW + c, and the target is
x = zA + b. The engine stores G's layer as nn.Linear does (x = W'z + c with W' = Wᵀ), so W
here is that weight transposed. A is the symmetric square root of the target's Σ, the
factor the sampler uses; any A with AᵀA = Σ gives the same law.

The charts' frame draws the formulas, as MathML, which the browser typesets itself; so
while a run trains they come with each frame from the chart feed, as the plane does, and
need no rerun of the page. This module writes them as plain data: a formula is a tree of
nodes, each `[tag, child, ...]` with a child either a node or a text. The frame makes the
elements from a fixed list of MathML tags and writes every text as text, never as markup.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import numpy as np
import streamlit as st

from gan_core.i18n import _, current_language
from gan_core.targets import covariance_factor
from gan_core.training.models import noise_variance
from gan_core.training.snapshot import FIT_SAMPLES, Snapshot
from ui.live.view_state import ViewState

DECIMALS = 3
Node = list[Any]  # [tag, child, ...]: a child is a Node, a text, or {"mathvariant": ...}
Block = dict[str, Any]  # {"caption": text} or {"formulas": [Node, ...]}, one under another
UPRIGHT = {"mathvariant": "normal"}  # a capital Greek letter stands upright, as in TeX
FIXED = {"stretchy": "false"}  # a function's brackets keep their size; a matrix's stretch
THIN = ["mspace", {"width": "0.17em"}]  # the thin space TeX puts around "ln"


def maths(view: ViewState, layers: Iterable[str]) -> dict[str, Any] | None:
    """What the frame draws below the charts when "maths" is on: a column for G and one for
    the target, each a title and its blocks, then the blocks on the divergence."""
    snapshot = view.snapshot
    if snapshot is None or "maths" not in set(layers):
        return None
    return {
        "columns": [
            {"title": _("Generator"), "blocks": _generator(view, snapshot)},
            {"title": _("Target"), "blocks": _target(view.config.target.kind, snapshot)},
        ],
        "after": _divergence(snapshot),
    }


def note(view: ViewState, layers: Iterable[str]) -> None:
    """D*'s note below the charts when "optimal" is on and D* cannot be drawn exactly."""
    snapshot = view.snapshot
    if snapshot is not None and "optimal" in set(layers) and snapshot.optimal_note:
        # The note was written by the worker, in English: translated here (analysis marks it).
        st.caption(_("Best D*: {note}.").format(note=_(snapshot.optimal_note)))


def text_of(node: Node | str | dict) -> str:
    """A formula's texts run together ("W=(1.000...)"): what a reader sees, for a test."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return ""
    return "".join(text_of(child) for child in node[1:])


# ---------------------------------------------------------------- the formulas' parts


def number(value: float) -> str:
    text = f"{value:.{DECIMALS}f}"
    if text.startswith("-") and float(text) == 0:
        return text[1:]  # no "-0.000"
    return text.replace("-", "−")  # a minus sign, as a typeset formula has


def matrix(values: np.ndarray) -> Node:
    """A vector or matrix in round brackets, rounded to DECIMALS places."""
    rows = np.atleast_2d(np.asarray(values, dtype=float))
    table = ["mtable", *(["mtr", *(["mtd", ["mn", number(v)]] for v in row)] for row in rows)]
    return ["mrow", ["mo", "("], table, ["mo", ")"]]


def symbol(name: str, index: str = "", hat: bool = False) -> Node:
    """`name` (a capital Greek letter upright), with a hat and a subscript if asked."""
    base: Node = ["mi", UPRIGHT, name] if name.isupper() and not name.isascii() else ["mi", name]
    if hat:
        base = ["mover", base, ["mo", "^"]]
    return ["msub", base, ["mi", index]] if index else base


def transposed(name: str) -> Node:
    return ["msup", ["mi", name], ["mo", "⊤"]]


def equation(*sides: Node) -> Node:
    """The sides with = between them."""
    parts: list[Node] = []
    for side in sides:
        parts += [["mo", "="], side] if parts else [side]
    return ["mrow", *parts]


def affine(output: str, noise: str, weight: str, shift: str) -> Node:
    """output(noise) = noise·weight + shift, or output = noise·weight + shift."""
    left: Node = ["mi", output]
    if output == "G":
        left = ["mrow", left, ["mo", FIXED, "("], ["mi", noise], ["mo", FIXED, ")"]]
    right = ["mrow", ["mi", noise], ["mi", weight], ["mo", "+"], ["mi", shift]]
    return equation(left, right)


def formulas(*lines: Node) -> Block:
    return {"formulas": list(lines)}


def caption(text: str) -> Block:
    return {"caption": text}


# ---------------------------------------------------------------- the three parts


def _generator(view: ViewState, snapshot: Snapshot) -> list[Block]:
    weight = snapshot.generator_parameters.get("weight")
    bias = snapshot.generator_parameters.get("bias")
    mean, cov = matrix(snapshot.gen_mean), matrix(snapshot.gen_cov)
    if weight is None or bias is None:
        fitted = _(
            "G is not affine (it has hidden layers), so its law has no closed form: "
            "the mean and covariance below are fitted to {count} of its samples."
        ).format(count=f"{FIT_SAMPLES:,}")
        return [
            caption(fitted),
            formulas(
                equation(symbol("μ", "G", hat=True), mean),
                equation(symbol("Σ", "G", hat=True), cov),
            ),
        ]
    shape = formulas(
        affine("G", "z", "W", "c"),
        equation(["mi", "W"], matrix(np.asarray(weight).T)),
        equation(["mi", "c"], matrix(bias)),
    )
    spread: Node = ["mrow", transposed("W"), ["mi", "W"]]
    if snapshot.gen_moments_exact:
        shape["formulas"] += [
            equation(symbol("μ", "G"), ["mi", "c"], mean),
            equation(symbol("Σ", "G"), spread, cov),
        ]
        return [shape]
    variance = number(noise_variance(view.config))
    uniform = _(
        "The noise is uniform, so G's law is not Gaussian; its mean and covariance are "
        "still exact, with Var(z) = {variance}·I."
    ).format(variance=variance)
    scaled: Node = ["mrow", ["mn", variance], ["mo", "\u2062"], spread]  # invisible times
    moments = formulas(
        equation(symbol("μ", "G"), ["mi", "c"], mean), equation(symbol("Σ", "G"), scaled, cov)
    )
    return [shape, caption(uniform), moments]


def _target(kind: str, snapshot: Snapshot) -> list[Block]:
    """The target's formulas: the same in every frame of a run, so made once."""
    mean = tuple(np.asarray(snapshot.target_mean, dtype=float).ravel())
    cov = tuple(np.asarray(snapshot.target_cov, dtype=float).ravel())
    return _target_formulas(kind, mean, cov, current_language())


@functools.lru_cache(maxsize=32)
def _target_formulas(
    kind: str, mean_values: tuple[float, ...], cov_values: tuple[float, ...], language: str
) -> list[Block]:
    # Shared by every caller: the blocks are only ever read (sent as JSON).
    target_mean, target_cov = np.array(mean_values), np.array(cov_values).reshape(2, 2)
    mean, cov = matrix(target_mean), matrix(target_cov)
    if kind != "gaussian":
        whole = _("Not of the form x = zA + b: the mean and covariance of the whole target.")
        return [
            caption(whole),
            formulas(equation(symbol("μ"), mean), equation(symbol("Σ"), cov)),
        ]
    root = matrix(covariance_factor(target_cov))
    half: Node = ["msup", symbol("Σ"), ["mrow", ["mn", "1"], ["mo", "/"], ["mn", "2"]]]
    return [
        formulas(
            affine("x", "z", "A", "b"),
            equation(["mi", "A"], half, root),
            equation(symbol("μ"), ["mi", "b"], mean),
            equation(symbol("Σ"), ["mrow", transposed("A"), ["mi", "A"]], cov),
        )
    ]


def _divergence(snapshot: Snapshot) -> list[Block]:
    jsd = snapshot.metrics.get("js_divergence")
    if jsd is None:
        return [
            caption(
                _(
                    "The Jensen–Shannon divergence is exact only for a Gaussian target and an "
                    "affine G of Gaussian noise, so it is left out here."
                )
            )
        ]
    value = -2 * np.log(2) + 2 * jsd
    divergence: Node = ["mi", "JSD"]
    best: Node = ["mrow", ["mi", "V"], ["mo", FIXED, "("], ["msup", ["mi", "D"], ["mo", "*"]]]
    best += [["mo", ","], ["mi", "G"], ["mo", FIXED, ")"]]
    identity: Node = ["mrow", ["mo", "−"], ["mn", "2"], THIN, ["mi", "ln"], THIN, ["mn", "2"]]
    identity += [["mo", "+"], ["mn", "2"], divergence]
    amount = ["mrow", ["mn", number(jsd)], ["mspace", {"width": "0.3em"}], ["mtext", _("nats")]]
    return [
        formulas(
            equation(divergence, amount),
            equation(best, identity, ["mn", number(value)]),
        ),
        caption(
            _(
                "D's loss at its best is −V(D*, G) = 2 ln 2 − 2·JSD: as G reaches the target, "
                "JSD falls to 0 and D's loss settles at 2 ln 2 = 1.386."
            )
        ),
    ]
