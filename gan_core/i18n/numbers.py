"""Numbers as the current language writes them (grouping and decimal signs), via Babel's CLDR
data rather than hand-written rules."""

from __future__ import annotations

from babel.numbers import format_decimal as _babel_format_decimal

from gan_core.i18n.language import current_language

BABEL_LOCALES = {"en": "en_US", "zh": "zh_Hans_CN"}


def format_decimal(value: float, pattern: str | None = None) -> str:
    """`value` with the current language's separators, e.g. 12,345.6 (pattern: CLDR's)."""
    return _babel_format_decimal(value, format=pattern, locale=BABEL_LOCALES[current_language()])
