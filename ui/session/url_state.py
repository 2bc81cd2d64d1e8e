"""The config in the URL: every setting, the seed included, so a link reproduces a setup,
the live view's speed (`speed=`), so a reload or a shared link keeps the pace too, and
present mode (`present=1`, `ui/present_mode.py`), only while it is on.

The page remembers the config parameters it last wrote to the URL. Whenever the URL's
parameters differ from those, someone else put them there (a shared link on the first
visit, another page's `st.switch_page(..., query_params=...)`, the browser's back button)
and they set the controls; a link that cannot be read says why and falls back to the
tutorial preset. At the end of every run the URL is rewritten to match the config and
nothing else: the session's id lives in a cookie (`ui/session/session_id.py`), and an
`sid=` left in an old link is dropped.

A widget event sent in the instant before the browser applied the page's last URL change
would carry the older URL and be read as a new link; the window is one network round trip
after a run ends, which no person's click hits in practice.
"""

from __future__ import annotations

import streamlit as st

from gan_core.config import ConfigError, GanConfig
from gan_core.i18n import _
from gan_core.presets import get_preset
from gan_core.serialize import SPEED_KEY, from_query, split_speed, to_query
from ui import language, present_mode
from ui.live import speed
from ui.session import config_state, notices, session_id
from ui.session.config_state import DEFAULT_PRESET

SYNCED_KEY = "url_synced"  # the config parameters this page last wrote to the URL
LINK_PROBLEM_KEY = "link_problem"  # why the current config has no link, if it has none


def load_from_url() -> None:
    """Set the controls from the URL when its config parameters are new to this page."""
    params = st.query_params.to_dict()
    session_id.adopt()
    params = session_id.without(params)
    # `lang` is the page's language, settled by ui/language.py before this runs.
    params = {k: v for k, v in params.items() if k != language.LINK_KEY}
    if params == st.session_state.get(SYNCED_KEY):
        return
    # Remember them at once: if this run is cut short, the next one must not load them again.
    st.session_state[SYNCED_KEY] = params
    params = _take_present(_take_speed(params))
    if not params:  # no config in the URL: keep the one the controls hold
        return
    try:
        config = from_query(params)
    except ConfigError as error:
        notices.post(
            "page",
            "error",
            _(
                "This link's settings could not be used: {error}. "
                "Showing the preset “{preset}” instead."
            ).format(error=error, preset=_(get_preset(DEFAULT_PRESET).title)),
        )
        config_state.load(get_preset(DEFAULT_PRESET).config, source="preset")
    else:
        config_state.load(config, source="the link")


def _take_speed(params: dict) -> dict:
    """Set the speed control from the link's `speed`, if any; the other parameters.

    A speed the control does not offer is refused aloud and the control keeps its speed;
    the link's settings are still used, as they do not depend on it."""
    try:
        link_speed, rest = split_speed(params)
    except ConfigError as error:
        notices.post(
            "page",
            "error",
            _(
                "This link's speed could not be used: {error}. The speed stays at {speed} steps/s."
            ).format(error=error, speed=speed.current()),
        )
        return {k: v for k, v in params.items() if k != SPEED_KEY}
    if link_speed is not None:
        speed.set_from_link(link_speed)
    return rest


def _take_present(params: dict) -> dict:
    """Set present mode from the link's `present`, if any; the other parameters.

    Like the speed, a value that is not 1 or 0 is refused aloud and the mode stays as it is."""
    rest = {k: v for k, v in params.items() if k != present_mode.PRESENT_KEY}
    if present_mode.PRESENT_KEY not in params:
        return rest
    try:
        present = present_mode.parse(params[present_mode.PRESENT_KEY])
    except ConfigError as error:
        notices.post(
            "page",
            "error",
            _("This link's present mode could not be used: {error}.").format(error=error),
        )
        return rest
    present_mode.set_from_link(present)
    return rest


def query_for(config: GanConfig) -> dict[str, str] | None:
    """The URL parameters of `config`, of the speed and of present mode (when on), or None
    when the config cannot be put in a link."""
    try:
        query = to_query(config)
    except ConfigError as error:
        st.session_state[LINK_PROBLEM_KEY] = str(error)
        return None
    st.session_state.pop(LINK_PROBLEM_KEY, None)
    return {
        **query,
        SPEED_KEY: speed.current(),
        **present_mode.link_value(),
        **language.link_value(),
    }


def sync(config: GanConfig) -> None:
    query = query_for(config) or {}
    st.session_state[SYNCED_KEY] = {k: v for k, v in query.items() if k != language.LINK_KEY}
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
