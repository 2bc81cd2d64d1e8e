"""Which language the current caller reads: an explicit override, else the app's choice.

The web app serves many people from one process, each in their own language, so the
language cannot be a global. The app registers a provider (ui/language.py) that reads the
person's choice from their Streamlit session; code outside a session (the CLI, worker
threads, tests) gets English unless it asks for another language with `use_language`.
gan_core never imports streamlit: the provider is handed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

DEFAULT = "en"
SUPPORTED = ("en", "zh")

_override: ContextVar[str | None] = ContextVar("ganscope_language", default=None)
_provider: Callable[[], str | None] | None = None


def set_language_provider(provider: Callable[[], str | None] | None) -> None:
    """Register the function that says the current person's language (None: no opinion)."""
    global _provider
    _provider = provider


def current_language() -> str:
    override = _override.get()
    if override is not None:
        return override
    if _provider is not None:
        chosen = _provider()
        if chosen in SUPPORTED:
            return chosen
    return DEFAULT


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Within the block, this thread reads `language` (for tests, exports and the CLI)."""
    if language not in SUPPORTED:
        raise ValueError(f"unsupported language {language!r}")
    token = _override.set(language)
    try:
        yield
    finally:
        _override.reset(token)


def parse_language(tag: str | None) -> str | None:
    """A supported language from a browser's or a link's tag: "zh-CN", "zh_Hans", "en-GB"
    and so on; None for anything else (the caller decides what that means)."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in SUPPORTED else None
