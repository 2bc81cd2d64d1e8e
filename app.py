"""GANscope's server: the app (`dashboard.py` and `pages/`) and the live charts' feed.

    streamlit run app.py

Streamlit serves the pages as it would from `streamlit run dashboard.py`; `st.App` adds
the one route of GANscope's own, from which a page's charts fetch their frames while a run
trains (`ui/live/chart_feed.py`). Started on `dashboard.py` instead, the app still works
whole, but each watching page then costs the server several times more.
"""

import streamlit as st
from streamlit import config

from ui.live import chart_feed

app = st.App("dashboard.py", routes=chart_feed.routes(config.get_option("server.baseUrlPath")))
