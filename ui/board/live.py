"""The board's live part, read again from the store every few seconds: a run published in
another session (or on another replica of the app) appears without a reload.

A damaged run is left off with one line saying so; whatever else goes wrong becomes one
plain message, and the next refresh tries again.
"""

from __future__ import annotations

import streamlit as st

from gan_core.i18n import N_, _
from gan_core.store.damage import DamagedRun
from gan_core.store.rows import DAMAGED
from ui.board import gallery, leaderboard
from ui.plain_text import plain
from ui.session import run_store
from ui.session.guard import guarded

REFRESH_SECONDS = 5
EMPTY = N_(
    "Nothing is published yet. To put a run on the board, open the **Compare** page, choose "
    "your run and publish it: it appears here within a few seconds, no reload needed."
)


@st.fragment(run_every=REFRESH_SECONDS)
def render() -> None:
    store = run_store.store()
    if store is None:
        st.error(_("The run store could not be opened, so there is nothing to show."))
        return
    with guarded("the class board"):
        challenge, problem = leaderboard.current(store)
        listed, published = store.published_runs(leaderboard.MAX_RANKED)
        sound = listed[listed.status != DAMAGED]
        notes = [
            gallery.skip_note(run.label, DamagedRun(run.id, run.problem))
            for run in listed[listed.status == DAMAGED].itertuples()
        ]
        if problem is not None:
            st.warning(plain(problem))
        if challenge is None:
            st.info(_("No challenge is set: the teacher sets one from this page's sidebar."))
        else:
            notes += leaderboard.render(store, challenge, sound)
        st.subheader(_("Published runs"), anchor=False)
        if published == 0:
            st.info(_(EMPTY), icon=":material/publish:")
        notes += gallery.render(store, sound, published)
        for note in dict.fromkeys(notes):  # a run skipped by both parts is said once
            st.warning(plain(note))
