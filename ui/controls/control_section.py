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
from gan_core.i18n import _
from ui.plain_text import plain


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
                st.error(plain(refusal(name, refused[name], old)))
            if self.after is not None:
                self.after(new)


def refusal(name: str, error: object, config: GanConfig) -> str:
    """Why an edit of `name` was refused, then what `config` keeps instead, in the page's
    language (the error's own text comes translated from where it was raised)."""
    if name == "target":
        return target_kept(error)
    value = getattr(config, name)
    if isinstance(value, tuple):
        shown = ", ".join(str(v) for v in value) or _("none")
    else:
        shown = f"{value}"
    return _("{error}. The previous value ({shown}) is kept.").format(error=error, shown=shown)


def target_kept(error: object) -> str:
    return _("{error}. The previous target is kept.").format(error=error)
