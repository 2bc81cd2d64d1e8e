"""The run's status in large coloured words, readable from the back of a classroom."""

from __future__ import annotations

import streamlit as st

from gan_core.i18n import N_, _
from ui.live.run_messages import translated
from ui.plain_text import cut, plain

# status: (label, colour, what it means); the words marked here, translated when shown.
STYLES = {
    "ready": (
        N_("Ready"),
        "gray",
        N_("Step 0: press Train to start, or Step to go one update at a time."),
    ),
    "queued": (N_("Queued"), "orange", N_("It starts by itself when its turn comes.")),
    "starting": (N_("Starting"), "blue", ""),
    "running": (N_("Running"), "blue", ""),
    "paused": (N_("Paused"), "orange", N_("Resume, or Step through single updates.")),
    "finished": (N_("Finished"), "green", ""),
    "diverged": (N_("Diverged"), "red", N_("Try smaller learning rates.")),
    "stopped": (N_("Stopped"), "gray", ""),
    "error": (N_("Error"), "red", ""),
}
ICONS = {  # Material Symbols, which Streamlit ships: no dependence on the system's fonts
    "ready": "radio_button_unchecked",
    "queued": "schedule",
    "starting": "hourglass_top",
    "running": "play_circle",
    "paused": "pause_circle",
    "finished": "check_circle",
    "diverged": "error",
    "stopped": "stop_circle",
    "error": "error",
}


def render(status: str, message: str) -> None:
    if status in STYLES:
        label, colour, hint = STYLES[status]
        label, hint = _(label), _(hint) if hint else ""
    else:
        label, colour, hint = plain(status.title()), "gray", ""
    icon = ICONS.get(status, "info")
    # The message may quote an error, or come from a run imported from elsewhere; it was
    # written in English by the worker or the store, and is translated here.
    message = translated(message)
    note = cut(message[:1].upper() + message[1:]) if message else ""
    text = plain(" ".join(_sentence(part) for part in (note, hint) if part))
    # The words and what they mean share one line: a line less above the plane.
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        badge = f"## :{colour}-background[:material/{icon}: {label}]"
        st.container(key="run_status", width="content").markdown(badge)
        if status in ("diverged", "error"):
            st.error(text)
        elif text:
            st.caption(text)


def _sentence(part: str) -> str:
    """`part` ended by one full stop of the reader's language."""
    return _("{sentence}.").format(sentence=part.rstrip(".。"))
