"""One block of sidebar controls: the edits it asks for, and where its refusals are shown.

A section is drawn before the edits are applied (all sections' edits are applied together,
so that dependent settings resolve in one go), and reports afterwards into a slot kept
at its bottom, so each refusal appears next to the controls that caused it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from gan_core.config import ConfigError, GanConfig
from ui.plain_text import plain

KEPT = {"target": "The previous target is kept."}


@dataclass
class Section:
    fields: frozenset[str]  # the config settings this section edits
    changes: dict = field(default_factory=dict)  # {setting: value asked for}
    problems: list[str] = field(default_factory=list)  # input that could not even be read
    slot: object = None  # container at the section's bottom
    after: Callable[[GanConfig], None] | None = None  # drawn in the slot after applying

    def open_slot(self) -> None:
        self.slot = st.container()

    def report(self, refused: dict[str, ConfigError], old: GanConfig, new: GanConfig) -> None:
        with self.slot:
            for problem in self.problems:
                st.error(plain(problem))
            for name in sorted(self.fields & refused.keys()):
                st.error(plain(f"{refused[name]}. {kept_note(name, old)}"))
            if self.after is not None:
                self.after(new)


def kept_note(name: str, config: GanConfig) -> str:
    if name in KEPT:
        return KEPT[name]
    value = getattr(config, name)
    if isinstance(value, tuple):
        shown = ", ".join(str(v) for v in value) or "none"
    else:
        shown = f"{value}"
    return f"The previous value ({shown}) is kept."
