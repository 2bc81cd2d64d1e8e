"""Every string marked for translation has a Chinese translation that keeps its placeholders.

The strings are extracted from the code here, as `make i18n` does, so a string added
without a translation (or a translation that lost `{value}`) fails this test, not a class.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from gan_core.i18n import N_, _, ngettext, use_language
from gan_core.i18n.catalog import po_path
from tests.i18n_check import english_words, has_chinese

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")  # a placeholder's name is code, not a word shown

with (ROOT / "babel.cfg").open() as _cfg:  # the same files `make i18n` reads
    METHOD_MAP, _OPTIONS = parse_mapping_cfg(_cfg)


def _extracted() -> dict[str, tuple[str, ...]]:
    """msgid -> every source form of the message (one, or singular and plural)."""
    found: dict[str, tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS
    ):
        forms = message if isinstance(message, tuple) else (message,)
        found[forms[0]] = forms
    return found


def _catalog():
    with po_path("zh").open("rb") as file:
        return read_po(file, locale="zh")


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_the_mechanism_finds_strings_in_the_code() -> None:
    # If extraction silently found nothing, every check below would pass vacuously.
    assert len(_extracted()) >= 1


def test_every_marked_string_has_a_chinese_translation() -> None:
    catalog = _catalog()
    missing = []
    for msgid, forms in _extracted().items():
        message = catalog.get(msgid)
        translated = message is not None and not message.fuzzy and message.string
        if isinstance(translated, tuple | list):
            translated = all(translated)
        if not translated:
            missing.append(forms[0])
    assert not missing, f"{len(missing)} strings have no Chinese translation: {missing[:20]}"


def test_translations_keep_every_placeholder() -> None:
    catalog = _catalog()
    broken = []
    for msgid, forms in _extracted().items():
        message = catalog.get(msgid)
        if message is None:
            continue
        wanted = set().union(*(_fields(form) for form in forms))
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        for text in strings:
            try:
                got = _fields(text)
            except ValueError as error:  # an unbalanced brace in the translation
                broken.append((msgid, str(error)))
                continue
            if text and got != wanted:
                broken.append((msgid, sorted(wanted ^ got)))
    assert not broken, f"translations that drop or add placeholders: {broken[:20]}"


def test_translations_are_chinese_where_the_source_has_words() -> None:
    catalog = _catalog()
    untranslated = [
        m.id
        for m in catalog
        if m.id
        and isinstance(m.id, str)
        and english_words(_PLACEHOLDER.sub(" ", m.id))  # "{field}: {message}" has no words
        and not has_chinese(m.string)
    ]
    assert not untranslated, f"translations still in English: {untranslated[:20]}"


def test_the_catalog_holds_no_stale_strings() -> None:
    # A string removed from the code but kept in the .po is dead weight for translators.
    extracted = _extracted()
    stale = [
        m.id
        for m in _catalog()
        if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in extracted
    ]
    assert not stale, (
        f"run `make i18n`: the catalog has strings the code no longer uses: {stale[:20]}"
    )


def test_lookup_follows_the_language() -> None:
    message = "{value} is not allowed: use one of {allowed}"
    with use_language("zh"):
        chinese = _(message)
    with use_language("en"):
        english = _(message)
    assert english == message
    assert has_chinese(chinese) and _fields(chinese) == _fields(message)
    assert N_(message) == message


def test_plural_forms_come_from_the_catalogs_rules() -> None:
    # English has two forms; Chinese one (nplurals=1 in the .po header).
    with use_language("en"):
        assert ngettext("{n} run", "{n} runs", 1) == "{n} run"
        assert ngettext("{n} run", "{n} runs", 3) == "{n} runs"
    assert _catalog().num_plurals == 1


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError), use_language("fr"):
        pass
