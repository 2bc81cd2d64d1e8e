"""The speed control: how many steps a second the live view runs at.

A new session starts at a pace a class can follow: at 100 steps a second the tutorial
preset's 2,500 steps take 25 s, if the machine keeps up (measured with the session's job:
44.5 s on a 2-core machine loaded far past its cores, where "max" itself took 35 s); "max"
is the last stop of the same slider. The speed is part of the page's address and of the share link
(`ui/session/url_state.py`), so a reload or a shared link keeps it.
"""

from __future__ import annotations

import streamlit as st

from gan_core.i18n import _
from gan_core.serialize import SPEEDS

SPEED_KEY = "speed"
DEFAULT_SPEED = "100"


def current() -> str:
    """The speed chosen, as the control spells it ("100", "max")."""
    return st.session_state.get(SPEED_KEY, DEFAULT_SPEED)


def set_from_link(speed: str) -> None:
    """Before the control is drawn: a link's speed (one of `SPEEDS`) sets it."""
    st.session_state[SPEED_KEY] = speed


def chosen_speed() -> float | None:
    """Steps per second from the speed control (None: as fast as the machine goes)."""
    value = current()
    return None if value == "max" else float(value)


def render() -> None:
    if SPEED_KEY not in st.session_state:
        st.session_state[SPEED_KEY] = DEFAULT_SPEED
    st.select_slider(
        _("Speed (steps/s)"),
        SPEEDS,
        key=SPEED_KEY,
        width=240,
        help=_(
            "Slow it down to watch each step, or slide to the end (max) to let it run as "
            "fast as it can. Takes effect at once."
        ),
    )
