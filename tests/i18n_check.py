"""What counts as English left on a Chinese page, for the translation tests.

A Chinese page still carries a few Latin-script words on purpose: the project's name,
symbols and the names of algorithms and formats that Chinese courses write in Latin letters
too (Adam, SGD, WGAN-GP, CSV, ...). Any other Latin word of three or more letters is an
English label that escaped translation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection

from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

KEPT_IN_LATIN = {
    # the project, libraries and file formats
    "ganscope",
    "gan",
    "gans",
    "pytorch",
    "plotly",
    "streamlit",
    "csv",
    "json",
    "html",
    "png",
    "svg",
    "url",
    "http",
    "https",
    "localhost",
    "github",
    "npz",
    "zip",
    "utf",
    # algorithms, losses and layers as Chinese courses write them
    "adam",
    "sgd",
    "rmsprop",
    "wgan",
    "ema",
    "relu",
    "tanh",
    "sigmoid",
    "leaky",
    "elu",
    "mlp",
    "jsd",
    "kl",
    "lsgan",
    "hinge",
    "minimax",
    "nash",
    "softmax",
    # mathematicians' names in the distances Chinese courses name after them
    "fréchet",
    "wasserstein",
    # units and symbols
    "max",
    "min",
    "log",
    "exp",
    "std",
    "cov",
    "var",
    "nan",
    "utc",
}
# Latin letters with their accented forms, so that "Fréchet" is one word, not "Fr" + "chet".
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]{3,}")
# Syntax and symbols, not words: LaTeX commands and environments (\mathrm, \begin{pmatrix})
# and subscripted symbols or code names (p_data, loss_d); and a catalog entry's placeholders
# ({step}), which are filled with numbers or other translated text.
_NOT_WORDS = re.compile(
    r"\\(?:begin|end)\{[a-z*]+\}|\\[A-Za-z]+|\b[A-Za-z]+_[A-Za-z0-9_]+|\{[A-Za-z_]\w*\}"
)


def english_words(text: str) -> list[str]:
    """The Latin words in `text` that a Chinese page should not show."""
    found = _LATIN_WORD.findall(_NOT_WORDS.sub(" ", text))
    return [w for w in found if w.lower() not in KEPT_IN_LATIN]


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# The proto fields of Streamlit elements that hold words a person reads (not widget values,
# which are the person's own input).
_TEXT_FIELDS = {
    "label",
    "body",
    "help",
    "placeholder",
    "options",
    "text",
    "title",
    "caption",
    "delta",
    "name",
    "hovertemplate",
    "tooltip",
}
_CHART_JSON_FIELDS = {"spec", "json_args", "jsonArgs", "figure"}
_TAG = re.compile(r"<[^>]*>")
# A page's own CSS and scripts (st.html): code the browser runs, never words on screen.
_NOT_SHOWN = re.compile(r"<(style|script)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_TEMPLATE_FIELD = re.compile(r"%\{[^}]*\}")
# Streamlit Markdown directives (icons, coloured backgrounds): syntax, not words.
_DIRECTIVE = re.compile(r":material/[a-z_]+:|:[a-z]+(-background)?\[")


# Plotly's settings that sit beside a title's text and hold keywords, not words.
_SYNTAX = {"side", "xanchor", "yanchor", "xref", "yref", "align", "valign", "color", "bgcolor"}


def _strings_in(value: object, wanted: bool, out: list[str]) -> None:
    """Collect the strings of `value` found under text-bearing keys (recursively)."""
    if isinstance(value, str):
        if wanted:
            words = _TAG.sub(" ", _NOT_SHOWN.sub(" ", value))
            out.append(_DIRECTIVE.sub(" ", _TEMPLATE_FIELD.sub(" ", words)))
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in _CHART_JSON_FIELDS and isinstance(item, str):
                try:
                    item = json.loads(item)
                except ValueError:
                    continue
                _strings_in(item, False, out)
            elif key in ("css", "style", "font", "family", "meta", "uirevision") or key in _SYNTAX:
                continue
            else:
                _strings_in(item, wanted or key in _TEXT_FIELDS, out)
    elif isinstance(value, list):
        for item in value:
            _strings_in(item, wanted, out)


def visible_texts(app: AppTest) -> list[str]:
    """Every label, message, caption, option, chart title, axis title, legend entry and
    hover text of an AppTest page, as the person would read them."""
    return texts_under([app._tree])


def texts_under(nodes: object, skip_keys: Collection[str] = ()) -> list[str]:
    """`visible_texts` of some of a page's elements and blocks (and all they hold), less
    the widgets whose keys are in `skip_keys`: for a test of one part of a page. `nodes` is
    one element or block (`app.sidebar`, say) or several."""
    if not isinstance(nodes, list | tuple):
        nodes = [nodes]
    out: list[str] = []

    def walk(node: object) -> None:
        if getattr(node, "key", None) in skip_keys:
            return
        proto = getattr(node, "proto", None)
        if proto is not None:
            _strings_in(MessageToDict(proto), False, out)
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    for node in nodes:
        walk(node)
    return [text for text in out if text.strip()]


def english_left(app: AppTest) -> list[str]:
    """The texts of a Chinese page that still hold English words."""
    return [text for text in visible_texts(app) if english_words(text)]


def english_left_under(nodes: object, skip_keys: Collection[str] = ()) -> list[str]:
    """`english_left` for some of a page's elements (see `texts_under`)."""
    return [text for text in texts_under(nodes, skip_keys) if english_words(text)]
