"""The teacher's key: a session that typed it may do what only a teacher does.

The key is set on the server, in `GANSCOPE_TEACHER_KEY` or a root-level key of the same name
in `.streamlit/secrets.toml`; with none set, no session is a teacher. A typed key is compared
in constant time (hmac.compare_digest) and remembered in the session's state, and checked
against the server's key again on every use, so a changed key signs every session out.
"""

from __future__ import annotations

import hmac
import os

import streamlit as st

KEY_NAME = "GANSCOPE_TEACHER_KEY"
STATE_KEY = "teacher_key"
MAX_KEY_CHARS = 200


def _server_key() -> str | None:
    key = os.environ.get(KEY_NAME)
    if not key:
        try:
            key = st.secrets.get(KEY_NAME)
        except Exception:  # no secrets file, or one that does not parse: no key from there
            key = None
    return key if isinstance(key, str) and key else None


def _matches(typed: object) -> bool:
    key = _server_key()
    if key is None or not isinstance(typed, str):
        return False
    return hmac.compare_digest(typed.encode(), key.encode())


def configured() -> bool:
    """A teacher key is set on this server."""
    return _server_key() is not None


def is_teacher() -> bool:
    """This session typed the server's current key."""
    return _matches(st.session_state.get(STATE_KEY))


def key_form() -> None:
    """Sign in as the teacher (or out), or say that no key is set on this server."""
    if not configured():
        st.caption(f"No teacher key is set on this server ({KEY_NAME}).")
        return
    if is_teacher():
        st.success("Signed in as the teacher.", icon=":material/school:")
        if st.button("Sign out", key="teacher_sign_out"):
            st.session_state.pop(STATE_KEY, None)
            st.rerun()
        return
    with st.form("teacher_key_form", border=False):
        typed = st.text_input(
            "Teacher key", type="password", max_chars=MAX_KEY_CHARS, key="teacher_key_input"
        )
        if st.form_submit_button("Sign in as the teacher", key="teacher_sign_in"):
            if _matches(typed):
                st.session_state[STATE_KEY] = typed
                st.rerun()
            st.error("That is not the teacher key.")
