"""What a reader sees of Markdown built with ui.plain_text.plain(): for asserting on messages.

AppTest hands out an element's Markdown source. Messages that quote outside text escape it
(`lr\\_d`, `runs\\.json`); tests compare what is displayed, so they undo exactly that.
"""

from __future__ import annotations

import re

from ui.plain_text import HARD_BREAK, NO_BREAK_SPACE, WORD_JOINER

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    text = markdown.replace(WORD_JOINER, "").replace(HARD_BREAK, "\n")
    return _ESCAPED.sub(r"\1", text.replace(NO_BREAK_SPACE, " "))
