"""GANscope main page: set a target and a GAN, then watch it train live.

Layout and wiring only; each part lives in its own module under `ui/`.
"""

import streamlit as st

from gan_core.i18n import N_, _
from ui import language, page_style, present_mode
from ui.controls import sidebar
from ui.live import live_view, run_actions, run_buttons, speed
from ui.session import checkpoint_upload, notices, reopen, session_id, sharing, url_state
from ui.session.guard import guarded
from ui.session.session_job import holder as session_holder

language.choose()  # first: every string below is in the chosen language
with guarded(N_("the link")):
    url_state.load_from_url()  # a link, or another page's switch, sets the controls
# After the link is read: `present=1` in it starts the page with the sidebar collapsed.
st.set_page_config(
    page_title="GANscope",
    page_icon="🎯",
    layout="wide",
    initial_sidebar_state=present_mode.sidebar_state(),
)
page_style.apply(present=present_mode.on())

with st.container(key=page_style.HEADER_KEY, horizontal=True, vertical_alignment="center"):
    st.title("GANscope")
    st.caption(
        _("Watch a tiny GAN learn a 2-D distribution: set the target and the players, then Train.")
    )

with guarded(N_("the page")):
    top = st.container()  # however many notices, the elements below keep their place
    config = sidebar.render()  # the last valid config; refusals are shown in the sidebar
    holder = session_holder()
    run_actions.perform_pending(holder, config, speed.chosen_speed())
    with top:
        notices.show("page")  # the link's, the sidebar's and the run buttons' messages
        reopen.offer(holder)  # after a refresh: the session's last saved run
    holder.forget_if_outdated(config)  # an ended run gives way to a preview of new settings
    with guarded(N_("the live settings")):
        holder.send_learning_rates(config.lr_d, config.lr_g)
        holder.send_speed(speed.chosen_speed())
    run_buttons.render(holder)
    reopen.continue_button(holder)  # under a reopened run only
    live_view.render(holder, config)
    st.divider()
    sharing.render(holder, config)
    _, files = st.columns([3, 2], gap="large")  # under the downloads and the config upload
    with files:
        checkpoint_upload.render()
    url_state.sync(config)
    session_id.remember_in_browser()  # once its first run is saved, a refresh finds it
