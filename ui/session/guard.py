"""A last line of defence: an unexpected error becomes a plain message, never a traceback.

Expected bad input is handled where it happens (each control shows its ConfigError); this
catches only what slipped through, logs the traceback on the server for whoever runs it,
and tells the person in one sentence. `place` is an English phrase marked with `N_()` by
the caller and translated here, where it is shown. Streamlit's own rerun and stop signals are
BaseExceptions, not Exceptions, so they pass straight through.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from gan_core.config import ConfigError
from gan_core.i18n import _
from ui.plain_text import cut, plain

log = logging.getLogger("ganscope")


@contextmanager
def guarded(place: str) -> Iterator[None]:
    try:
        yield
    except ConfigError as error:
        st.error(plain(error))
    except Exception as error:
        log.exception("unexpected error in %s", place)
        st.error(
            plain(
                _(
                    "Something went wrong in {place} ({kind}: {error}). "
                    "Your settings are kept; try again, or press Reset."
                ).format(place=_(place), kind=type(error).__name__, error=cut(error))
            )
        )
