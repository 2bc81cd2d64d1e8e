"""Named setups from the engine: one click fills every control with a known-good setup."""

from __future__ import annotations

import streamlit as st

from gan_core.config import GanConfig
from gan_core.presets import PRESETS
from ui.session import config_state
from ui.session.config_state import DEFAULT_PRESET, PRESET_KEY


def render(config: GanConfig) -> None:
    if PRESET_KEY not in st.session_state:
        st.session_state[PRESET_KEY] = config_state.matching_preset(config) or DEFAULT_PRESET
    name = st.selectbox(
        "Preset",
        list(PRESETS),
        key=PRESET_KEY,
        format_func=lambda n: PRESETS[n].title,
        on_change=_load_chosen,
        help="\n\n".join(f"**{p.title}**: {p.explanation}" for p in PRESETS.values()),
    )
    preset = PRESETS[name]
    st.caption(preset.explanation)
    if preset.config != config:
        st.caption("Settings changed from this preset.")
        st.button(
            "Restore preset", key="restore_preset", icon=":material/undo:", on_click=_load_chosen
        )


def _load_chosen() -> None:
    name = st.session_state[PRESET_KEY]
    config_state.load(PRESETS[name].config, source=f"preset {name}")
