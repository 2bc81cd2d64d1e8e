"""The target: a Gaussian by mean and covariance, the ring or grid mixture, or own points.

The covariance is entered as σx, σy and ρ (any values give a valid covariance) or as the
full matrix, which the config validates: a matrix that is not symmetric or not positive
semi-definite is refused with its eigenvalues, and the previous target stays.
"""

from __future__ import annotations

import math

import streamlit as st

from gan_core.config import (
    MAX_ABS_COORD,
    MAX_VARIANCE,
    TARGET_KINDS,
    ConfigError,
    GanConfig,
    Target,
)
from gan_core.i18n import N_, _, format_decimal, ngettext
from gan_core.points_io import parse_points
from ui.controls.control_section import Section, target_kept
from ui.controls.covariance_forms import from_sigmas, to_sigmas
from ui.language import settle_choice
from ui.plain_text import NAME_LIMIT, cut, plain_name
from ui.session import notices
from ui.session.config_state import POINTS_KEY, seed

KIND_LABELS = {  # shown translated; the values stay the config's names
    "gaussian": N_("Gaussian"),
    "ring": N_("Ring (8 modes)"),
    "grid": N_("Grid (25 modes)"),
    "points": N_("My points (CSV)"),
}
FORM_KEY = "cov_form"  # a way of writing, not a setting: survives loading a config
FORMS = {"sigmas": "σx, σy, ρ", "matrix": N_("Full matrix")}
UPLOAD_KEY = "points_upload"
MAX_SIGMA = math.sqrt(MAX_VARIANCE)
SHOWN = "%.6g"  # σ of the seed's covariance is √1.01 = 1.00498756…: show it short


def _kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind])


def _form_label(form: str) -> str:
    return _(FORMS[form])


def render(config: GanConfig) -> Section:
    section = Section(fields=frozenset({"target"}))
    st.subheader(_("Target"))
    target = config.target
    kind_key = seed("target_kind", target.kind)
    settle_choice(kind_key, list(TARGET_KINDS), _kind_label)
    kind = st.radio(
        _("Distribution"),
        TARGET_KINDS,
        key=kind_key,
        format_func=_kind_label,
        horizontal=True,
    )
    try:
        if kind == "gaussian":
            candidate = _gaussian(target)
        elif kind == "points":
            candidate = _points(target)
        else:  # fixed geometry; mean and cov are kept for a return to the Gaussian
            candidate = Target(kind=kind, mean=target.mean, cov=target.cov)
    except ConfigError as error:
        section.problems.append(target_kept(error))
    else:
        if candidate is not None:
            section.changes["target"] = candidate
    section.open_slot()
    return section


def _gaussian(target: Target) -> Target:
    left, right = st.columns(2)
    number = dict(min_value=-MAX_ABS_COORD, max_value=MAX_ABS_COORD, step=0.1, format=SHOWN)
    mean_x = left.number_input(_("Mean x"), key=seed("mean_x", target.mean[0]), **number)
    mean_y = right.number_input(_("Mean y"), key=seed("mean_y", target.mean[1]), **number)
    settle_choice(FORM_KEY, list(FORMS), _form_label)
    form = st.radio(
        _("Covariance as"),
        list(FORMS),
        key=FORM_KEY,
        format_func=_form_label,
        horizontal=True,
        persist_state="page",
    )
    cov = _sigma_form(target.cov) if form == "sigmas" else _matrix_form(target.cov)
    return Target(kind="gaussian", mean=(mean_x, mean_y), cov=cov)


def _sigma_form(cov):
    shown = to_sigmas(cov)
    left, right = st.columns(2)
    spread = dict(min_value=0.0, max_value=MAX_SIGMA, step=0.1, format=SHOWN)
    sigma_x = left.number_input("σx", key=seed("sigma_x", shown[0]), **spread)
    sigma_y = right.number_input("σy", key=seed("sigma_y", shown[1]), **spread)
    rho = st.slider(_("Correlation ρ"), -1.0, 1.0, step=0.01, key=seed("rho", shown[2]))
    entered = (sigma_x, sigma_y, rho)
    # Untouched inputs keep the exact matrix: σ and ρ are rounded views of it.
    if all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(entered, shown)):
        return cov
    return from_sigmas(*entered)


def _matrix_form(cov):
    (a, b), (c, d) = cov
    entry = dict(step=0.1, format=SHOWN)
    top_left, top_right = st.columns(2)
    a = top_left.number_input(_("Σ row 1, col 1"), key=seed("cov_a", a), **entry)
    b = top_right.number_input(_("Σ row 1, col 2"), key=seed("cov_b", b), **entry)
    bottom_left, bottom_right = st.columns(2)
    c = bottom_left.number_input(_("Σ row 2, col 1"), key=seed("cov_c", c), **entry)
    d = bottom_right.number_input(_("Σ row 2, col 2"), key=seed("cov_d", d), **entry)
    st.caption(_("Must be symmetric and positive semi-definite (both eigenvalues ≥ 0)."))
    return ((a, b), (c, d))


def _points(target: Target) -> Target | None:
    st.file_uploader(
        _("CSV file of x,y points"),
        type=["csv", "txt", "tsv"],
        key=UPLOAD_KEY,
        on_change=_read_upload,
        help=_(
            "One point per line; a header naming columns x and y is optional. "
            "Separators: comma, semicolon, tab or spaces."
        ),
    )
    notices.show("points")
    held = st.session_state.get(POINTS_KEY)
    if held is None:
        st.info(_("Upload a CSV file of x,y points to train on them."))
        return None
    source, points = held
    st.caption(
        ngettext("{n} point from {name}", "{n} points from {name}", len(points)).format(
            n=format_decimal(len(points)), name=plain_name(source)
        )
    )
    return Target(kind="points", mean=target.mean, cov=target.cov, points=points)


def _read_upload() -> None:
    uploaded = st.session_state.get(UPLOAD_KEY)
    if uploaded is None:  # the file was removed from the uploader: keep the points
        return
    try:
        points = parse_points(uploaded.getvalue())
    except ConfigError as error:
        name = cut(uploaded.name, NAME_LIMIT)
        notices.post(
            "points",
            "error",
            _("{name}: {error}. The previous target is kept.").format(name=name, error=error),
        )
        return
    st.session_state[POINTS_KEY] = (uploaded.name, points)
