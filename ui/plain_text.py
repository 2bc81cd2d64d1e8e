"""Text from outside, shown as the characters it is and never as Markdown.

Everything Streamlit shows as text (st.error, st.caption, st.markdown, the label of a button
or widget, a tooltip) is read as Markdown, with Streamlit's additions: `:red[...]` colours,
`:material/...:` icons, `:smile:` emoji, `$...$` math. Text a person sent (a link's
parameters, a file's name or contents, an exception that quotes them) must not be read that
way, or a crafted share link turns an error banner into a sign-in link or a tracking image.
`plain()` turns such text into Markdown that displays it literally; our own fixed Markdown
around it (a bold label, a colour) stays ours.

How, and why it is enough:
- CommonMark lets a backslash escape any ASCII punctuation character, and an escaped
  character is never syntax. Every one of them is escaped, so no link, image, emphasis,
  code, heading, list, quote, table, HTML tag, entity, directive or math can start.
  It also hides `:material/` from the text replacement Streamlit runs before parsing, and
  Streamlit only loads math and emoji support when it sees unescaped `$...$` or `:word:`.
- Two things are found in the text after parsing, where escapes are gone: bare web
  addresses (`https://…`, `www.…`, `name@host.tld` become links in GitHub's Markdown) and
  emoji shortcodes. An invisible word joiner (U+2060) after every `:` and `@` that has text right
  behind it, and between
  `www` and `.` breaks those patterns without changing what a reader sees.
- Line breaks stay line breaks (Markdown hard breaks), and a line's leading spaces become
  no-break spaces, so no line can turn into an indented code block.
"""

from __future__ import annotations

import re

from gan_core.i18n import _, format_decimal

WORD_JOINER = "\u2060"
NO_BREAK_SPACE = "\u00a0"
HARD_BREAK = "  \n"  # two spaces before a line break: a line break in Markdown too
TAB_WIDTH = 4
NAME_LIMIT = 60  # characters of a name (an uploaded file's, say) that a message shows
TEXT_LIMIT = 300  # characters of an error's text that a message shows

_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")  # every ASCII punctuation character
# After a `:` or `@` with text right behind it (a space behind it starts no address or
# shortcode, and a reader copying "loaded: name" gets no hidden character).
_ADDRESS_START = re.compile(r"(?<=\\[:@])(?=\S)|(?i:(?<=www)(?=\\\.))")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_INDENT = re.compile(r"^[ \t]+")


def plain(text: object) -> str:
    """Markdown that displays `text` (or `str(text)`) exactly as written."""
    lines = _LINE_BREAK.split(str(text))
    return HARD_BREAK.join(_plain_line(line) for line in lines)


def _plain_line(line: str) -> str:
    escaped = _PUNCTUATION.sub(lambda m: "\\" + m.group(), line)
    escaped = _ADDRESS_START.sub(WORD_JOINER, escaped)
    return _INDENT.sub(_no_break_spaces, escaped)


def _no_break_spaces(indent: re.Match[str]) -> str:
    return indent.group().replace("\t", " " * TAB_WIDTH).replace(" ", NO_BREAK_SPACE)


def cut(text: object, limit: int = TEXT_LIMIT) -> str:
    """`text` with at most `limit` characters shown, and its full length when cut."""
    text = str(text)
    if len(text) <= limit:
        return text
    return _("{start}… ({length} characters)").format(
        start=text[:limit], length=format_decimal(len(text))
    )


def plain_name(name: object) -> str:
    """A name a person chose (a file's, a run's), cut short and shown literally."""
    return plain(cut(name, NAME_LIMIT))
