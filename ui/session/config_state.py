"""The session's current config and the widgets that edit it.

`st.session_state["config"]` holds the last valid `GanConfig`: the one source of truth.
Every widget that edits a setting has a key starting with `w.` and is seeded from that
config only when its key is missing. Loading a whole config (a preset, a link, a file)
is therefore just "store it and drop the `w.` keys": the widgets re-seed themselves from
it on the next render. Widgets that Streamlit forgets while hidden (the matrix inputs
while the σ/ρ form is shown, say) re-seed the same way, from the config, not from stale
values.
"""

from __future__ import annotations

import streamlit as st

from gan_core.config import GanConfig
from gan_core.presets import PRESETS, get_preset

CONFIG_KEY = "config"
WIDGET_PREFIX = "w."
PRESET_KEY = "preset"
POINTS_KEY = "user_points"  # (source name, points) of the person's own data set
DEFAULT_PRESET = "tutorial"


def current() -> GanConfig:
    if CONFIG_KEY not in st.session_state:
        st.session_state[CONFIG_KEY] = get_preset(DEFAULT_PRESET).config
    return st.session_state[CONFIG_KEY]


def set_current(config: GanConfig) -> None:
    st.session_state[CONFIG_KEY] = config


def load(config: GanConfig, source: str) -> None:
    """Make `config` current and let every widget show it. Safe in callbacks and before
    any widget of this run is drawn (never after: Streamlit refuses that)."""
    set_current(config)
    for key in [k for k in st.session_state if str(k).startswith(WIDGET_PREFIX)]:
        del st.session_state[key]
    if config.target.kind == "points":
        st.session_state[POINTS_KEY] = (source, config.target.points)
    match = matching_preset(config)
    if match is not None:
        st.session_state[PRESET_KEY] = match


def matching_preset(config: GanConfig) -> str | None:
    return next((name for name, p in PRESETS.items() if p.config == config), None)


def widget_key(name: str) -> str:
    return WIDGET_PREFIX + name


def seed(name: str, value) -> str:
    """The widget key for `name`, set to `value` if the widget has no state yet."""
    key = widget_key(name)
    if key not in st.session_state:
        st.session_state[key] = value
    return key
