"""ui.plain_text: any text, made into Markdown that Streamlit displays literally.

What makes Markdown syntax is checked three ways: no ASCII punctuation is left unescaped
(CommonMark reads an escaped one as itself, so nothing can open a link, an emphasis, a
directive, ...); what a parser leaves of the text after undoing escapes holds none of the
patterns that are found in text after parsing (bare web addresses, emoji shortcodes); and
none of the patterns Streamlit looks for in the source before parsing. The browser test
(tests/browser/test_plain_text_browser.py) checks the same in Streamlit's real renderer.
"""

from __future__ import annotations

import re

import pytest

from tests.markdown_text import shown
from ui.plain_text import HARD_BREAK, NO_BREAK_SPACE, WORD_JOINER, cut, plain, plain_name

ASCII_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")

CONSTRUCTS = {
    "link": "[Your session expired: sign in again](https://evil.example/login)",
    "image": "![t](https://evil.example/track.png)",
    "reference link": "[a]: https://evil.example\n\n[a]",
    "autolink": "<https://evil.example/login>",
    "bare addresses": "https://evil.example www.evil.example WWW.evil.example me@evil.example",
    "emphasis": "*a* _b_ **c** __d__ ~~e~~ ***f***",
    "heading": "# Title\n## Subtitle",
    "setext heading": "Title\n=====\nOther\n-----",
    "code span": "`code` and ``more code``",
    "fenced code": "```python\nprint(1)\n```\n~~~\nx\n~~~",
    "indented code": "    code\n\tcode",
    "lists": "- one\n+ two\n* three\n1. four\n2) five",
    "block quote": "> quoted\n>> deeper",
    "html tags": '<img src="https://evil.example/t.png"><b>bold</b><script>alert(1)</script>',
    "html entities": "&lt;b&gt; &#60;script&#62; &amp;",
    "colour directives": ":red[alarm] :blue-background[calm] :rainbow[all]",
    "material icon": ":material/home: and :material/warning:",
    "emoji shortcode": ":smile: :+1: :streamlit:",
    "inline math": "$x^2$ and $\\sqrt{2}$",
    "display math": "$$\\int_0^1 x\\,dx$$",
    "table": "| a | b |\n|---|:-:|\n| 1 | 2 |",
    "thematic breaks": "***\n---\n___",
    "footnote": "text[^1]\n\n[^1]: https://evil.example",
    "directive attributes": ":span[x]{style=color:red} ::leaf[y] :::block\nz\n:::",
    "backslashes": "C:\\path\\*not emphasis* \\\\ end\\",
    "hard breaks": "line one  \nline two\\\nline three",
}


@pytest.mark.parametrize("text", CONSTRUCTS.values(), ids=CONSTRUCTS.keys())
def test_no_punctuation_is_left_unescaped(text):
    markdown = plain(text)
    assert not ASCII_PUNCTUATION.search(ESCAPED.sub("", markdown)), markdown


@pytest.mark.parametrize("text", CONSTRUCTS.values(), ids=CONSTRUCTS.keys())
def test_the_reader_sees_the_text_as_written(text):
    assert shown(plain(text)) == text.replace("\t", "    ")


# What GitHub's Markdown finds in text after parsing (mdast-util-gfm-autolink-literal),
# and the emoji shortcodes Streamlit turns into pictures, again after parsing.
BARE_ADDRESS = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.I)
BARE_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
EMOJI = re.compile(r":[\w+-][\w_+-]*:")


def parsed_text(markdown: str) -> str:
    """What a Markdown parser keeps of plain() text: escapes undone, invisibles kept."""
    return ESCAPED.sub(lambda m: m.group()[1], markdown)


@pytest.mark.parametrize("text", CONSTRUCTS.values(), ids=CONSTRUCTS.keys())
def test_nothing_is_found_in_the_parsed_text(text):
    parsed = parsed_text(plain(text))
    assert not BARE_ADDRESS.search(parsed), parsed
    assert not BARE_EMAIL.search(parsed), parsed
    assert not EMOJI.search(parsed), parsed


@pytest.mark.parametrize("text", CONSTRUCTS.values(), ids=CONSTRUCTS.keys())
def test_nothing_streamlit_looks_for_before_parsing_is_there(text):
    markdown = plain(text)
    assert ":material/" not in markdown  # rewritten into an icon directive before parsing
    assert not EMOJI.search(markdown)  # loads the emoji plugin
    assert not re.search(r"(?<!\\)\$", markdown)  # loads math (escaped dollars do not count)


def test_the_attack_link_becomes_literal_text():
    assert plain("[x](https://evil.example/a) ![t](b.png)") == (
        r"\[x\]\(https\:" + WORD_JOINER + r"\/\/evil\.example\/a\) \!\[t\]\(b\.png\)"
    )


def test_each_construct_is_escaped_where_it_starts():
    assert plain("# h") == r"\# h"
    assert plain("1. one") == r"1\. one"
    assert plain("**b** _i_") == r"\*\*b\*\* \_i\_"
    assert plain("`c`") == r"\`c\`"
    assert plain("<b>") == r"\<b\>"
    assert plain("a | b") == r"a \| b"
    assert plain("$x$") == r"\$x\$"
    assert plain(":red[x]") == r"\:" + WORD_JOINER + r"red\[x\]"
    assert plain("www.a") == "www" + WORD_JOINER + r"\.a"
    assert plain("me@a.b") == r"me\@" + WORD_JOINER + r"a\.b"


def test_lines_stay_lines_and_indents_stay_visible():
    assert plain("a\nb\r\nc\rd") == HARD_BREAK.join("abcd")
    assert plain("a\n\nb") == f"a{HARD_BREAK}{HARD_BREAK}b"  # a blank line: a new paragraph
    assert plain("  two\n\tfour") == (
        f"{NO_BREAK_SPACE * 2}two{HARD_BREAK}{NO_BREAK_SPACE * 4}four"
    )
    for line in plain(CONSTRUCTS["indented code"]).split(HARD_BREAK):
        assert not line.startswith((" ", "\t")), line  # no indented code block


def test_letters_digits_and_other_scripts_are_untouched():
    text = "Grüße 123 — σx ≥ 0 “quoted” 日本語"
    assert plain(text) == text


def test_any_object_is_shown_by_its_text():
    assert plain(ValueError("bad *value*")) == r"bad \*value\*"
    assert plain(5) == "5"


def test_cut_keeps_short_text_and_counts_long_text():
    assert cut("short", 10) == "short"
    assert cut("x" * 10, 10) == "x" * 10
    assert cut("x" * 60_000, 10) == "xxxxxxxxxx… (60,000 characters)"


def test_a_name_is_cut_and_escaped():
    name = "[a](https://evil.example)" + "x" * 10_000 + ".csv"
    markdown = plain_name(name)
    assert len(markdown) < 200
    assert shown(markdown).startswith("[a](https://evil.example)xxx")
    assert "(10,029 characters)" in shown(markdown)
    assert not ASCII_PUNCTUATION.search(ESCAPED.sub("", markdown))
