"""What counts as English left on a Chinese page, for the translation tests.

A Chinese page still carries a few Latin-script words on purpose: the project's name,
symbols and the names of algorithms and formats that Chinese courses write in Latin letters
too (Adam, SGD, WGAN-GP, CSV, ...). Any other Latin word of three or more letters is an
English label that escaped translation.
"""

from __future__ import annotations

import json
import re

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
    "mlp",
    "jsd",
    "kl",
    "lsgan",
    "hinge",
    "minimax",
    "nash",
    # units and symbols
    "max",
    "min",
    "log",
    "exp",
    "std",
    "cov",
    "var",
    "utc",
    # distances named after people, as Chinese texts write them
    "fréchet",
    "wasserstein",
}
# Accented Latin letters belong to the word ("Fréchet" is one word, not "Fr" and "chet").
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]{3,}")


def english_words(text: str) -> list[str]:
    """The Latin words in `text` that a Chinese page should not show."""
    return [w for w in _LATIN_WORD.findall(text) if w.lower() not in KEPT_IN_LATIN]


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
# Plotly's placement settings inside a title or colour bar ("side": "right"): not words.
_PLACEMENT = ("side", "xanchor", "yanchor", "xref", "yref", "align", "valign")
_TAG = re.compile(r"<[^>]*>")
_TEMPLATE_FIELD = re.compile(r"%\{[^}]*\}")
# Streamlit Markdown directives (icons, coloured backgrounds): syntax, not words.
_DIRECTIVE = re.compile(r":material/[a-z_]+:|:[a-z]+(-background)?\[")


def _strings_in(value: object, wanted: bool, out: list[str]) -> None:
    """Collect the strings of `value` found under text-bearing keys (recursively)."""
    if isinstance(value, str):
        if wanted:
            out.append(_DIRECTIVE.sub(" ", _TEMPLATE_FIELD.sub(" ", _TAG.sub(" ", value))))
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in _CHART_JSON_FIELDS and isinstance(item, str):
                try:
                    item = json.loads(item)
                except ValueError:
                    continue
                _strings_in(item, False, out)
            elif key in ("css", "style", "font", "family", "meta", "uirevision", *_PLACEMENT):
                continue
            else:
                _strings_in(item, wanted or key in _TEXT_FIELDS, out)
    elif isinstance(value, list):
        for item in value:
            _strings_in(item, wanted, out)


def visible_texts(app: AppTest) -> list[str]:
    """Every label, message, caption, option, chart title, axis title, legend entry and
    hover text of an AppTest page, as the person would read them."""
    out: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            _strings_in(MessageToDict(proto), False, out)
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(app._tree)
    return [text for text in out if text.strip()]


def english_left(app: AppTest) -> list[str]:
    """The texts of a Chinese page that still hold English words."""
    return [text for text in visible_texts(app) if english_words(text)]
