"""After a browser refresh: offer the session's last saved run, and reopen it read-only.

A refresh starts a new Streamlit session with an empty page, but the browser still holds
the session id (a cookie: ui/session/session_id.py) under which the run store filed the
runs. While this page has shown nothing of its own yet, it offers the newest of them.
Reopening loads its config into the controls and shows it in the live view as a
`StoredRun`; from there "Continue as a new run" trains on from its saved state
(ui/live/run_actions.py).

A run can also be lost: the server training it stopped (a replica of a cluster killed, or
one server restarted) before it ended. The store still has it as running, but it reads as
lost there once no beat has stamped it for a while (gan_core/store/record.py), and no
recorder of this server holds it. The browser then reaches this server (the proxy sends it
to another replica), and the offer says plainly that the connection to the run's server was
lost; reopening shows every row of its log that was saved, up to the last one written
before the server stopped, beside the last state it saved on the plane (the recorder keeps
the weights every few seconds while it trains; its starting state if none were kept).
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from gan_core.config import ConfigError
from gan_core.i18n import N_, _, format_decimal
from gan_core.jobs.status import RunStatus
from gan_core.store.record import RunRecord
from gan_core.store.run_store import RunNotFound, RunStore
from gan_core.store.stored_run import NoSavedState, StoredRun
from gan_core.training.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.training.trainer import Trainer
from ui.live.run_actions import request
from ui.session import config_state, notices, run_store, session_id
from ui.session.session_job import VIEW, JobHolder
from ui.session.session_job import holder as session_holder

SETTLED_KEY = "reopen_settled"  # the offer is answered: reopened, dismissed or trained past
OFFER_KEY = "reopen_offer_found"  # what the offer says, once the run it names has ended
# A saved run's status as the offer words it (the store keeps the English word).
STATUS_WORDS = {
    "starting": N_("starting"),
    "running": N_("running"),
    "paused": N_("paused"),
    "finished": N_("finished"),
    "diverged": N_("diverged"),
    "stopped": N_("stopped"),
    "error": N_("error"),
}


def offer(holder: JobHolder) -> None:
    """The notice "Your last run (...) — Reopen", while it is still a useful question."""
    if holder.job is not None:  # this page shows a run of its own: the question is moot
        st.session_state[SETTLED_KEY] = True
    sid = session_id.current()
    if st.session_state.get(SETTLED_KEY) or sid is None:
        return
    found = _last_run(sid)
    if found is None:
        return
    run_id, status, step, total = found
    if status == LOST:
        text = _(
            "The connection to the server training your last run (#{run}) was lost: "
            "it stopped at step {step} of {total}, and this page is now served by "
            "another server."
        ).format(run=run_id, step=format_decimal(step), total=format_decimal(total))
    else:
        text = _("Your last run (#{run}, {status}, step {step} of {total})").format(
            run=run_id,
            status=_(STATUS_WORDS.get(str(status), str(status))),
            step=format_decimal(step),
            total=format_decimal(total),
        )
    with st.container(horizontal=True, vertical_alignment="center", key="reopen_offer"):
        st.info(text, icon=":material/history:")
        st.button(_("Reopen"), key="reopen_run", on_click=_reopen, args=(run_id,))
        st.button(_("Dismiss"), key="reopen_dismiss", on_click=_settle)


LOST = "lost"  # in the offer, for the status of a run whose server stopped


def _last_run(sid: str) -> tuple[int, str, int, int] | None:
    """(id, status, step, total steps) of the session's newest run, looked up once it has
    ended; a run still ending (the closed tab's session going away) is looked up again.
    A lost run's status is LOST."""
    known = st.session_state.get(OFFER_KEY)
    if known is not None:
        return known
    store = run_store.store()
    try:
        record = store.last_run_for_session(sid) if store is not None else None
        if record is None:
            return None
        # The log keeps a row every few steps only; the saved weights know the exact step.
        checkpoint = store.checkpoint(record.id) if record.ended else None
        step = load_checkpoint(checkpoint).step_count if checkpoint else _logged_step(record)
    except Exception:  # a broken store (or file) only loses the offer
        return None
    status = LOST if _lost(record) else str(record.status)
    found = (record.id, status, step, record.config.total_steps)
    if record.ended:
        st.session_state[OFFER_KEY] = found
    return found


def _logged_step(record) -> int:
    return int(record.history["step"].iloc[-1]) if len(record.history) else 0


def _lost(record: RunRecord) -> bool:
    """Still running by the store, yet its server stopped: not saved for a while
    (`record.lost`), or recorded by no job of this server. (A session's tabs all reach one
    server: a run of theirs that is really running is recorded here.)"""
    if record.id is None or record.ended:
        return False
    return record.lost or not run_store.recorded_here(record.id)


class LostRun(StoredRun):
    """A lost run reopened: its saved log, and on the plane the last state it saved while
    it trained (its starting state if it saved none). Train runs its config again; with a
    saved state, it can also be continued from there."""

    @classmethod
    def from_store(cls, record: RunRecord, checkpoint: bytes | None) -> LostRun:
        step = _logged_step(record)
        if checkpoint is None:
            message = _(
                "its server stopped at step {step} before saving the weights: the curves "
                "show its log up to there, the plane its starting state; Train runs it again"
            ).format(step=format_decimal(step))
        else:
            message = _(
                "its server stopped at step {step}: the curves show its log up to there, "
                "the plane its last saved state (step {saved})"
            ).format(
                step=format_decimal(step),
                saved=format_decimal(load_checkpoint(checkpoint).step_count),
            )
        ended = replace(record, status=RunStatus.STOPPED, message=message, lost=False)
        lost = cls(ended, checkpoint or checkpoint_bytes(Trainer(record.config)), VIEW)
        lost.has_weights = checkpoint is not None
        return lost

    has_weights = False

    @property
    def can_continue(self) -> bool:
        return self.has_weights and super().can_continue


def _open(store: RunStore, run_id: int) -> StoredRun:
    """The run as saved; a lost one from its log and its last saved state. NoSavedState if
    it has no weights and is not lost (still ending in a closed tab)."""
    record = store.get_run(run_id)
    if _lost(record):
        return LostRun.from_store(record, store.checkpoint(run_id))
    return StoredRun.open(store, run_id, VIEW)


def continue_button(holder: JobHolder) -> None:
    """Under a reopened run: train on from its saved state, recorded as a new run."""
    job = holder.job
    if not isinstance(job, StoredRun):
        return
    st.button(
        _("Continue as a new run"),
        key="run_continue",
        icon=":material/fast_forward:",
        on_click=request,
        args=("continue",),
        disabled=not job.can_continue,
        help=_(
            "Train on from this run's saved state, exactly as if it had never stopped; "
            "the store keeps it as a new run."
        )
        if job.can_continue
        else _("Nothing to continue: this run has done all its steps, or diverged."),
    )


def _settle() -> None:
    st.session_state[SETTLED_KEY] = True


def _reopen(run_id: int) -> None:
    """Callback: runs before any widget is drawn, so the controls can take the config."""
    store = run_store.store()
    try:
        if store is None:
            raise ConfigError("run store", _("it could not be opened"))
        stored = _open(store, run_id)
    except NoSavedState:
        notices.post(
            "page",
            "info",
            _(
                "Run #{run} has no saved state yet (it may still be ending in the closed "
                "tab): try again in a moment."
            ).format(run=run_id),
        )
        return
    except (RunNotFound, ConfigError) as error:
        notices.post(
            "page",
            "error",
            _("Run #{run} could not be reopened: {error}.").format(run=run_id, error=error),
        )
        _settle()
        return
    _settle()
    config_state.load(stored.config, source=f"run #{run_id}")
    session_holder().show(stored)
