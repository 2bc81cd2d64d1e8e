"""Present mode: the dashboard laid out for a projector.

On, it collapses the sidebar, enlarges the type and fits the run buttons, the plane and
the three curves on one 1280×720 screen (`ui/page_style.py` holds the CSS, `ui/live/charts.py`
the chart sizes). It is a toggle beside the run buttons and `present=1` in the page's
address and in the share link (`ui/session/url_state.py`), so a teacher can bookmark it.
"""

from __future__ import annotations

import streamlit as st

from gan_core.config import ConfigError, quote_value
from gan_core.i18n import _

PRESENT_KEY = "present"  # the toggle's key and the link's parameter
LINK_VALUES = {"1": True, "0": False}


def on() -> bool:
    return bool(st.session_state.get(PRESENT_KEY, False))


def parse(value: str | list[str]) -> bool:
    """A link's `present` value: 1 (on) or 0 (off); anything else is refused by name."""
    text = (value[-1] if value else "") if isinstance(value, list) else value
    if text not in LINK_VALUES:
        raise ConfigError(
            PRESENT_KEY,
            _("{value} is not allowed: use 1 (on) or 0 (off)").format(value=quote_value(text)),
        )
    return LINK_VALUES[text]


def set_from_link(present: bool) -> None:
    """Before the toggle is drawn: the link's `present` sets it."""
    st.session_state[PRESENT_KEY] = present


def link_value() -> dict[str, str]:
    """The link parameter for the current mode: `present=1` when on, nothing when off."""
    return {PRESENT_KEY: "1"} if on() else {}


def sidebar_state() -> str:
    """`st.set_page_config`'s sidebar state: collapsed while presenting."""
    return "collapsed" if on() else "auto"


def toggle() -> None:
    st.toggle(
        _("Present"),
        key=PRESENT_KEY,
        help=_(
            "For a projector: hides the sidebar, enlarges the type and fits the buttons, "
            "the plane and the curves on one screen. The sidebar's arrow (top left) brings "
            "the settings back."
        ),
    )
