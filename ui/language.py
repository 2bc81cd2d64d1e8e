"""The language a person reads the app in: chosen once per session, changed at any time.

Order of precedence, decided at the top of every page (`choose()`):
1. `lang=zh` or `lang=en` in the page's address: a teacher's shared link opens in the
   class's language, whatever the browsers say. Another value is refused aloud.
2. The choice already made in this session (the sidebar's switch, or an earlier link).
3. On the first visit, the browser's preferred language (`st.context.locale`, which is
   `navigator.language`), falling back to its Accept-Language header; English otherwise.

The choice lives in session state under a key of its own, not a widget's key, so that it
survives pages that do not draw the switch. gan_core's `_()` reads it through the provider
registered below; a change reruns the page and every string follows at once, while the
run itself (a job held in the session) goes on untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from gan_core.config import ConfigError, quote_value
from gan_core.i18n import (
    LANGUAGES,
    _,
    current_language,
    parse_language,
    set_language_provider,
    use_language,
)
from ui.plain_text import plain

LINK_KEY = "lang"  # the link's parameter
STATE_KEY = "ui_language"  # the session's choice
LINK_SEEN_KEY = "language_link_seen"  # the last `lang` value a link applied
SWITCH_KEY = "language_switch"  # the sidebar widget, copied into STATE_KEY on change


def _session_language() -> str | None:
    """The provider for gan_core.i18n: this session's choice; None outside a session
    (worker threads, the CLI), where English is used."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.session_state.get(STATE_KEY)


set_language_provider(_session_language)


def settle_choice(key: str, options: Sequence[str], label: Callable[[str], str]) -> bool:
    """Put a selectbox's state back on one of its options if it holds an option's label;
    True if it did.

    A selectbox's choice travels between the browser and the server as the label shown.
    A browser that still holds a label from before a language switch sends back words the
    widget no longer offers, and Streamlit keeps them as the choice. Called before the
    widget is drawn (or from its change callback), this finds the option those words
    named, in any language. Words that name none are left for the settings' own checks."""
    value = st.session_state.get(key)
    if value is None or value in options:
        return False
    for language in LANGUAGES:
        with use_language(language):
            named = [option for option in options if label(option) == value]
        if named:
            st.session_state[key] = named[0]
            return True
    return False


def parse_link_value(value: str | list[str]) -> str:
    """A link's `lang` value, exactly "zh" or "en"; anything else is refused by name."""
    text = (value[-1] if value else "") if isinstance(value, list) else value
    if text not in LANGUAGES:
        allowed = ", ".join(LANGUAGES)
        raise ConfigError(
            LINK_KEY,
            _("{value} is not allowed: use one of {allowed}").format(
                value=quote_value(text), allowed=allowed
            ),
        )
    return text


def choose() -> None:
    """At the top of every page: settle this session's language (see the module's docstring).

    A link's `lang` is applied once per value it takes, so that the sidebar's switch is not
    undone by the address the page has not rewritten yet. A bad value is refused aloud and
    the language stays as it was."""
    link = st.query_params.get_all(LINK_KEY)
    if link and link[-1] != st.session_state.get(LINK_SEEN_KEY):
        st.session_state[LINK_SEEN_KEY] = link[-1]
        try:
            st.session_state[STATE_KEY] = parse_link_value(link)
        except ConfigError as error:
            _settle_default()
            st.error(
                plain(_("This link's language could not be used: {error}").format(error=error))
            )
    _settle_default()


def _settle_default() -> None:
    if st.session_state.get(STATE_KEY) not in LANGUAGES:
        st.session_state[STATE_KEY] = _browser_language() or "en"


def _browser_language() -> str | None:
    try:
        locale = st.context.locale
    except Exception:  # no browser context (AppTest): fall through to the header
        locale = None
    found = parse_language(locale)
    if found is not None:
        return found
    header = st.context.headers.get("Accept-Language", "") if st.context.headers else ""
    for part in header.split(","):
        found = parse_language(part.split(";")[0])
        if found is not None:
            return found
    return None


def link_value() -> dict[str, str]:
    """The `lang` parameter a share link carries: the language it was made in."""
    return {LINK_KEY: current_language()}


def _switched() -> None:
    st.session_state[STATE_KEY] = st.session_state[SWITCH_KEY]


def switch() -> None:
    """The sidebar's language switch; labels in their own language so anyone can find it."""
    st.session_state[SWITCH_KEY] = current_language()
    st.segmented_control(
        "Language / 语言",
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=SWITCH_KEY,
        on_change=_switched,
        required=True,
    )
