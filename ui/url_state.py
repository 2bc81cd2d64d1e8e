"""The config in the URL: every setting, the seed included, so a link reproduces a setup.

On a session's first run, the link's parameters (if any) set the controls; a link that
cannot be read says why and falls back to the tutorial preset. On every run after that,
the URL is rewritten to match the current config.
"""

from __future__ import annotations

import streamlit as st

from gan_core.config import ConfigError, GanConfig
from gan_core.presets import get_preset
from gan_core.serialize import from_query, to_query
from ui import config_state, notices
from ui.config_state import DEFAULT_PRESET

LOADED_KEY = "link_loaded"
LINK_PROBLEM_KEY = "link_problem"  # why the current config has no link, if it has none


def load_once() -> None:
    """Set the controls from the URL, on the session's first run only."""
    if st.session_state.get(LOADED_KEY):
        return
    st.session_state[LOADED_KEY] = True
    params = st.query_params.to_dict()
    if not params:
        return
    try:
        config = from_query(params)
    except ConfigError as error:
        notices.post(
            "page",
            "error",
            f"This link's settings could not be used: {error}. "
            f"Showing the preset “{get_preset(DEFAULT_PRESET).title}” instead.",
        )
        config_state.load(get_preset(DEFAULT_PRESET).config, source="preset")
    else:
        config_state.load(config, source="the link")


def query_for(config: GanConfig) -> dict[str, str] | None:
    """The URL parameters of `config`, or None when it cannot be put in a link."""
    try:
        query = to_query(config)
    except ConfigError as error:
        st.session_state[LINK_PROBLEM_KEY] = str(error)
        return None
    st.session_state.pop(LINK_PROBLEM_KEY, None)
    return query


def sync(config: GanConfig) -> None:
    query = query_for(config) or {}
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
