"""A session id that survives a browser refresh: the run store files runs under it.

Streamlit gives every page load a new session, so its own id cannot find "my last run"
after a refresh. This id is a random token kept in the URL as `sid=...`: a refresh
reloads the same URL and so the same token. It is minted only when the session first
records a run (before that there is nothing to come back to) and then rides along in
every URL the dashboard writes. It is not a secret and guards nothing: anyone holding a
full address bar URL is offered the same last run; the share link leaves it out.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

import streamlit as st

PARAM = "sid"
STATE_KEY = "session_sid"
_VALID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def current() -> str | None:
    return st.session_state.get(STATE_KEY)


def ensure() -> str:
    """This session's id, minted on first use."""
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = secrets.token_urlsafe(12)
    return st.session_state[STATE_KEY]


def adopt(params: Mapping) -> None:
    """Take the id from the URL (after a refresh) unless the session already has one.

    A malformed token is ignored: the next URL the page writes drops it."""
    value = params.get(PARAM)
    if isinstance(value, list):
        value = value[-1] if value else None
    if current() is None and isinstance(value, str) and _VALID.match(value):
        st.session_state[STATE_KEY] = value


def without(params: Mapping) -> dict:
    """The URL parameters minus the session id: what the config is read from."""
    return {k: v for k, v in params.items() if k != PARAM}
