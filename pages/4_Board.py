"""Class board: the class's published runs side by side, and the teacher's challenge ranked.

Layout and wiring only: the rules are `gan_core.classroom`, the parts `ui.board`, the
teacher's key `ui.session.teacher`. The board reads the run store again every few seconds,
so runs published meanwhile appear without a reload.
"""

from __future__ import annotations

import streamlit as st

from gan_core.i18n import _
from ui import language, navigation
from ui.board import challenge_form, leaderboard, live
from ui.session import run_store, teacher
from ui.session.guard import guarded

language.choose()  # first: every string below is in the chosen language
st.set_page_config(page_title=_("Class board · GANscope"), layout="wide")
with st.sidebar:
    navigation.links()
    language.switch()

st.title(_("Class board"))
st.caption(
    _(
        "Every run the class publishes, small, side by side: its final plane, its distance "
        "over the steps and its name. Under a challenge, the runs that keep to its rules are "
        "ranked."
    )
)

with st.sidebar, guarded("the teacher's panel"):
    st.header(_("Teacher"), anchor=False)
    teacher.key_form()
    store = run_store.store()
    if teacher.is_teacher() and store is not None:
        challenge, _problem = leaderboard.current(store)
        challenge_form.render(store, challenge)

live.render()
