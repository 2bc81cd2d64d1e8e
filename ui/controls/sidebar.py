"""The sidebar: preset, target, training and advanced controls, applied as one edit.

Every section is drawn first, then all their edits are applied to the current config
together (see config_edit), then each section shows its own refusals. The preset picker
is drawn last into a slot at the top, so its "changed from this preset" note already
reflects this run's edits.
"""

from __future__ import annotations

import streamlit as st

from gan_core.config import GanConfig
from ui import language, navigation
from ui.controls import advanced_controls, preset_picker, target_controls, training_controls
from ui.controls.config_edit import apply_changes
from ui.session import config_state


def render() -> GanConfig:
    config = config_state.current()
    with st.sidebar:
        navigation.links()
        language.switch()
        preset_slot = st.container()
        sections = [
            target_controls.render(config),
            training_controls.render(config),
            advanced_controls.render(config),
        ]
    changes = {}
    for section in sections:
        changes.update(section.changes)
    new, refused = apply_changes(config, changes)
    config_state.set_current(new)
    for section in sections:
        section.report(refused, config, new)
    with preset_slot:
        preset_picker.render(new)
    return new
