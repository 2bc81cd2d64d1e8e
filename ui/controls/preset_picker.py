"""Named setups from the engine: one click fills every control with a known-good setup."""

from __future__ import annotations

import streamlit as st

from gan_core.config import GanConfig
from gan_core.i18n import _
from gan_core.presets import PRESETS
from ui.language import settle_choice
from ui.session import config_state
from ui.session.config_state import DEFAULT_PRESET, PRESET_KEY


def render(config: GanConfig) -> None:
    settle_choice(PRESET_KEY, list(PRESETS), _title)
    if st.session_state.get(PRESET_KEY) not in PRESETS:
        st.session_state[PRESET_KEY] = config_state.matching_preset(config) or DEFAULT_PRESET
    name = st.selectbox(
        _("Preset"),
        list(PRESETS),
        key=PRESET_KEY,
        format_func=_title,
        on_change=_load_chosen,
        help="\n\n".join(f"**{_(p.title)}**: {_(p.explanation)}" for p in PRESETS.values()),
    )
    preset = PRESETS[name]
    st.caption(_(preset.explanation))
    if preset.config != config:
        st.caption(_("Settings changed from this preset."))
        st.button(
            _("Restore preset"), key="restore_preset", icon=":material/undo:", on_click=_load_chosen
        )


def _title(name: str) -> str:
    return _(PRESETS[name].title)


def _load_chosen() -> None:
    # A preset's title from before a language switch is not a choice: nothing to load.
    if settle_choice(PRESET_KEY, list(PRESETS), _title):
        return
    name = st.session_state[PRESET_KEY]
    if name in PRESETS:
        config_state.load(PRESETS[name].config, source=f"preset {name}")
