"""Share and save: the link to this setup, downloads, and loading a saved config.

Downloads that depend on the run (history, checkpoint) are produced when clicked, from the
job as it is then, not when the page was last drawn.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from gan_core.config import ConfigError, GanConfig
from gan_core.i18n import _
from gan_core.jobs.protocol import Job
from gan_core.jobs.status import RunStatus
from gan_core.serialize import from_json, to_json
from ui import present_mode
from ui.plain_text import NAME_LIMIT, cut, plain
from ui.session import config_state, notices
from ui.session.session_job import JobHolder
from ui.session.url_state import LINK_PROBLEM_KEY, query_for

UPLOAD_KEY = "config_upload"


def render(holder: JobHolder, config: GanConfig) -> None:
    st.subheader(_("Share and save"))
    link, files = st.columns([3, 2], gap="large")
    with link:
        _link(config)
    with files:
        _downloads(holder, config)
        _upload()


def link_for(config: GanConfig) -> str | None:
    query = query_for(config)
    if query is None:
        return None
    return f"{page_address(st.context.url or '')}?{urlencode(query)}"


def page_address(url: str) -> str:
    """The page's address with a path: `http://host:8501/`, not `http://host:8501`, which
    some chat clients and mail readers do not link whole once a query follows it."""
    parts = urlsplit(url)
    if parts.netloc and not parts.path:
        return urlunsplit(parts._replace(path="/"))
    return url


def _link(config: GanConfig) -> None:
    url = link_for(config)
    if url is None:
        st.warning(
            plain(
                _(
                    "No link for this setup: {problem}. Download the config file to share it."
                ).format(problem=st.session_state.get(LINK_PROBLEM_KEY))
            )
        )
        return
    # The link also carries `lang=`: it opens in the language it was made in (a class's).
    if present_mode.on():
        what = _(
            "every setting, the seed, the speed, present mode and the language; "
            "copy it with the icon"
        )
    else:
        what = _("every setting, the seed, the speed and the language; copy it with the icon")
    st.markdown(
        _("**Link to this setup** ({what})").format(what=what),
    )
    st.code(url, language=None, wrap_lines=True)


def _downloads(holder: JobHolder, config: GanConfig) -> None:
    job = holder.job
    no_run = job is None
    with st.container(horizontal=True):
        st.download_button(
            _("Config (JSON)"),
            to_json(config),
            file_name="ganscope-config.json",
            mime="application/json",
            key="download_config",
            icon=":material/download:",
            on_click="ignore",
        )
        st.download_button(
            _("History (CSV)"),
            (lambda: job.frame().history.to_csv(index=False)) if job else "",
            file_name="ganscope-history.csv",
            mime="text/csv",
            key="download_history",
            icon=":material/download:",
            disabled=no_run,
            on_click="ignore",
        )
        waiting = _not_started(job)
        st.download_button(
            _("Checkpoint"),
            job.checkpoint if job and not waiting else b"",
            file_name="ganscope-checkpoint.pt",
            mime="application/octet-stream",
            key="download_checkpoint",
            icon=":material/download:",
            disabled=no_run or waiting is not None,
            on_click="ignore",
            help=waiting
            or _(
                "Weights, optimiser state, random state and history: the run can continue "
                "exactly from here."
            ),
        )


def _not_started(job: Job | None) -> str | None:
    """Why a run has no weights to download yet (None: it has, or there is no run).

    A queued or starting run has no trainer yet: its download would fail with nothing said."""
    if job is None:
        return None
    status = job.frame().status
    if status == RunStatus.QUEUED:
        return _("The checkpoint can be downloaded once this run leaves the queue and trains.")
    if status == RunStatus.STARTING:
        return _("The checkpoint can be downloaded once this run has started.")
    return None


def _upload() -> None:
    st.file_uploader(
        _("Load a config file (JSON)"),
        type=["json"],
        key=UPLOAD_KEY,
        on_change=_read_upload,
    )
    notices.show("config_upload")


def _read_upload() -> None:
    uploaded = st.session_state.get(UPLOAD_KEY)
    if uploaded is None:
        return
    name = cut(uploaded.name, NAME_LIMIT)
    try:
        config = from_json(uploaded.getvalue())
    except ConfigError as error:
        notices.post(
            "config_upload",
            "error",
            _("{name} was not loaded: {error}. The current settings are kept.").format(
                name=name, error=error
            ),
        )
        return
    config_state.load(config, source=uploaded.name)
    notices.post("config_upload", "success", _("Loaded {name}.").format(name=name))
