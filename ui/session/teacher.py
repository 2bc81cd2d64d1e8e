"""The teacher key: who may delete, rename or unpublish any run published to the class.

The key is `GANSCOPE_TEACHER_KEY`, from the environment or else from `.streamlit/secrets.toml`
(a missing or unreadable secrets file counts as no key). With no key configured, nobody is a
teacher. A teacher types the key once per session in a password box (`key_form`); the
session then keeps a digest of the key it matched, never the key itself, and `is_teacher`
compares that digest with the key configured now, so a changed or removed key ends every
teacher session at its next click.

Pages ask `is_teacher()` when they act, and hand the answer to the store, which checks
every permission itself.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections import deque

import streamlit as st

from gan_core.i18n import _
from ui.session.session_job import who_is_asking

ENV_VAR = "GANSCOPE_TEACHER_KEY"
STATE_KEY = "teacher_key_digest"  # the digest of the key this session entered correctly
FORM_KEY = "teacher_key_form"
FIELD_KEY = "teacher_key_field"
# Wrong keys allowed per client address in a sliding window, so guessing stays slow however
# many tabs guess. Where the address is unknown (localhost, or a proxy that hides it) all
# such clients share one allowance: many tabs must not multiply it, and the worst a guesser
# can do to a teacher there is make them wait a minute.
MAX_WRONG_KEYS = 5
WRONG_KEY_WINDOW_S = 60.0
_wrong_keys: dict[str, deque[float]] = {}  # who -> times of their recent wrong keys
_wrong_keys_lock = threading.Lock()  # every session's script thread shares the table


def _configured_key() -> str | None:
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        try:
            value = str(st.secrets.get(ENV_VAR, "") or "").strip()
        except Exception:  # no secrets file, or one Streamlit cannot parse: no key
            value = ""
    return value or None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def configured() -> bool:
    """Whether this server has a teacher key at all."""
    return _configured_key() is not None


def is_teacher() -> bool:
    """Whether this session entered the key that is configured now."""
    key = _configured_key()
    entered = st.session_state.get(STATE_KEY)
    if key is None or not isinstance(entered, str):
        return False
    return hmac.compare_digest(entered, _digest(key))


def check(entered: str) -> bool:
    """Remember this session as a teacher's if `entered` is the configured key."""
    key = _configured_key()
    if key is None or not hmac.compare_digest(entered.strip().encode(), key.encode()):
        return False
    st.session_state[STATE_KEY] = _digest(key)
    return True


def _who() -> str:
    return who_is_asking().address or "unknown address"


def _seconds_locked(who: str, now: float) -> float:
    """How long `who` must wait before another try (0: may try now)."""
    with _wrong_keys_lock:
        recent = _wrong_keys.get(who, deque())
        while recent and now - recent[0] > WRONG_KEY_WINDOW_S:
            recent.popleft()
        if not recent:
            _wrong_keys.pop(who, None)
        if len(recent) < MAX_WRONG_KEYS:
            return 0.0
        return WRONG_KEY_WINDOW_S - (now - recent[0])


def _count_wrong_key(who: str, now: float) -> None:
    with _wrong_keys_lock:
        _wrong_keys.setdefault(who, deque()).append(now)


def forget() -> None:
    st.session_state.pop(STATE_KEY, None)


def key_form() -> None:
    """The password box and what came of the last key entered."""
    if not configured():
        st.caption(_("No teacher key is set on this server ({name}).").format(name=ENV_VAR))
        return
    if is_teacher():
        st.success(
            _(
                "Teacher key accepted: you may rename, unpublish and delete published runs, "
                "and set the class board's challenge."
            )
        )
        if st.button(_("Forget the teacher key"), key="teacher_forget"):
            forget()
            st.rerun()
        return
    with st.form(FORM_KEY, clear_on_submit=True, border=False):
        entered = st.text_input(_("Teacher key"), type="password", key=FIELD_KEY)
        submitted = st.form_submit_button(_("Unlock teacher actions"), key="teacher_unlock")
    if submitted:
        who, now = _who(), time.monotonic()
        wait = _seconds_locked(who, now)
        if wait > 0:
            st.error(
                _(
                    "Too many wrong teacher keys ({count} in {window} s): try again in {wait} s."
                ).format(
                    count=MAX_WRONG_KEYS, window=f"{WRONG_KEY_WINDOW_S:.0f}", wait=f"{wait:.0f}"
                )
            )
            return
        if check(entered):
            st.rerun()
        _count_wrong_key(who, now)
        st.error(_("That is not the teacher key."))
