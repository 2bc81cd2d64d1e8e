"""Messages raised in a callback and shown where they belong on the next render.

Callbacks run before the script draws anything, so they cannot place a message next to
the control that caused it; they leave it here under a place name, and that place shows
(and clears) it when it is drawn.

A notice is plain text, shown exactly as written and never read as Markdown: notices
quote what people send (a link's values, a file's name and contents, errors about them).
"""

from __future__ import annotations

import streamlit as st

from ui.plain_text import plain

NOTICES_KEY = "notices"
KINDS = ("error", "warning", "success", "info")


def post(place: str, kind: str, text: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    st.session_state.setdefault(NOTICES_KEY, {}).setdefault(place, []).append((kind, text))


def show(place: str) -> None:
    for kind, text in st.session_state.get(NOTICES_KEY, {}).pop(place, []):
        getattr(st, kind)(plain(text))
