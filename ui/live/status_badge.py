"""The run's status in large coloured words, readable from the back of a classroom."""

from __future__ import annotations

import streamlit as st

from ui.plain_text import cut, plain

# status: (label, colour, what it means)
STYLES = {
    "ready": ("Ready", "gray", "Step 0: press Train to start, or Step to go one update at a time."),
    "queued": ("Queued", "orange", "It starts by itself when its turn comes."),
    "starting": ("Starting", "blue", ""),
    "running": ("Running", "blue", ""),
    "paused": ("Paused", "orange", "Resume, or Step through single updates."),
    "finished": ("Finished", "green", ""),
    "diverged": ("Diverged", "red", "Try smaller learning rates."),
    "stopped": ("Stopped", "gray", ""),
    "error": ("Error", "red", ""),
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
    label, colour, hint = STYLES.get(status, (plain(status.title()), "gray", ""))
    icon = ICONS.get(status, "info")
    # The message may quote an error, or come from a run imported from elsewhere.
    note = cut(message[:1].upper() + message[1:]) if message else ""
    text = plain(" ".join(part.rstrip(".") + "." for part in (note, hint) if part))
    # The words and what they mean share one line: a line less above the plane.
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        badge = f"## :{colour}-background[:material/{icon}: {label}]"
        st.container(key="run_status", width="content").markdown(badge)
        if status in ("diverged", "error"):
            st.error(text)
        elif text:
            st.caption(text)
