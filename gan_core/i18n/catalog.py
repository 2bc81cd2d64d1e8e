"""The compiled gettext catalogs and the functions that look words up in them.

`make i18n` extracts, updates and compiles the catalogs; the set-up commands (`make run`,
`make test`) compile them. A catalog whose `.mo` is missing or older than its `.po` (someone
edited a translation and ran the app directly) is compiled in memory from the `.po`, so the
app never shows a stale or missing translation.
"""

from __future__ import annotations

import gettext
import io
import threading
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from gan_core.i18n.language import DEFAULT, SUPPORTED, current_language

DOMAIN = "ganscope"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"en": "English", "zh": "中文"}  # the switch's labels, each in its own language
assert tuple(LANGUAGES) == SUPPORTED

_lock = threading.Lock()
_catalogs: dict[str, gettext.NullTranslations] = {}


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _load(language: str) -> gettext.NullTranslations:
    """The language's catalog; English is the source text itself."""
    if language == DEFAULT:
        return gettext.NullTranslations()
    po = po_path(language)
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as file:
            return gettext.GNUTranslations(file)
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as file:
        catalog = read_po(file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as pybabel compile does
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translations(language: str) -> gettext.NullTranslations:
    found = _catalogs.get(language)
    if found is None:
        with _lock:
            found = _catalogs.get(language) or _load(language)
            _catalogs[language] = found
    return found


def _(message: str) -> str:
    """`message` in the current person's language (itself when it has no translation)."""
    return translations(current_language()).gettext(message)


def N_(message: str) -> str:
    """Marks a constant for extraction without translating it: translate it where shown."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted phrase right for `count` in the current language."""
    return translations(current_language()).ngettext(singular, plural, count)
