"""Load a checkpoint file: its run is shown at the step it was saved at, ready to continue.

The file is what the Checkpoint download gives (or `train --out`'s checkpoint.pt). The
engine's loader checks it; a refused file leaves the page as it was and says why beside
the uploader. An accepted one is saved in the run store as a run of its own (source
"import", filed under this session), then shown exactly as a reopened run is
(reopen.py): read-only at its saved step, and "Continue as a new run" trains on from
there, exactly as if the run had never stopped, saved as another new run.

Uploads are capped at UPLOAD_LIMIT_MB, the server's limit for every upload: a checkpoint
of the largest run the app allows (100,000 samples, 64-wide layers, a full log) is about
2 MB.
"""

from __future__ import annotations

import re

import streamlit as st

from gan_core.config import ConfigError
from gan_core.i18n import _, format_decimal
from gan_core.store.run_store import RunStore
from gan_core.store.stored_run import StoredRun
from gan_core.training.checkpoint import load_checkpoint
from gan_core.training.history import COLUMNS
from gan_core.training.trainer import Trainer
from ui.plain_text import NAME_LIMIT, cut
from ui.session import config_state, notices, run_store, session_id
from ui.session.session_job import VIEW
from ui.session.session_job import holder as session_holder

UPLOAD_KEY = "checkpoint_upload"
NOTICE_PLACE = "checkpoint_upload"
UPLOAD_LIMIT_MB = 5  # as server.maxUploadSize in .streamlit/config.toml
UPLOAD_LIMIT_BYTES = UPLOAD_LIMIT_MB * 1024 * 1024  # Streamlit's megabyte
RUN_NAME_LIMIT = 60  # "(from #N)" is added to a continued run's name, within the store's 80
_NOT_IN_A_RUN_NAME = re.compile(r"[^A-Za-z0-9_ .:#()+-]+")


def render() -> None:
    st.file_uploader(
        _("Load a checkpoint (.pt, at most {limit} MB) to continue its run").format(
            limit=UPLOAD_LIMIT_MB
        ),
        type=["pt"],
        key=UPLOAD_KEY,
        on_change=_read_upload,
        max_upload_size=UPLOAD_LIMIT_MB,
        help=_(
            "A file from the Checkpoint download (or `python -m gan_core train --out`). "
            "The run is shown at its step and kept in the run store; "
            "Continue as a new run trains on from there."
        ),
    )
    notices.show(NOTICE_PLACE)


def _read_upload() -> None:
    """Callback: runs before any widget is drawn, so the controls can take the config."""
    uploaded = st.session_state.get(UPLOAD_KEY)
    if uploaded is None:
        return
    shown = cut(uploaded.name, NAME_LIMIT)
    try:
        stored = _store_and_open(uploaded.getvalue(), uploaded.name)
    except ConfigError as error:
        notices.post(
            NOTICE_PLACE,
            "error",
            _("{name} was not loaded: {error}. The page is kept as it was.").format(
                name=shown, error=error
            ),
        )
        return
    config_state.load(stored.config, source=uploaded.name)
    session_holder().show(stored)
    step, total = stored.step, stored.config.total_steps
    if stored.can_continue:
        text = _(
            "Loaded {name} as run #{run}, at step {step} of {total}. "
            "Continue as a new run trains on from there."
        )
    else:
        text = _(
            "Loaded {name} as run #{run}, at step {step} of {total}. It has done all its steps."
        )
    notices.post(
        NOTICE_PLACE,
        "success",
        text.format(
            name=shown,
            run=stored.run_id,
            step=format_decimal(step),
            total=format_decimal(total),
        ),
    )


def _store_and_open(data: bytes, file_name: str) -> StoredRun:
    """The checkpoint checked, saved in the run store, and reopened from there.

    ConfigError (field and plain reason) for a file that is not a checkpoint that fits,
    or a store that cannot take it."""
    if len(data) > UPLOAD_LIMIT_BYTES:  # Streamlit enforces it too: this says it plainly
        raise ConfigError(
            "checkpoint",
            _("file is {size} bytes: at most {limit} allowed").format(
                size=format_decimal(len(data)), limit=format_decimal(UPLOAD_LIMIT_BYTES)
            ),
        )
    trainer = load_checkpoint(data)
    store = run_store.store()
    if store is None:
        raise ConfigError("run store", _("it could not be opened, and a loaded run is kept there"))
    try:
        run_id = _save(store, trainer, data, file_name)
        return StoredRun.open(store, run_id, VIEW)
    except ConfigError:
        raise
    except Exception as error:  # a full or broken store: the file itself was fine
        raise ConfigError(
            "run store", _("it could not take the run ({error})").format(error=error)
        ) from None


def _save(store: RunStore, trainer: Trainer, data: bytes, file_name: str) -> int:
    """The run as the checkpoint has it: its log, its last metrics, the very bytes loaded."""
    config = trainer.config
    status = "finished" if trainer.finished else "stopped"
    metrics = trainer.snapshot(n_points=0, full_metrics=True).metrics
    added = store.add_run(
        config,
        preset=config_state.matching_preset(config),
        session_id=session_id.ensure(),
        source="import",
        name=run_name(file_name),
        status=status,
    )
    store.finish(
        added.run_id,
        status,
        metrics,
        checkpoint=data,
        message=f"loaded from the file {cut(file_name, NAME_LIMIT)}",
        rows=trainer.history.to_frame()[list(COLUMNS)],
    )
    return added.run_id


def run_name(file_name: str) -> str:
    """A run name the store accepts, from the file's name: what it cannot hold becomes _."""
    name = _NOT_IN_A_RUN_NAME.sub("_", file_name)[:RUN_NAME_LIMIT].rstrip()
    if not name or not (name[0].isalnum() or name[0] == "_"):
        name = "_" + name[: RUN_NAME_LIMIT - 1]
    return name
