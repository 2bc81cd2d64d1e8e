"""The sidebar's links to the app's pages, in the reader's language.

Streamlit names the pages of `pages/` after their files, in English, in a navigation of its
own; that one is hidden (`client.showSidebarNavigation = false`) and every page draws these
links instead, with translated names.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from gan_core.i18n import N_, _

PAGES = (  # (script, name, icon), in the order of the files
    ("dashboard.py", N_("Dashboard"), ":material/monitoring:"),
    ("pages/1_Sweep.py", N_("Sweep"), ":material/grid_on:"),
    ("pages/2_Compare.py", N_("Compare runs"), ":material/compare_arrows:"),
    ("pages/3_Guide.py", N_("Guide"), ":material/school:"),
    ("pages/4_Board.py", N_("Class board"), ":material/groups:"),
)


def links() -> None:
    """One link per page, the current one highlighted by Streamlit."""
    for script, name, icon in PAGES:
        try:
            st.page_link(script, label=_(name), icon=icon)
        except StreamlitAPIException:
            # A page opened on its own (a test of one page, run as the main script) has no
            # app around it to link to; the page itself still works.
            continue
