"""A private session id that survives a browser refresh: the run store files runs under it.

Streamlit gives every page load a new session, so its own id cannot find "my last run"
after a refresh. This id is a random token kept in a cookie of this site: a refresh sends
the cookie with the page's connection (`st.context.cookies`) and so finds the same token.
It never appears in a URL, so an address copied from the browser, or a share link, carries
the setup alone: whoever opens it gets a session of their own, and nobody can choose
another person's id by sending them a link (an `sid=` in a link is ignored).

The token is minted when the session first records a run (before that there is nothing to
come back to) and written to the cookie by a few lines of JavaScript on the next render.
The cookie is `SameSite=Strict` and lives for 30 days; it is readable by the page itself
(it has to be written from there), which holds nothing of anyone else's.
"""

from __future__ import annotations

import json
import re
import secrets

import streamlit as st

COOKIE = "ganscope_session"
LEGACY_PARAM = "sid"  # older links carried the id here; it is dropped, never adopted
STATE_KEY = "session_sid"
WRITTEN_KEY = "session_sid_cookie_written"  # the id this session already put in the cookie
MAX_AGE_S = 30 * 24 * 3600
_VALID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def current() -> str | None:
    return st.session_state.get(STATE_KEY)


def ensure() -> str:
    """This session's id, minted on first use."""
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = secrets.token_urlsafe(18)
    return st.session_state[STATE_KEY]


def adopt() -> None:
    """Take the id from this browser's cookie (after a refresh) unless the session has one.

    A malformed cookie is ignored; the next id minted replaces it."""
    if current() is not None:
        return
    value = _cookie()
    if value is not None and _VALID.match(value):
        st.session_state[STATE_KEY] = value
        st.session_state[WRITTEN_KEY] = value  # the browser holds it already


def remember_in_browser() -> None:
    """Write the session's id to the cookie once, after it is minted (call on every render)."""
    sid = current()
    if sid is None or st.session_state.get(WRITTEN_KEY) == sid:
        return
    st.session_state[WRITTEN_KEY] = sid
    # The id is ours (URL-safe base64), and json.dumps quotes it as a JavaScript string.
    cookie = f"{COOKIE}={sid}; Max-Age={MAX_AGE_S}; Path=/; SameSite=Strict"
    st.html(
        f"<script>document.cookie = {json.dumps(cookie)};</script>", unsafe_allow_javascript=True
    )


def without(params: dict) -> dict:
    """The URL parameters minus an old link's session id: what the config is read from."""
    return {k: v for k, v in params.items() if k != LEGACY_PARAM}


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no browser connection (bare mode, some test harnesses)
        return None
    return value if isinstance(value, str) else None
