"""GANscope's words in English and Simplified Chinese, through gettext catalogs.

Every string a person reads is written in English in the code, wrapped in `_()` (or in
`N_()` where it is a constant defined at import time and translated where it is shown).
Babel extracts them (`make i18n`) into `locale/ganscope.pot`; translators keep
`locale/zh/LC_MESSAGES/ganscope.po`; Python's `gettext` reads the compiled `.mo`.

    from gan_core.i18n import _, N_, ngettext

    raise ConfigError("lr_d", _("{value} is out of range").format(value=...))

Placeholders are `str.format` names, filled after translation, so a translation may put
them in another order. The command line stays English: only the web app sets a language.
"""

from gan_core.i18n.catalog import LANGUAGES, N_, _, ngettext
from gan_core.i18n.language import (
    current_language,
    parse_language,
    set_language_provider,
    use_language,
)
from gan_core.i18n.numbers import format_decimal

__all__ = [
    "LANGUAGES",
    "N_",
    "_",
    "current_language",
    "format_decimal",
    "ngettext",
    "parse_language",
    "set_language_provider",
    "use_language",
]
