"""The dashboard's run store, and the recorder that saves each of its runs as it trains.

Saving is a convenience on top of training, never a condition for it: a store that cannot
be opened (bad data directory, disk full) or that fails later only costs the record, and
the page says so in a small warning. When the store's quota made room for a run by evicting
older ones, `eviction_note` says which.

With `GANSCOPE_DATABASE_URL` (environment, or else `.streamlit/secrets.toml`) the store is
that PostgreSQL database, shared by every app process; a server that cannot be reached
costs the records the same way, with one line in the log (the password hidden).
"""

from __future__ import annotations

import logging
import os
import time
import weakref

import streamlit as st

from gan_core.config import GanConfig
from gan_core.store.paths import data_dir_from_environment
from gan_core.store.quota import EvictedRun
from gan_core.store.recorder import RunRecorder
from gan_core.store.run_store import RunStore
from gan_core.store.sql.postgres import URL_VAR, check_database_url
from ui.session import config_state, session_id

log = logging.getLogger(__name__)

# The runs this server is recording, by id. A run the store still calls running that no
# recorder here holds was left by a server that stopped (another replica, or this one
# before a restart): reopen.py offers it for what it is.
_recording: weakref.WeakValueDictionary[int, RunRecorder] = weakref.WeakValueDictionary()

RETRY_OPEN_AFTER_S = 30.0  # after a PostgreSQL server did not answer, before asking again
_failed_until: dict[tuple[str | None, str], float] = {}


def store() -> RunStore | None:
    """The store on `$GANSCOPE_DATABASE_URL` if set, else in `$GANSCOPE_DATA_DIR` (else
    ./data), or None if it cannot be opened."""
    try:
        # Keyed by the URL and the directory, so a changed environment (tests) gets its own.
        key = (database_url(), str(data_dir_from_environment()))
    except Exception as error:  # a ConfigError: one line, the URL's password hidden
        log.warning("the run store could not be opened: %s", error)
        return None
    if time.monotonic() < _failed_until.get(key, 0.0):
        return None  # a server that did not answer: not every rerun waits for it again
    try:
        return _open(*key)
    except Exception as error:
        log.warning("the run store could not be opened: %s", error)
        if key[0] is not None:
            _failed_until[key] = time.monotonic() + RETRY_OPEN_AFTER_S
        return None


def database_url() -> str | None:
    """The PostgreSQL URL from the environment, else from the secrets file (a missing or
    unreadable one counts as none); None for the SQLite store. ConfigError if it is bad."""
    value = os.environ.get(URL_VAR, "").strip()
    if not value:
        try:
            value = str(st.secrets.get(URL_VAR, "") or "").strip()
        except Exception:  # no secrets file, or one Streamlit cannot parse: no URL
            value = ""
    return check_database_url(value) if value else None


@st.cache_resource(show_spinner=False)
def _open(url: str | None, data_dir: str) -> RunStore:
    # What store_from_environment() opens, shared by every session using that store.
    return RunStore(data_dir, database_url=url)


def recorder_for(config: GanConfig, name: str | None = None) -> RunRecorder | None:
    """A recorder for a new run of `config`, filed under this session's id."""
    run_store = store()
    if run_store is None:
        return None
    recorder = RunRecorder(
        run_store,
        config,
        preset=config_state.matching_preset(config),
        session_id=session_id.ensure(),
        name=name,
    )
    if recorder.run_id is not None:
        _recording[recorder.run_id] = recorder
    return recorder


def recorded_here(run_id: int) -> bool:
    """This server is recording the run now (it trains, or is ending, in one of its jobs)."""
    recorder = _recording.get(run_id)
    return recorder is not None and recorder.recording


def eviction_note(evicted: list[EvictedRun], session: str | None) -> str | None:
    """Plain text naming the runs evicted to make room, or None if there were none.

    Only this session's own runs are named; other people's are only counted."""
    if not evicted:
        return None
    own = [run.label for run in evicted if session is not None and run.session_id == session]
    others = len(evicted) - len(own)
    parts = []
    if own:
        parts.append(f"your older run(s) {', '.join(own)}")
    if others:
        parts.append(f"{others} older run(s) of other sessions")
    return f"The run store was full: {' and '.join(parts)} were deleted to make room."
